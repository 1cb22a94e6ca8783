"""Plain, frozen records passed between stages: articles, sentences, spans and predictions."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


def _from_dict(cls, data: dict[str, Any]):
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Article:
    """One input document.

    ``text`` is the original text exactly as read; every offset elsewhere addresses it.
    ``body`` lists the ``(start, end)`` regions that cleaning kept (end exclusive);
    ``None`` means the whole text is body.
    """

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    source_path: str | None = None
    dataset: str | None = None
    body: tuple[tuple[int, int], ...] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["body"] = [list(r) for r in self.body] if self.body is not None else None
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        data = dict(data)
        if data.get("body") is not None:
            data["body"] = tuple(tuple(r) for r in data["body"])
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Span:
    """A labelled character span ``[start, end)`` of an article's text."""

    start: int
    end: int
    text: str
    label: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return _from_dict(cls, data)


# Quotation state of a sentence, so that a quote running over several sentences is one unit.
QUOTE_STATES = ("none", "whole", "opens", "continues", "closes", "contains")


@dataclass(frozen=True)
class Sentence:
    """One sentence; invariant: ``article.text[start:end] == text``.

    ``voice``/``techniques`` hold gold labels: ``None`` means not annotated,
    ``()`` means annotated and nothing present. Predictions live in :class:`Prediction`.
    """

    article_id: str
    index: int
    start: int
    end: int
    text: str
    paragraph: int = 0
    quote: str = "none"
    voice: str | None = None
    techniques: tuple[str, ...] | None = None
    speaker: Span | None = None
    cue: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["techniques"] = list(self.techniques) if self.techniques is not None else None
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sentence:
        data = dict(data)
        if data.get("techniques") is not None:
            data["techniques"] = tuple(data["techniques"])
        for key in ("speaker", "cue"):
            if isinstance(data.get(key), dict):
                data[key] = Span.from_dict(data[key])
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Prediction:
    """A model's output for one sentence (or span): labels above threshold and all scores."""

    article_id: str
    index: int
    labels: tuple[str, ...]
    scores: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["labels"] = list(self.labels)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prediction:
        data = dict(data)
        data["labels"] = tuple(data.get("labels", ()))
        return _from_dict(cls, data)
