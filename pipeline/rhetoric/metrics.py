"""Decoding technique scores into SemEval TC predictions; the scorers live in :mod:`pipeline.evaluate.metrics`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from ..evaluate.metrics import Key, multilabel_scores, prf, tc_scores

__all__ = ["Key", "decode_tc", "multilabel_scores", "prf", "tc_scores"]


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
