"""The classifier protocol shared by every technique model, and a base class that implements its common parts."""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from .. import __version__
from ..errors import ModelError
from ..io import atomic_write
from ..labels import read_label_file, technique_labels
from .examples import Example
from .registry import FORMAT_VERSION, LABELS, META, read_meta


@runtime_checkable
class TechniqueClassifier(Protocol):
    """What every technique model offers; examples are :class:`~pipeline.rhetoric.examples.Example`."""

    registry_name: ClassVar[str]

    def fit(self, examples: Sequence[Example], validation: Sequence[Example] | None = None): ...

    def predict_proba(self, examples: Sequence[Example]) -> np.ndarray: ...

    def predict(self, examples: Sequence[Example], threshold: float | None = None) -> list[tuple[str, ...]]: ...

    def save(self, path: str | Path) -> None: ...

    @classmethod
    def load(cls, path: str | Path): ...


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model's behaviour depends on."""
    from ..provenance import library_versions as versions

    return versions(("numpy", "scikit-learn", "skops", "torch", "transformers", "tokenizers", "safetensors"))


def tune_thresholds(
    proba: np.ndarray, y: np.ndarray, grid: Sequence[float] = tuple(np.round(np.arange(0.05, 0.96, 0.05), 2))
) -> np.ndarray:
    """Per-label decision threshold that maximises that label's F1 on held-out data.

    Args:
        proba: Scores, shape (n, n_labels).
        y: Gold indicator matrix, shape (n, n_labels).
        grid: Candidate thresholds; ties go to the threshold nearest 0.5.

    Returns:
        Thresholds, shape (n_labels,); 0.5 for a label without positives.
    """
    out = np.full(proba.shape[1], 0.5)
    order = sorted(grid, key=lambda t: abs(t - 0.5))
    for j in range(proba.shape[1]):
        pos = y[:, j].astype(bool)
        if not pos.any():
            continue
        best, best_f = 0.5, -1.0
        for t in order:
            pred = proba[:, j] >= t
            tp = np.sum(pred & pos)
            f = 2 * tp / (pred.sum() + pos.sum()) if (pred.sum() + pos.sum()) else 0.0
            if f > best_f + 1e-12:
                best, best_f = float(t), f
        out[j] = best
    return out


class BaseClassifier:
    """Common parts: settings, label handling, thresholds, ``predict`` and the folder's meta files.

    Subclasses implement ``fit``, ``predict_proba``, ``_save_weights`` and ``_load_weights``.
    The constructor stores settings only; ``labels_`` and ``thresholds_`` are learned in ``fit``.
    """

    registry_name: ClassVar[str] = ""

    def get_params(self) -> dict[str, Any]:
        """The constructor settings, as given."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _label_list(self) -> tuple[str, ...]:
        return tuple(self.labels) if self.labels else technique_labels()

    def _targets(self, examples: Sequence[Example]) -> np.ndarray:
        """Indicator matrix (n, n_labels) of gold labels; unknown labels are an error."""
        index = {lab: i for i, lab in enumerate(self.labels_)}
        y = np.zeros((len(examples), len(index)), dtype=np.float32)
        for i, ex in enumerate(examples):
            if ex.labels is None:
                raise ModelError(f"example {i} ({ex.article_id}) has no gold labels; cannot train on it")
            for lab in ex.labels:
                if lab not in index:
                    raise ModelError(f"example {i} ({ex.article_id}): label {lab!r} is not one of {self.labels_}")
                y[i, index[lab]] = 1.0
        return y

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise ModelError(f"{type(self).__name__} is not fitted; call fit() or load a model folder")

    def predict(self, examples: Sequence[Example], threshold: float | None = None) -> list[tuple[str, ...]]:
        """Labels whose score reaches the threshold, per example.

        Args:
            examples: What to classify.
            threshold: One threshold for every label; ``None`` uses the per-label thresholds
                tuned on validation data (0.5 where none were tuned).

        Returns:
            One tuple of label names per example, in label-file order.
        """
        self._check_fitted()
        return self.decide(self.predict_proba(examples), threshold)

    def decide(self, proba: np.ndarray, threshold: float | None = None) -> list[tuple[str, ...]]:
        """Labels from scores of shape (n, n_labels), as :meth:`predict` does."""
        t = self.thresholds_ if threshold is None else np.full(len(self.labels_), float(threshold))
        hits = proba >= t[None, :]
        return [tuple(lab for lab, h in zip(self.labels_, row) if h) for row in hits]

    # -- folder I/O -------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write weights, ``labels.txt`` and ``meta.json`` into the folder ``path``."""
        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self._save_weights(path)
        with atomic_write(path / LABELS) as f:
            f.write("".join(lab + "\n" for lab in self.labels_))
        meta = {}
        if (path / META).exists():
            # train() adds metrics and data checksums; keep them when only the weights are re-saved.
            try:
                meta = json.loads((path / META).read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                meta = {}
        meta.update(
            {
                "format_version": FORMAT_VERSION,
                "registry_name": self.registry_name,
                "propwatch_version": __version__,
                "libraries": library_versions(),
                "settings": _jsonable(self.get_params()),
                "thresholds": [float(t) for t in self.thresholds_],
                "inputs": getattr(self, "inputs_", {}),
            }
        )
        with atomic_write(path / META) as f:
            json.dump(meta, f, indent=2, ensure_ascii=False)
            f.write("\n")

    @classmethod
    def load(cls, path: str | Path):
        """Rebuild the classifier from its folder.

        Raises:
            ModelError: naming the folder when it is missing, incomplete or of another model type.
        """
        path = Path(path)
        meta = read_meta(path)
        if meta["registry_name"] != cls.registry_name:
            raise ModelError(
                f"{path}: holds a {meta['registry_name']} model, not {cls.registry_name}; use load_model()"
            )
        settings = meta.get("settings", {})
        names = set(inspect.signature(cls.__init__).parameters) - {"self"}
        model = cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in settings.items() if k in names})
        try:
            model.labels_ = read_label_file(path / LABELS)
        except FileNotFoundError:
            raise ModelError(f"{path / LABELS}: missing; the model folder is incomplete (retrain it)") from None
        model.thresholds_ = np.asarray(meta.get("thresholds", [0.5] * len(model.labels_)), dtype=np.float64)
        if len(model.thresholds_) != len(model.labels_):
            raise ModelError(f"{path / META}: {len(model.thresholds_)} thresholds for {len(model.labels_)} labels")
        model.inputs_ = meta.get("inputs", {})
        model._load_weights(path)
        return model

    def _save_weights(self, path: Path) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _load_weights(self, path: Path) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v
