"""Sentence segmentation: spaCy's parser boundaries, repaired for quotes and abbreviations."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..records import Article, Sentence
from .nlp import load_nlp
from .quotes import quote_states

_CLOSERS = "\u201d\u2019\"')]"
# Tokens after which a full stop does not end a sentence: initials ("N. Korea"), month and title
# abbreviations ("Feb. 16", "Gen. Kim").
_ABBREV = re.compile(
    r"(?:\b[A-Z]|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|"
    r"Maj|Capt|Sgt|Sen|Rep|Gov|Rev|St|Mt|No|Nos|Vol|vs|etc|approx|Co|Corp|Inc|Ltd|Jr|Sr|Pres|Amb|Dept))\.$"
)


@dataclass(frozen=True)
class Unit:
    """A stretch of text parsed as one spaCy Doc: a non-empty line of the article body."""

    start: int
    end: int
    paragraph: int


def body_units(article: Article) -> list[Unit]:
    """Split the article body into lines; each line is a paragraph and a parsing unit.

    Sentences never cross a line: in every supported source a line break ends a paragraph
    (PTC puts one sentence on each line).
    """
    regions = article.body if article.body is not None else ((0, len(article.text)),)
    units: list[Unit] = []
    for rstart, rend in regions:
        pos = rstart
        for line in article.text[rstart:rend].splitlines(keepends=True):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                s = pos + lead
                units.append(Unit(s, s + len(stripped), len(units)))
            pos += len(line)
    return units


def _should_merge(text: str, prev: tuple[int, int], nxt: tuple[int, int]) -> bool:
    left = text[prev[0] : prev[1]]
    right = text[nxt[0] : nxt[1]]
    if not right or not left:
        return True
    first = right[0]
    # A piece that starts with a closing quote or bracket belongs to the sentence before it.
    if first in _CLOSERS or first in ",;:.!?":
        return True
    # '"Where?" he asked.' spaCy sometimes splits before a lower-case continuation.
    if first.islower():
        return True
    last_word = left.split()[-1] if left.split() else ""
    if _ABBREV.search(last_word):
        return True
    # An open parenthesis that the left piece never closed: the sentence continues inside it.
    if left.count("(") > left.count(")"):
        return True
    # Dangling opening quote at the end of the left piece.
    if left.endswith(("\u201c", "\u2018")):
        return True
    return False


def sentence_spans(text: str, unit: Unit, doc) -> list[tuple[int, int]]:
    """Character spans ``[start, end)`` in ``text`` of the sentences of one parsed unit."""
    raw = []
    for sent in doc.sents:
        s = unit.start + sent.start_char
        e = unit.start + sent.end_char
        # Trim whitespace so sentence text never starts or ends with a space.
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            raw.append((s, e))
    merged: list[tuple[int, int]] = []
    for span in raw:
        if merged and _should_merge(text, merged[-1], span):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return merged


def segment_units(article: Article, nlp=None, batch_size: int = 64) -> Iterator[tuple[Unit, object]]:
    """Parse each body unit with spaCy; yields ``(unit, doc)`` in text order."""
    nlp = nlp or load_nlp()
    units = body_units(article)
    texts = (article.text[u.start : u.end] for u in units)
    yield from zip(units, nlp.pipe(texts, batch_size=batch_size))


def build_sentences(article: Article, spans: list[tuple[int, int, int]]) -> list[Sentence]:
    """Sentence records from ``(start, end, paragraph)`` spans, with quotation state."""
    states = quote_states(article.text, spans)
    return [
        Sentence(
            article_id=article.id,
            index=i,
            start=s,
            end=e,
            text=article.text[s:e],
            paragraph=p,
            quote=q,
        )
        for i, ((s, e, p), q) in enumerate(zip(spans, states))
    ]


def segment_article(article: Article, nlp=None) -> list[Sentence]:
    """Split an article into sentences whose offsets address ``article.text`` exactly."""
    spans = [
        (s, e, unit.paragraph)
        for unit, doc in segment_units(article, nlp)
        for s, e in sentence_spans(article.text, unit, doc)
    ]
    return build_sentences(article, spans)


def segment_articles(articles: Iterable[Article], nlp=None) -> Iterator[tuple[Article, list[Sentence]]]:
    """Segment many articles, loading the pipeline once."""
    nlp = nlp or load_nlp()
    for art in articles:
        yield art, segment_article(art, nlp)
