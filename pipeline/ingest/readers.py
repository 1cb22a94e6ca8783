"""Format readers: plain text, HTML, JSONL (generic, KCNA, Rodong Sinmun), PTC and PolNeAR files.

Every reader yields :class:`Article` records whose ``text`` is exactly what later offsets address.
Failures are yielded as :class:`InputError` values rather than raised, so a batch run records them
and goes on with the remaining inputs.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from ..errors import InputError
from ..records import Article
from .clean import clean_article
from .lang import check_english

# A news article is at most a few tens of kB; a multi-MB "article" is a dump or a mistake and would
# stall the parser, so it is rejected with a message instead.
MAX_CHARS = 1_000_000

_MIN_HTML_LINE_WORDS = 8
_PTC_NAME = re.compile(r"^article(\d+)\.txt$")
_RODONG_ID = re.compile(r"newsID=([\w-]+)")

Result = Article | InputError


def _decode(data: bytes, path: str) -> str:
    if not data.strip():
        raise InputError(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(path, "file is binary (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(path, f"not valid UTF-8 at byte {e.start}; re-save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if not p.exists():
        raise InputError(path, "no such file or directory")
    if p.is_dir():
        raise InputError(path, "is a directory; pass the files inside it or a glob")
    size = p.stat().st_size
    # bytes >= chars for UTF-8, so a file over 4x the limit cannot pass; skip reading it whole.
    if size > 4 * MAX_CHARS:
        raise InputError(path, f"file is {size / 1e6:.1f} MB; articles over {MAX_CHARS:,} characters are rejected")
    return p.read_bytes()


def _check_text(text: str, path: str, line: int | None = None) -> None:
    if not text.strip():
        raise InputError(path, "article text is empty", line)
    if len(text) > MAX_CHARS:
        raise InputError(
            path, f"article has {len(text):,} characters; the limit is {MAX_CHARS:,} (split it first)", line
        )
    try:
        check_english(text, path)
    except InputError as e:
        raise type(e)(path, e.problem, line) from None


def read_text(path: str, *, article_id: str | None = None, clean: bool = True) -> Article:
    """Read a plain-text article; page furniture is marked as non-body, never removed."""
    text = _decode(_read_bytes(path), path)
    _check_text(text, path)
    art = Article(id=article_id or _stem_id(path), text=text, source_path=str(path))
    return clean_article(art) if clean else art


def read_ptc(path: str) -> Article:
    """Read a PTC ``article<ID>.txt``; the text is kept byte-for-byte so gold offsets address it."""
    name = Path(path).name
    m = _PTC_NAME.match(name)
    if not m:
        raise InputError(path, "PTC article files are named article<ID>.txt")
    # PTC offsets count characters of the file as written, newlines included: read without
    # newline translation.
    text = _decode(_read_bytes(path), path)
    _check_text(text, path)
    title = text.split("\n", 1)[0].strip() or None
    return Article(id=m.group(1), text=text, title=title, source_path=str(path), dataset="ptc")


@cache
def _polnear_metadata(root: str) -> dict[str, dict[str, str]]:
    meta = Path(root) / "metadata.tsv"
    if not meta.exists():
        return {}
    with meta.open(encoding="utf-8", newline="") as f:
        return {row["filename"]: row for row in csv.DictReader(f, delimiter="\t")}


def read_polnear(path: str) -> Article:
    """Read a PolNeAR ``text/*.txt`` file with publisher, date and title from ``metadata.tsv``."""
    p = Path(path)
    text = _decode(_read_bytes(path), path)
    _check_text(text, path)
    row = _polnear_metadata(str(p.parent.parent.parent)).get(p.stem, {})
    return Article(
        id=p.stem,
        text=text,
        title=row.get("title"),
        date=row.get("publication_date"),
        outlet=row.get("publisher"),
        source_path=str(path),
        dataset="polnear",
        meta={"compartment": row.get("compartment")} if row else {},
    )


def read_html(path: str, *, article_id: str | None = None) -> Article:
    """Extract the article body of an HTML page with trafilatura (menus and boilerplate dropped).

    The extracted text becomes ``Article.text``; offsets address it, not the HTML source.
    """
    import trafilatura

    html = _decode(_read_bytes(path), path)
    body = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    # Menus that slip through the extractor are short link labels; an article has real sentences.
    if not body or max((len(line.split()) for line in body.splitlines()), default=0) < _MIN_HTML_LINE_WORDS:
        raise InputError(path, "HTML page has no article text (only navigation or boilerplate)")
    meta = trafilatura.extract_metadata(html)
    _check_text(body, path)
    return Article(
        id=article_id or _stem_id(path),
        text=body,
        title=getattr(meta, "title", None) if meta else None,
        date=getattr(meta, "date", None) if meta else None,
        outlet=getattr(meta, "sitename", None) if meta else None,
        source_path=str(path),
    )


def kcna_id(link: str) -> str:
    """Stable id of a KCNA story: its link is unique, its hash short."""
    return "kcna-" + hashlib.sha256(link.encode("utf-8")).hexdigest()[:12]


def rodong_id(url: str) -> str:
    """Stable id of a Rodong Sinmun article: the site's own ``newsID``."""
    m = _RODONG_ID.search(url)
    return "rodong-" + (m.group(1) if m else hashlib.sha256(url.encode("utf-8")).hexdigest()[:12])


def article_from_json(obj: dict, path: str, line: int) -> Article:
    """Build an Article from one JSON object in any of the supported layouts."""
    if not isinstance(obj, dict):
        raise InputError(path, f"expected a JSON object, got {type(obj).__name__}", line)
    if "story_text" in obj:  # KCNA layout
        text, aid = obj["story_text"], kcna_id(str(obj.get("link") or obj.get("headline") or line))
        title, outlet, dataset = obj.get("headline"), "KCNA", "kcna"
    elif "paragraphs" in obj:  # Rodong Sinmun layout
        paras = obj["paragraphs"]
        if not isinstance(paras, list) or not all(isinstance(p, str) for p in paras):
            raise InputError(path, "'paragraphs' must be a list of strings", line)
        text = "\n\n".join(p.strip() for p in paras)
        aid = rodong_id(str(obj.get("url") or line))
        title, outlet, dataset = obj.get("title"), "Rodong Sinmun", "rodong"
    elif "text" in obj:
        text = obj["text"]
        aid = str(obj.get("id") or f"{_stem_id(path)}-{line}")
        title, outlet, dataset = obj.get("title"), obj.get("outlet"), obj.get("dataset")
    else:
        raise InputError(path, "JSON object has none of 'text', 'story_text' or 'paragraphs'", line)
    if not isinstance(text, str):
        raise InputError(path, "article text must be a string", line)
    _check_text(text, path, line)
    return Article(
        id=aid,
        text=text,
        title=title,
        date=obj.get("date"),
        outlet=outlet,
        source_path=str(path),
        dataset=dataset,
        meta={k: obj[k] for k in ("topic", "link", "url") if k in obj},
    )


def read_jsonl(path: str) -> Iterator[Result]:
    """Yield one Article per JSONL line, or an InputError naming the line that failed."""
    try:
        data = _read_bytes(path) if path == "-" else None
        if data is not None:
            lines: Iterable[bytes] = data.splitlines()
        else:
            p = Path(path)
            if not p.exists():
                raise InputError(path, "no such file or directory")
            if p.stat().st_size == 0:
                raise InputError(path, "file is empty")
            lines = p.open("rb")
    except InputError as e:
        yield e
        return
    seen = False
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        seen = True
        try:
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as e:
                raise InputError(path, f"not valid UTF-8 at byte {e.start} of the line", n) from None
            except json.JSONDecodeError as e:
                raise InputError(path, f"line is not valid JSON ({e.msg} at column {e.colno})", n) from None
            yield article_from_json(obj, path, n)
        except InputError as e:
            yield e
    if hasattr(lines, "close"):
        lines.close()
    if not seen:
        yield InputError(path, "file has no JSON lines")


def _stem_id(path: str) -> str:
    return "stdin" if path == "-" else Path(path).stem


def _is_polnear(p: Path) -> bool:
    return p.parent.name == "text" and (p.parent.parent.parent / "metadata.tsv").exists()


def read_path(path: str) -> Iterator[Result]:
    """Read one file of any supported format, chosen by name and place."""
    p = Path(path)
    suffix = p.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson", ".json"):
            yield from read_jsonl(path)
            return
        if suffix in (".html", ".htm"):
            yield read_html(path)
        elif _PTC_NAME.match(p.name):
            yield read_ptc(path)
        elif path != "-" and _is_polnear(p):
            yield read_polnear(path)
        else:
            yield read_text(path)
    except InputError as e:
        yield e


def expand_inputs(inputs: Iterable[str]) -> Iterator[str]:
    """Expand directories (recursively, sorted) and globs; keep ``-`` and missing paths as given."""
    for item in inputs:
        if item == "-":
            yield item
            continue
        p = Path(item)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in (".txt", ".html", ".htm", ".jsonl", ".json", ".ndjson"):
                    yield str(f)
        elif any(ch in item for ch in "*?[") and not p.exists():
            matches = sorted(glob.glob(item, recursive=True))
            yield from matches if matches else [item]
        else:
            yield item


def iter_articles(inputs: Iterable[str]) -> Iterator[Result]:
    """Yield every Article (or InputError) from files, directories, globs and ``-``."""
    for path in expand_inputs(inputs):
        yield from read_path(path)
