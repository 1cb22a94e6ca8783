"""The voice and technique label sets, read from the ordered files in ``corpus/labels/``."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from .errors import CorpusError

# The package carries a copy so an installed wheel works without the repository checkout;
# tests check the copies agree with corpus/labels/.
_PACKAGE_DATA = "data"


def read_label_file(path: str | Path) -> tuple[str, ...]:
    """Read one label a line, ignoring blank lines and ``#`` comments; order is kept."""
    path = Path(path)
    labels = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line in labels:
            raise CorpusError(f"{path}:{n}: label {line!r} listed twice")
        labels.append(line)
    return tuple(labels)


@cache
def _packaged(name: str) -> tuple[str, ...]:
    ref = resources.files("pipeline").joinpath(_PACKAGE_DATA, name)
    with resources.as_file(ref) as p:
        return read_label_file(p)


def voice_labels() -> tuple[str, ...]:
    """The four voice labels in their fixed order."""
    return _packaged("voice.txt")


def technique_labels() -> tuple[str, ...]:
    """The 14 PTC technique names, spelled exactly as in the PTC label files."""
    return _packaged("techniques.txt")


VOICES = ("narration", "state_media", "source_testimony", "other")
