"""Scorers as pure functions, implemented from the task definitions and tested on hand-computed cases.

- Classification (voice): accuracy, macro-F1, per-class precision/recall/F1, confusion matrix.
- Multi-label technique scores and SemEval-2020 TC micro-F1 (gold and predicted span instances
  matched per (article, start, end) as multisets).
- SemEval-2020 Task 11 span identification (SI) with partial-overlap credit.
- Character-level span F1 (speaker spans), binary F1 and Matthews correlation.
- Bootstrap confidence intervals over articles, and calibration (reliability bins, ECE).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

Key = tuple[str, int, int]


def prf(tp: float, n_pred: float, n_gold: float) -> dict[str, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": n_gold}


def _by_key(items: Iterable[tuple[str, str, int, int]]) -> dict[Key, Counter]:
    out: dict[Key, Counter] = defaultdict(Counter)
    for aid, label, start, end in items:
        out[(str(aid), int(start), int(end))][label] += 1
    return out


def tc_scores(
    gold: Iterable[tuple[str, str, int, int]], pred: Iterable[tuple[str, str, int, int]]
) -> dict[str, object]:
    """SemEval-2020 TC micro scores and per-technique scores.

    In SemEval-2020 Task 11 technique classification every gold span instance carries exactly one
    technique, and PTC holds identical spans (same article, start, end) with different
    techniques. Predictions are therefore matched to gold per key ``(article_id, start, end)`` as
    multisets: for each key, the number of correct predictions is the size of the multiset
    intersection of gold and predicted labels. Micro precision = correct / predictions, micro recall =
    correct / gold instances, micro-F1 their harmonic mean. With one prediction per gold line (the
    TC setting) precision = recall = F1 = accuracy. Per-technique F1 uses the same matching
    restricted to one label.

    Args:
        gold: ``(article_id, technique, start, end)`` per gold span instance.
        pred: Same shape, per predicted instance.

    Returns:
        ``{"micro": {precision, recall, f1, support}, "per_label": {label: {...}}, "n_gold", "n_pred"}``.
    """
    g, p = _by_key(gold), _by_key(pred)
    tp = 0
    per_tp: Counter = Counter()
    per_gold: Counter = Counter()
    per_pred: Counter = Counter()
    for key in set(g) | set(p):
        gc, pc = g.get(key, Counter()), p.get(key, Counter())
        inter = gc & pc
        tp += sum(inter.values())
        per_tp.update(inter)
        per_gold.update(gc)
        per_pred.update(pc)
    n_gold, n_pred = sum(per_gold.values()), sum(per_pred.values())
    labels = sorted(set(per_gold) | set(per_pred))
    return {
        "micro": prf(tp, n_pred, n_gold),
        "per_label": {lab: prf(per_tp[lab], per_pred[lab], per_gold[lab]) for lab in labels},
        "n_gold": n_gold,
        "n_pred": n_pred,
    }


def multilabel_scores(gold: np.ndarray, pred: np.ndarray, labels: Sequence[str]) -> dict[str, object]:
    """Sentence-level multi-label scores.

    Args:
        gold: Indicator matrix, shape (n, n_labels).
        pred: Indicator matrix, shape (n, n_labels).
        labels: Column names.

    Returns:
        ``micro`` and ``macro`` F1 (macro over labels with gold support), ``any_technique`` (binary
        F1 of "the sentence has at least one technique"), and ``per_label`` scores.
    """
    gold = gold.astype(bool)
    pred = pred.astype(bool)
    per = {
        lab: prf(float((gold[:, j] & pred[:, j]).sum()), float(pred[:, j].sum()), float(gold[:, j].sum()))
        for j, lab in enumerate(labels)
    }
    micro = prf(float((gold & pred).sum()), float(pred.sum()), float(gold.sum()))
    supported = [v["f1"] for v in per.values() if v["support"] > 0]
    g_any, p_any = gold.any(axis=1), pred.any(axis=1)
    return {
        "micro": micro,
        "macro_f1": float(np.mean(supported)) if supported else 0.0,
        "any_technique": prf(float((g_any & p_any).sum()), float(p_any.sum()), float(g_any.sum())),
        "per_label": per,
        "n": int(len(gold)),
    }


__all__ = [
    "binary_scores",
    "bootstrap_ci",
    "char_span_f1",
    "classification_scores",
    "merge_spans",
    "multilabel_scores",
    "prf",
    "reliability",
    "si_scores",
    "tc_scores",
]


def classification_scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Single-label scores.

    Args:
        gold: Gold label per item.
        pred: Predicted label per item (same length).
        labels: Label order for the confusion matrix and per-class scores.

    Returns:
        ``accuracy``, ``macro_f1`` (mean F1 over labels present in gold or predictions),
        ``per_label`` {label: precision, recall, f1, support}, ``confusion`` (rows gold,
        columns predicted, in ``labels`` order), ``n``.
    """
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} items, predictions {len(pred)}")
    index = {lab: i for i, lab in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, pred):
        cm[index[g], index[p]] += 1
    per = {}
    for i, lab in enumerate(labels):
        per[lab] = prf(float(cm[i, i]), float(cm[:, i].sum()), float(cm[i, :].sum()))
    present = [lab for i, lab in enumerate(labels) if cm[i, :].sum() or cm[:, i].sum()]
    n = int(cm.sum())
    return {
        "accuracy": float(np.trace(cm) / n) if n else 0.0,
        "macro_f1": float(np.mean([per[lab]["f1"] for lab in present])) if present else 0.0,
        "per_label": per,
        "confusion": cm.tolist(),
        "labels": list(labels),
        "n": n,
    }


def binary_scores(gold: Sequence[bool], pred: Sequence[bool]) -> dict[str, float]:
    """Accuracy, F1 of each class, macro-F1 over both classes, and Matthews correlation."""
    g = np.asarray(gold, dtype=bool)
    p = np.asarray(pred, dtype=bool)
    tp = float((g & p).sum())
    tn = float((~g & ~p).sum())
    fp = float((~g & p).sum())
    fn = float((g & ~p).sum())
    pos = prf(tp, tp + fp, tp + fn)
    neg = prf(tn, tn + fn, tn + fp)
    denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return {
        "accuracy": (tp + tn) / len(g) if len(g) else 0.0,
        "f1_positive": pos["f1"],
        "f1_negative": neg["f1"],
        "macro_f1": (pos["f1"] + neg["f1"]) / 2,
        "mcc": float((tp * tn - fp * fn) / denom) if denom else 0.0,
        "n": int(len(g)),
    }


Span = tuple[int, int]


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Union of overlapping or touching ``[start, end)`` spans, sorted."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def si_scores(gold: dict[str, Iterable[Span]], pred: dict[str, Iterable[Span]]) -> dict[str, float]:
    """SemEval-2020 Task 11 span identification: precision, recall, F1 with partial overlap.

    Following the task definition, with ``C(s, t, h) = |s ∩ t| / h`` (characters):
    ``P = (1/|S|) Σ_{s∈S} Σ_{t∈T} C(s, t, |s|)`` and ``R = (1/|T|) Σ_{s∈S} Σ_{t∈T} C(s, t, |t|)``,
    summed over all articles. As in the official scorer, the spans of each article are first merged
    (SI spans carry no technique, so overlaps would count twice). With no predicted spans P is 0,
    with no gold spans R is 0.

    Args:
        gold: article id -> gold ``(start, end)`` spans.
        pred: article id -> predicted spans.
    """
    p_sum = r_sum = 0.0
    n_pred = n_gold = 0
    for aid in set(gold) | set(pred):
        g = merge_spans(gold.get(aid, ()))
        p = merge_spans(pred.get(aid, ()))
        n_gold += len(g)
        n_pred += len(p)
        for s in p:
            p_sum += sum(_overlap(s, t) for t in g) / (s[1] - s[0])
        for t in g:
            r_sum += sum(_overlap(s, t) for s in p) / (t[1] - t[0])
    precision = p_sum / n_pred if n_pred else 0.0
    recall = r_sum / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "n_gold": n_gold, "n_pred": n_pred}


def char_span_f1(gold: dict[str, Iterable[Span]], pred: dict[str, Iterable[Span]]) -> dict[str, float]:
    """Character-level precision/recall/F1: characters inside predicted spans vs inside gold spans."""
    tp = n_pred = n_gold = 0
    for aid in set(gold) | set(pred):
        g = merge_spans(gold.get(aid, ()))
        p = merge_spans(pred.get(aid, ()))
        n_gold += sum(e - s for s, e in g)
        n_pred += sum(e - s for s, e in p)
        tp += sum(_overlap(a, b) for a in p for b in g)
    return prf(float(tp), float(n_pred), float(n_gold))


def span_match_scores(items: Iterable[tuple[Sequence[Span], Span | None]]) -> dict[str, float]:
    """How often a sentence's predicted span (speaker or cue) hits one of its gold spans.

    ``items`` holds one ``(gold spans, predicted span or None)`` per sentence that has gold spans.
    ``exact`` counts identical offsets, ``overlap`` any shared character: a speaker written as
    "the respected Comrade Kim Jong Un" and found as "Kim Jong Un" overlaps but is not exact.
    """
    n = exact = overlap = predicted = 0
    for gold, pred in items:
        n += 1
        if pred is None:
            continue
        predicted += 1
        exact += any(tuple(pred) == tuple(g) for g in gold)
        overlap += any(_overlap(pred, g) > 0 for g in gold)
    return {
        "n": n,
        "predicted": predicted,
        "exact": exact / n if n else 0.0,
        "overlap": overlap / n if n else 0.0,
    }


def bootstrap_ci(
    groups: Sequence[Any],
    metric: Callable[[Sequence[Any]], float],
    n_resamples: int = 1000,
    alpha: float = 0.05,
    seed: int = 0,
) -> dict[str, float]:
    """Percentile bootstrap confidence interval of ``metric`` resampling whole groups (articles).

    Args:
        groups: One item per article (whatever ``metric`` consumes, e.g. that article's gold and
            predictions); articles, not sentences, are the unit of resampling because sentences of
            one article are not independent.
        metric: Maps a list of groups to a number.
        n_resamples: Bootstrap replicates.
        alpha: 0.05 gives a 95% interval.
        seed: Seed of the resampling.

    Returns:
        ``{"value", "low", "high", "n_groups"}``; low = high = value with fewer than two groups.
    """
    value = float(metric(list(groups)))
    if len(groups) < 2:
        return {"value": value, "low": value, "high": value, "n_groups": len(groups)}
    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(n_resamples):
        idx = rng.integers(0, len(groups), len(groups))
        stats.append(float(metric([groups[i] for i in idx])))
    low, high = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
    return {"value": value, "low": float(low), "high": float(high), "n_groups": len(groups)}


def reliability(scores: np.ndarray, outcomes: np.ndarray, n_bins: int = 10) -> dict[str, Any]:
    """Reliability bins and expected calibration error of probability scores.

    Args:
        scores: Predicted probabilities, any shape (flattened).
        outcomes: 0/1 outcomes of the same shape.
        n_bins: Equal-width bins over [0, 1].

    Returns:
        ``bins``: list of {low, high, count, mean_score, frequency}; ``ece``: the count-weighted mean
        of |frequency - mean_score|.
    """
    s = np.asarray(scores, dtype=float).ravel()
    y = np.asarray(outcomes, dtype=float).ravel()
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(s, edges[1:-1], right=False), 0, n_bins - 1)
    bins = []
    ece = 0.0
    for b in range(n_bins):
        m = which == b
        count = int(m.sum())
        mean_score = float(s[m].mean()) if count else None
        freq = float(y[m].mean()) if count else None
        if count:
            ece += count / len(s) * abs(freq - mean_score)
        bins.append(
            {
                "low": float(edges[b]),
                "high": float(edges[b + 1]),
                "count": count,
                "mean_score": mean_score,
                "frequency": freq,
            }
        )
    return {"bins": bins, "ece": float(ece) if len(s) else 0.0, "n": int(len(s))}


def group_by_article(rows: Iterable[dict], key: str = "article_id") -> list[list[dict]]:
    """Rows grouped by article, in first-seen order (the unit for :func:`bootstrap_ci`)."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r[key]].append(r)
    return list(groups.values())
