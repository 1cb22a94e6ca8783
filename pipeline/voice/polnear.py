"""PolNeAR attribution annotations (BRAT standoff) read into source, cue and content spans."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError
from ..ingest import parse_brat, read_polnear
from ..ingest.brat import polnear_annotation_files
from ..records import Article


@dataclass(frozen=True)
class GoldAttribution:
    """One annotated attribution: each part is a tuple of ``(start, end)`` fragments (may be empty)."""

    source: tuple[tuple[int, int], ...]
    cue: tuple[tuple[int, int], ...]
    content: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class PolnearDoc:
    """A PolNeAR article with the gold attributions of one annotator."""

    article: Article
    annotator: str
    attributions: tuple[GoldAttribution, ...] = field(default_factory=tuple)

    def spans(self, part: str) -> list[tuple[int, int]]:
        """All fragments of one part (``source``, ``cue`` or ``content``) over all attributions."""
        return [f for a in self.attributions for f in getattr(a, part)]


def parse_ann(text: str, path: str = "<ann>") -> tuple[GoldAttribution, ...]:
    """Parse the BRAT standoff of one PolNeAR ``.ann`` file.

    Args:
        text: The file's contents.
        path: Used in error messages.

    Raises:
        CorpusError: when a span line cannot be read.
    """
    doc = parse_brat(text, path, strict_offsets=True)
    out = []
    for att in doc.attributions:
        # Every argument of a role counts, numbered ones too: "Content2" is more of the same
        # attribution's content (67 in PolNeAR), as the corpus builder reads it.
        parts = {
            part: tuple(f for ref in refs if ref in doc.entities for f in doc.entities[ref].fragments)
            for part, refs in (("source", att.sources), ("cue", att.cues), ("content", att.contents))
        }
        if parts["content"] or parts["cue"]:
            out.append(GoldAttribution(**parts))
    return tuple(out)


def annotation_files(split_dir: str | Path) -> dict[str, Path]:
    """Map each article stem of a split to its one ``.ann`` file (the first annotator's)."""
    return {stem: files[0] for stem, files in polnear_annotation_files(Path(split_dir) / "attributions").items()}


def load_split(data_dir: str | Path, split: str, limit: int | None = None) -> list[PolnearDoc]:
    """Read the articles and gold attributions of one PolNeAR split (``train`` or ``dev``).

    Args:
        data_dir: The data directory holding ``polnear/``.
        split: ``train`` or ``dev``.
        limit: Read at most this many articles (sorted by name), for quick runs.

    Raises:
        CorpusError: when the split folder is missing.
    """
    split_dir = Path(data_dir) / "polnear" / split
    if not (split_dir / "text").is_dir():
        raise CorpusError(f"{split_dir}/text not found; pass the data directory that holds polnear/")
    anns = annotation_files(split_dir)
    docs = []
    for txt in sorted((split_dir / "text").glob("*.txt")):
        ann = anns.get(txt.stem)
        if ann is None:
            continue
        article = read_polnear(str(txt))
        attrs = parse_ann(ann.read_text(encoding="utf-8"), str(ann))
        docs.append(PolnearDoc(article, ann.stem.rpartition("_")[2], attrs))
        if limit is not None and len(docs) >= limit:
            break
    return docs
