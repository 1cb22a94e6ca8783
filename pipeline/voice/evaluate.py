"""Measuring attribution against PolNeAR and voices against the project's gold: pure functions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import CorpusError
from .attribute import ArticleAnalysis, analyse_article, decide_voices
from .features import article_examples, rule_attributed
from .polnear import PolnearDoc
from .registry import Registry, load_registry


def binary_metrics(y: Sequence[int], pred: Sequence[int]) -> dict[str, float]:
    """Accuracy, macro-F1 over both classes, F1 of the positive class and Matthews correlation."""
    from ..evaluate.metrics import binary_scores

    scores = binary_scores([bool(v) for v in y], [bool(v) for v in pred])
    return {
        "accuracy": scores["accuracy"],
        "macro_f1": scores["macro_f1"],
        "f1_attributed": scores["f1_positive"],
        "mcc": scores["mcc"],
        "n": scores["n"],
        "positive_rate": float(np.mean(y)) if len(y) else 0.0,
    }


def sentence_labels(doc: PolnearDoc, analysis: ArticleAnalysis) -> list[int]:
    """1 where a sentence overlaps a gold Content span, else 0."""
    content = doc.spans("content")
    return [int(any(a < s.end and b > s.start for a, b in content)) for s in analysis.sentences]


def candidate_labels(doc: PolnearDoc, analysis: ArticleAnalysis) -> list[list[int]]:
    """Per sentence, 1/0 for each speaker candidate: does it overlap a gold Source span?"""
    src = doc.spans("source")
    return [
        [int(any(a < c.speaker[1] and b > c.speaker[0] for a, b in src)) for c in info.candidates]
        for info in analysis.rules
    ]


def rule_speakers(analysis: ArticleAnalysis) -> list[tuple[int, int]]:
    """Speaker spans the rules found outside quotes (nested speakers are not PolNeAR sources)."""
    return [att.speaker for info in analysis.rules for att in info.attributions if att.speaker and not att.inside]


def model_speakers(analysis: ArticleAnalysis, model, threshold: float | None = None) -> list[tuple[int, int]]:
    """Speaker spans of the candidates the ranker keeps (``threshold`` default: the model's)."""
    t = model.speaker_threshold if threshold is None else threshold
    cands = [c for info in analysis.rules for c in info.candidates]
    if not cands:
        return []
    probs = model.speaker_proba([c.feats for c in cands])
    return [c.speaker for c, p in zip(cands, probs) if p >= t]


@dataclass
class CharCounts:
    """Character-level true positives, false positives and false negatives (spaces not counted)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, text: str, gold: Iterable[tuple[int, int]], pred: Iterable[tuple[int, int]]) -> None:
        """Count one article."""
        g = {i for a, b in gold for i in range(a, b) if not text[i].isspace()}
        p = {i for a, b in pred for i in range(a, b) if not text[i].isspace()}
        self.tp += len(g & p)
        self.fp += len(p - g)
        self.fn += len(g - p)

    def scores(self) -> dict[str, float]:
        """Precision, recall and F1."""
        prec = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        rec = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return {"precision": prec, "recall": rec, "f1": f1}


@dataclass
class PolnearEval:
    """Everything the PolNeAR benchmark reports."""

    rules: dict[str, float] = field(default_factory=dict)
    combined: dict[str, float] = field(default_factory=dict)
    speaker_rules: dict[str, float] = field(default_factory=dict)
    speaker_combined: dict[str, float] = field(default_factory=dict)
    sentences: int = 0
    parse_seconds: float = 0.0
    voice_seconds: float = 0.0


def evaluate_polnear(docs: Sequence[PolnearDoc], nlp, model=None, registry: Registry | None = None) -> PolnearEval:
    """Sentence "carries attributed content" and speaker-span scores on PolNeAR articles.

    Also times spaCy parsing alone against the voice stage (rules, resolution, model, voices) in
    the same run: each article is parsed once for the timing of the parser, then analysed.

    Args:
        docs: Gold articles (e.g. ``load_split(data_dir, "dev")``).
        nlp: The spaCy pipeline.
        model: A fitted attribution model, or None for rules alone.
        registry: Outlet and speaker registry (default: packaged).
    """
    registry = registry or load_registry()
    out = PolnearEval()
    y, rule_pred, comb_pred = [], [], []
    sp_rules, sp_comb = CharCounts(), CharCounts()
    for doc in docs:
        parse_s, voice_s, analysis, probs = timed_voice(doc.article, nlp, model, registry)
        out.parse_seconds += parse_s
        out.voice_seconds += voice_s
        gold = sentence_labels(doc, analysis)
        y += gold
        rule_pred += [int(v) for v in rule_attributed(analysis)]
        text = doc.article.text
        sp_rules.add(text, doc.spans("source"), rule_speakers(analysis))
        if model is not None:
            comb_pred += [int(p >= model.threshold) for p in probs]
            sp_comb.add(text, doc.spans("source"), model_speakers(analysis, model))
    out.sentences = len(y)
    out.rules = binary_metrics(y, rule_pred)
    out.speaker_rules = sp_rules.scores()
    if model is not None:
        out.combined = binary_metrics(y, comb_pred)
        out.speaker_combined = sp_comb.scores()
    return out


def timed_voice(article, nlp, model=None, registry: Registry | None = None):
    """Analyse one article, timing spaCy parsing and the voice stage separately (one parse).

    Returns:
        ``(parse_seconds, voice_seconds, analysis, attributed_probabilities or None)``.
    """
    registry = registry or load_registry()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    analysis = analyse_article(article, nlp, registry, timings)
    probs = None
    if model is not None and analysis.sentences:
        probs = [float(p) for p in model.predict_proba(article_examples(analysis))[:, 1]]
    decide_voices(analysis, registry, probs)
    total = time.perf_counter() - t0
    parse = timings.get("parse", 0.0)
    return parse, max(total - parse, 0.0), analysis, probs


def read_gold_voices(path: str | Path) -> list[dict]:
    """Records of a gold annotation file (``corpus/annotations/*.gold.jsonl``).

    Raises:
        CorpusError: when a line is not JSON or lacks ``start``/``end``/``voice``.
    """
    path = Path(path)
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise CorpusError(f"{path}:{n}: not valid JSON ({e.msg})") from None
        if not all(k in row for k in ("start", "end", "voice")):
            raise CorpusError(f"{path}:{n}: needs 'start', 'end' and 'voice'")
        rows.append(row)
    return rows


def voice_accuracy(gold: Sequence[dict], sentences, results) -> dict:
    """Share of gold sentences whose predicted voice matches, aligned by character offsets.

    Returns:
        ``{"accuracy", "n", "matched", "errors": [(index, gold, predicted, text), ...]}``.
    """
    by_span = {(s.start, s.end): (s, r) for s, r in zip(sentences, results)}
    errors, correct, n = [], 0, 0
    for row in gold:
        hit = by_span.get((row["start"], row["end"]))
        if hit is None:
            errors.append((None, row["voice"], None, f"no predicted sentence at {row['start']}-{row['end']}"))
            n += 1
            continue
        sent, res = hit
        n += 1
        if res.voice == row["voice"]:
            correct += 1
        else:
            errors.append((sent.index, row["voice"], res.voice, sent.text[:80]))
    return {"accuracy": correct / n if n else 0.0, "n": n, "matched": correct, "errors": errors}
