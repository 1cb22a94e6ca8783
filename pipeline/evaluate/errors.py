"""Error analysis: the technique model's most confident mistakes on annotated sentences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels import technique_labels


def worst_errors(model, rows: list[dict], k: int = 10) -> pd.DataFrame:
    """The ``k`` most confident false positives and the ``k`` most confidently missed techniques.

    Args:
        model: A fitted sentence-mode technique classifier.
        rows: Corpus rows (``text``, ``techniques`` as label ids, ``techniques_annotated``).
        k: How many of each kind.

    Returns:
        Columns ``kind`` (false positive / missed), ``technique``, ``score``, ``threshold``, ``text``.
    """
    from ..rhetoric.examples import Example

    rows = [r for r in rows if r.get("techniques_annotated", True)]
    if not rows:
        return pd.DataFrame(columns=["kind", "technique", "score", "threshold", "text"])
    labels = list(model.labels_)
    names = technique_labels()
    proba = np.asarray(model.predict_proba([Example(text=r["text"]) for r in rows]))
    thresholds = np.asarray(getattr(model, "thresholds_", np.full(len(labels), 0.5)))
    items = []
    for i, r in enumerate(rows):
        gold = {names[t] for t in r["techniques"]}
        for j, lab in enumerate(labels):
            p, t = float(proba[i, j]), float(thresholds[j])
            if p >= t and lab not in gold:
                items.append(("false positive", lab, p, t, r["text"], p - t))
            elif p < t and lab in gold:
                items.append(("missed", lab, p, t, r["text"], t - p))
    df = pd.DataFrame(items, columns=["kind", "technique", "score", "threshold", "text", "margin"])
    top = df.sort_values("margin", ascending=False).groupby("kind", group_keys=False).head(k)
    return top.drop(columns="margin").reset_index(drop=True)
