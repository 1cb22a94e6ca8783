"""BRAT standoff (``.ann``) files, as PolNeAR writes them, read into entities and attribution events."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError


@dataclass(frozen=True)
class BratEntity:
    """A BRAT text-bound annotation: type, one or more ``(start, end)`` fragments, its text."""

    id: str
    type: str
    fragments: tuple[tuple[int, int], ...]
    text: str
    line: int


@dataclass(frozen=True)
class BratAttribution:
    """A PolNeAR ``E#`` relation: entity ids of its sources, cues and contents.

    ``sources``, ``cues`` and ``contents`` gather every argument of that role, numbered or not
    (``Content2`` counts as a content). ``args`` keeps the ``(role, id)`` pairs as written, the
    event's ``type:trigger`` first, for readers that need the exact role names.
    """

    id: str
    type: str
    sources: tuple[str, ...]
    cues: tuple[str, ...]
    contents: tuple[str, ...]
    line: int
    args: tuple[tuple[str, str], ...] = ()


@dataclass
class BratDocument:
    """One parsed ``.ann`` file."""

    path: str
    entities: dict[str, BratEntity] = field(default_factory=dict)
    attributions: list[BratAttribution] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_brat(text: str, path: str = "<ann>", *, strict_offsets: bool = False) -> BratDocument:
    """Parse the contents of a PolNeAR BRAT standoff file.

    ``T#`` lines hold ``Type start end[;start end...]`` and the covered text (fragments of a
    discontinuous span are joined by one space, and a span covering a newline continues its text
    on the next physical line). ``E#`` lines link ``Attribution:T.. Source:T.. Cue:T.. Content:T..``
    (``Content2`` is a second content). ``#`` notes are skipped. Lines that cannot be read are
    recorded in ``problems`` and skipped.

    Args:
        text: The file's contents.
        path: Names the file in ``BratDocument.path`` and in messages.
        strict_offsets: Raise at the first span line whose offsets cannot be read, instead of
            recording it in ``problems``; other problems are still only recorded.

    Raises:
        CorpusError: with ``strict_offsets``, naming the file and line of the unreadable span.
    """
    doc = BratDocument(str(path))
    last: BratEntity | None = None
    blanks = 0
    for n, raw in enumerate(text.split("\n"), 1):
        if not raw.strip():
            # A blank line may be part of a span's text (a span over a paragraph break).
            blanks += 1
            continue
        head, _, rest = raw.partition("\t")
        if head.startswith("T") and head[1:].isdigit() and rest:
            spec, _, span_text = rest.partition("\t")
            typ, _, offs = spec.partition(" ")
            try:
                frags = tuple((int(a), int(b)) for a, b in (frag.split() for frag in offs.split(";")))
            except ValueError:
                if strict_offsets:
                    raise CorpusError(f"{path}:{n}: cannot read span offsets {offs!r}") from None
                doc.problems.append(f"{path}:{n}: cannot read offsets {offs!r}")
                last = None
                continue
            last = BratEntity(head, typ, frags, span_text, n)
            doc.entities[head] = last
        elif head.startswith("E") and head[1:].isdigit():
            args = tuple((role, ref) for role, _, ref in (arg.partition(":") for arg in rest.split()))
            roles: dict[str, list[str]] = defaultdict(list)
            for role, ref in args[1:]:
                roles[role.rstrip("0123456789")].append(ref)
            typ = args[0][0] if args else ""
            doc.attributions.append(
                BratAttribution(
                    head, typ, tuple(roles["Source"]), tuple(roles["Cue"]), tuple(roles["Content"]), n, args
                )
            )
            last = None
        elif head.startswith("#"):
            last = None
        elif last is not None:
            # The text of a span that covers line breaks goes on in the next physical line(s).
            last = BratEntity(last.id, last.type, last.fragments, last.text + "\n" * (blanks + 1) + raw, last.line)
            doc.entities[last.id] = last
        else:
            doc.problems.append(f"{path}:{n}: line is neither a T, E nor # annotation")
        blanks = 0
    return doc


def read_brat(path: str | Path) -> BratDocument:
    """Parse a PolNeAR BRAT standoff file (UTF-8); see :func:`parse_brat`."""
    return parse_brat(Path(path).read_text(encoding="utf-8"), str(path))


def brat_offset_mismatches(doc: BratDocument, text: str) -> list[str]:
    """Entities whose offsets do not address their own text in ``text``, one message each."""
    out = []
    for ent in doc.entities.values():
        if any(not (0 <= s <= e <= len(text)) for s, e in ent.fragments):
            out.append(f"{doc.path}:{ent.line}: {ent.id} offsets {ent.fragments} outside the text")
            continue
        got = " ".join(text[s:e] for s, e in ent.fragments)
        # BRAT writes fragments joined by a space; the newline of a span's own text stays.
        if got != ent.text and got.replace("\n", " ") != ent.text.replace("\n", " "):
            out.append(f"{doc.path}:{ent.line}: {ent.id} {ent.type} says {ent.text[:40]!r}, offsets give {got[:40]!r}")
    return out


def polnear_annotation_files(folder: str | Path) -> dict[str, list[Path]]:
    """``.ann`` files of a PolNeAR ``attributions/`` folder by article stem, sorted by annotator id.

    Some articles were annotated by several annotators (``<stem>_<annotator>.ann``); every user of
    the gold takes the first, so training, evaluation and the corpus agree on one annotation.
    """
    out: dict[str, list[Path]] = defaultdict(list)
    for p in sorted(Path(folder).glob("*.ann")):
        stem, _, _annotator = p.stem.rpartition("_")
        out[stem].append(p)
    return {k: sorted(v, key=lambda p: p.stem.rpartition("_")[2]) for k, v in out.items()}
