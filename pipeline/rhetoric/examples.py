"""Plain classifier inputs (:class:`Example`) and how to build them from articles and gold spans."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..records import Article, Sentence, Span

SPAN = "span"
SENTENCE = "sentence"
MODES = (SPAN, SENTENCE)


@dataclass(frozen=True)
class Example:
    """One thing to classify: a sentence, or a span of an article, with optional context.

    Attributes:
        text: The sentence (sentence mode) or the span text (span mode).
        context: Surrounding text the model may read with ``text`` (span mode: the sentence
            or lines holding the span); ``None`` when there is none.
        labels: Gold technique names; ``None`` when not annotated, ``()`` when annotated and empty.
        article_id: The article the text comes from, when known.
        start: Character offset of ``text`` in the article (span mode), end exclusive in ``end``.
        end: See ``start``.
        repeats: How many times ``text`` occurs in its article (case-insensitive); repetition is
            a technique of its own and invisible from the span alone. ``None`` when unknown.
    """

    text: str
    context: str | None = None
    labels: tuple[str, ...] | None = None
    article_id: str | None = None
    start: int | None = None
    end: int | None = None
    repeats: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["labels"] = list(self.labels) if self.labels is not None else None
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Example:
        """Read an Example, or a :class:`~pipeline.records.Sentence` dict (``techniques`` as labels)."""
        labels = data.get("labels", data.get("techniques"))
        return cls(
            text=data["text"],
            context=data.get("context"),
            labels=tuple(labels) if labels is not None else None,
            article_id=data.get("article_id"),
            start=data.get("start"),
            end=data.get("end"),
            repeats=data.get("repeats"),
        )


@dataclass(frozen=True)
class GoldSpan:
    """One line of a SemEval TC labels/template file: ``article_id TAB technique TAB start TAB end``."""

    article_id: str
    label: str
    start: int
    end: int
    line: int = 0


def read_tc_file(path: str | Path) -> list[GoldSpan]:
    """Read a SemEval-2020 TC labels or template file (technique may be a placeholder such as ``?``).

    Raises:
        InputError: naming the file and line of a malformed line (wrong field count, offsets that
            are not integers, or ``start >= end``).
    """
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), "file not found") from None
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.rstrip("\r").split("\t")
        if len(parts) != 4:
            raise InputError(
                str(path), f"expected 4 tab-separated fields (article_id, technique, start, end), got {len(parts)}", n
            )
        aid, label, s, e = (p.strip() for p in parts)
        try:
            start, end = int(s), int(e)
        except ValueError:
            raise InputError(str(path), f"offsets must be integers, got start={s!r} end={e!r}", n) from None
        if start < 0 or end <= start:
            raise InputError(str(path), f"bad offsets: need 0 <= start < end, got {start}..{end}", n)
        out.append(GoldSpan(aid, label, start, end, n))
    return out


def write_tc_file(path: str | Path, spans: Iterable[GoldSpan]) -> None:
    """Write TC lines ``article_id TAB technique TAB start TAB end`` atomically."""
    from ..io import atomic_write

    with atomic_write(path) as f:
        for g in spans:
            f.write(f"{g.article_id}\t{g.label}\t{g.start}\t{g.end}\n")


def check_span(article: Article, g: GoldSpan, source: str) -> None:
    """Raise :class:`InputError` naming ``source`` and the line when ``g`` does not fit the article."""
    if g.end > len(article.text):
        raise InputError(
            source,
            f"span {g.start}..{g.end} runs past the end of article {g.article_id} ({len(article.text)} chars)",
            g.line or None,
        )


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The ``[start, end)`` of the whole lines that hold ``text[start:end]``."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    return ls, (len(text) if le < 0 else le)


def span_context(text: str, start: int, end: int, max_chars: int = 600) -> str:
    """The lines holding the span (PTC: its sentence), cut to about ``max_chars`` around it."""
    ls, le = line_bounds(text, start, end)
    if le - ls > max_chars:
        room = max(0, max_chars - (end - start)) // 2
        ls, le = max(ls, start - room), min(le, end + room)
    return " ".join(text[ls:le].split())


def count_repeats(text: str, needle: str) -> int:
    """Case-insensitive count of ``needle`` in ``text`` (at least 1 for a span taken from it)."""
    needle = " ".join(needle.split()).lower()
    if not needle:
        return 1
    return max(1, " ".join(text.split()).lower().count(needle))


def span_examples(
    article: Article, spans: Sequence[GoldSpan | Span], *, with_labels: bool = True, context_chars: int = 600
) -> list[Example]:
    """One :class:`Example` per span, carrying the span text, its lines as context and its repeats."""
    out = []
    for g in spans:
        text = article.text[g.start : g.end]
        label = getattr(g, "label", None)
        out.append(
            Example(
                text=text,
                context=span_context(article.text, g.start, g.end, context_chars),
                labels=(label,) if with_labels and label else (() if with_labels else None),
                article_id=article.id,
                start=g.start,
                end=g.end,
                repeats=count_repeats(article.text, text),
            )
        )
    return out


def sentence_examples(sentences: Sequence[Sentence]) -> list[Example]:
    """Sentence-mode examples from :class:`~pipeline.records.Sentence` records (gold = ``techniques``)."""
    return [
        Example(
            text=s.text,
            labels=s.techniques,
            article_id=s.article_id,
            start=s.start,
            end=s.end,
        )
        for s in sentences
    ]


def line_sentences(article: Article, spans: Sequence[GoldSpan] | None = None) -> list[Sentence]:
    """PTC sentences: one a non-empty line (PTC's own segmentation), title line included.

    With ``spans``, a sentence's ``techniques`` are the labels of the gold spans overlapping it
    (sorted, each once); without, ``techniques`` stays ``None``.
    """
    from ..segment.sentences import body_units

    out = []
    for i, u in enumerate(body_units(article)):
        techniques = None
        if spans is not None:
            techniques = tuple(sorted({g.label for g in spans if g.start < u.end and g.end > u.start}))
        out.append(
            Sentence(
                article_id=article.id,
                index=i,
                start=u.start,
                end=u.end,
                text=article.text[u.start : u.end],
                paragraph=u.paragraph,
                techniques=techniques,
            )
        )
    return out


def read_examples_jsonl(path: str | Path) -> list[Example]:
    """Extra training data: JSONL of Example dicts or Sentence dicts; unannotated lines are skipped.

    Raises:
        InputError: naming the file and line of a line that is not a JSON object with ``text``.
    """
    path = Path(path)
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(str(path), "extra training file not found") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            ex = Example.from_dict(d)
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
            raise InputError(str(path), f"not an example or sentence JSON object ({e})", n) from None
        if ex.labels is not None:
            out.append(ex)
    return out


def label_counts(examples: Iterable[Example]) -> Counter:
    """How many examples carry each label."""
    c: Counter = Counter()
    for ex in examples:
        c.update(ex.labels or ())
    return c
