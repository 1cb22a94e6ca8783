"""PNG plots of an evaluation: confusion matrices, per-technique F1 bars, reliability diagrams."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_png(scores: dict[str, Any], path: str | Path, title: str) -> Path:
    """Confusion matrix (rows gold, columns predicted) with counts in the cells."""
    plt = _plt()
    cm = np.asarray(scores["confusion"])
    labels = scores["labels"]
    fig, ax = plt.subplots(figsize=(5.5, 4.8))
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            colour = "black" if cm[i, j] < cm.max() / 2 else "white"
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color=colour)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def technique_f1_png(per_system: dict[str, dict[str, Any]], path: str | Path, title: str) -> Path:
    """Horizontal bars: F1 per technique, one bar per system."""
    plt = _plt()
    labels = sorted({lab for s in per_system.values() for lab in s})
    n = len(per_system)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) * max(1, n / 1.5) + 1.2))
    height = 0.8 / max(1, n)
    for k, (name, per) in enumerate(per_system.items()):
        ys = np.arange(len(labels)) + k * height
        ax.barh(ys, [per.get(lab, {}).get("f1", 0.0) for lab in labels], height=height, label=name)
    ax.set_yticks(np.arange(len(labels)) + height * (n - 1) / 2, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1")
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def reliability_png(per_system: dict[str, dict[str, Any]], path: str | Path, title: str) -> Path:
    """Reliability diagram: observed frequency against mean score per bin, one line per system."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    for name, rel in per_system.items():
        pts = [(b["mean_score"], b["frequency"]) for b in rel["bins"] if b["count"]]
        if pts:
            xs, ys = zip(*pts)
            ax.plot(xs, ys, marker="o", label=f"{name} (ECE {rel['ece']:.3f})")
    ax.set_xlabel("mean predicted score")
    ax.set_ylabel("observed frequency")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
