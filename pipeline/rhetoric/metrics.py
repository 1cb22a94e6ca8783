"""Technique metrics as pure functions: the SemEval TC micro-F1 and sentence-level multi-label F1.

TC scoring (SemEval-2020 Task 11, technique classification): every gold span instance carries
exactly one technique, and PTC holds identical spans (same article, start, end) with different
techniques. Predictions are therefore matched to gold per key ``(article_id, start, end)`` as
multisets: for each key, the number of correct predictions is the size of the multiset
intersection of gold and predicted labels. Micro precision = correct / predictions, micro recall =
correct / gold instances, micro-F1 their harmonic mean. With one prediction per gold line (the
TC setting) precision = recall = F1 = accuracy. Per-technique F1 uses the same matching
restricted to one label.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

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
    """TC micro scores and per-technique scores.

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


def decode_tc(keys: Sequence[Key], proba: np.ndarray, labels: Sequence[str]) -> list[str]:
    """One technique per span instance: the argmax, or for a span listed k times the top-k distinct labels.

    Args:
        keys: ``(article_id, start, end)`` of each instance, in template order; duplicates allowed.
        proba: Scores, shape (len(keys), n_labels); rows of identical keys are identical inputs.
        labels: Label names of the columns.

    Returns:
        A label per instance, in the order of ``keys``.
    """
    positions: dict[Key, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        positions[k].append(i)
    out = [""] * len(keys)
    for idx in positions.values():
        ranked = np.argsort(-proba[idx[0]], kind="stable")
        for rank, i in enumerate(idx):
            out[i] = labels[int(ranked[rank % len(labels)])]
    return out


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
