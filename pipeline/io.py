"""Output files that are never left half-written: atomic replace, and line-safe appends."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def dumps(obj: Any) -> str:
    """One JSON line: UTF-8 kept readable, key order stable."""
    return json.dumps(obj, ensure_ascii=False)


@contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and move it into place only on success.

    A crash or exception leaves any previous file at ``path`` untouched and no partial file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    # mkstemp creates the file private (0600); give it the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def repair_jsonl(path: str | Path) -> int:
    """Cut a trailing partial line left by a killed process; return the number of complete lines."""
    path = Path(path)
    if not path.exists():
        return 0
    with path.open("rb+") as f:
        data = f.read()
        if data and not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            f.truncate(cut)
            data = data[:cut]
    return data.count(b"\n")


class JsonlAppender:
    """Append whole JSON lines; each ``write_many`` lands complete or (after a kill) is cut away."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __enter__(self) -> JsonlAppender:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_jsonl(self.path)
        self._f = self.path.open("a", encoding="utf-8")
        return self

    def write_many(self, objs: list[dict]) -> None:
        # One write call per batch keeps a batch's lines together; fsync bounds what a kill loses.
        self._f.write("".join(dumps(o) + "\n" for o in objs))
        self._f.flush()
        os.fsync(self._f.fileno())

    def __exit__(self, *exc) -> None:
        self._f.close()
