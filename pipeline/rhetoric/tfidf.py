"""``tfidf_linear.v1``: word and character n-gram TF-IDF with one-vs-rest logistic regression."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..io import atomic_write
from .base import BaseClassifier, tune_thresholds
from .examples import Example
from .registry import register

WEIGHTS = "model.skops"
VOCABULARY = "vocabulary.json"

# Everything model.skops may contain beyond skops' default trusted types; loading refuses anything else.
TRUSTED_TYPES = [
    "builtins.slice",
    "collections.defaultdict",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.multiclass._ConstantPredictor",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelBinarizer",
]


def _length_bucket(n_words: int) -> int:
    return min(8, int(math.log2(n_words + 1)))


def _columns(examples: Sequence[Example]) -> np.ndarray:
    """Object array (n, 3): text, context, and tokens for span length and repetition."""
    rows = []
    for ex in examples:
        meta = [f"len{_length_bucket(len(ex.text.split()))}"]
        if ex.repeats is not None:
            meta.append(f"rep{min(ex.repeats, 4)}")
        if ex.context is None:
            meta.append("noctx")
        rows.append((ex.text, ex.context or "", " ".join(meta)))
    arr = np.empty((len(rows), 3), dtype=object)
    for i, r in enumerate(rows):
        arr[i] = r
    return arr


@register("tfidf_linear.v1")
class TfidfLinear(BaseClassifier):
    """TF-IDF features of the text (word and char n-grams) and its context, one-vs-rest logistic regression.

    Args:
        labels: Label names in order; ``None`` uses the 14 PTC techniques.
        word_ngrams: Word n-gram range of the text features.
        char_ngrams: Character n-gram range (within word boundaries) of the text features.
        min_df: Minimum document frequency of a feature.
        max_features: Cap on each vectoriser's vocabulary.
        context_weight: Weight of the context's word features relative to the text's.
        C: Inverse regularisation strength of each logistic regression.
        class_weight: ``"balanced"`` reweights each binary problem by label frequency.
        max_iter: Solver iterations.
        seed: Random seed of the solver.
    """

    def __init__(
        self,
        labels: tuple[str, ...] | None = None,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_features: int = 100_000,
        context_weight: float = 0.5,
        C: float = 4.0,
        class_weight: str | None = "balanced",
        max_iter: int = 2000,
        seed: int = 0,
    ):
        self.labels = labels
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_features = max_features
        self.context_weight = context_weight
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.seed = seed

    def _pipeline(self, has_context: bool = True):
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import Pipeline

        common = dict(min_df=self.min_df, max_features=self.max_features, sublinear_tf=True, lowercase=True)
        features = ColumnTransformer(
            [
                ("word", TfidfVectorizer(ngram_range=tuple(self.word_ngrams), **common), 0),
                ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngrams), **common), 0),
                # Sentence-mode data has no context: an empty column would have no vocabulary.
                ("context", TfidfVectorizer(ngram_range=(1, 1), **common) if has_context else "drop", 1),
                ("meta", TfidfVectorizer(token_pattern=r"\S+", use_idf=False, norm=None), 2),
            ],
            transformer_weights={"word": 1.0, "char": 1.0, "context": self.context_weight, "meta": 1.0},
        )
        clf = OneVsRestClassifier(
            LogisticRegression(
                C=self.C,
                class_weight=self.class_weight,
                max_iter=self.max_iter,
                solver="liblinear",
                random_state=self.seed,
            )
        )
        return Pipeline([("features", features), ("clf", clf)])

    def fit(self, examples: Sequence[Example], validation: Sequence[Example] | None = None) -> TfidfLinear:
        """Fit on ``examples``; tune one threshold per label on ``validation`` when given.

        Returns:
            self, fitted; any earlier fit is discarded.
        """
        import warnings

        self.labels_ = self._label_list()
        y = self._targets(examples)
        if len(examples) == 0:
            raise ModelError("no training examples")
        pipe = self._pipeline(has_context=any(ex.context for ex in examples))
        # Parameters of a pipeline that has just been created from settings cannot warn meaningfully
        # beyond "label not present", which tiny data sets trigger on purpose.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Label .* is present in all training examples")
            warnings.filterwarnings("ignore", message="Label not .* is present in all training examples")
            pipe.fit(_columns(examples), y.astype(int))
        for _, vec, _ in pipe.named_steps["features"].transformers_:
            # The n-grams cut by min_df/max_features are kept only for inspection and would be
            # most of the saved file (sklearn documents deleting them before saving).
            if hasattr(vec, "stop_words_"):
                vec.stop_words_ = None
        self.pipeline_ = pipe
        self.thresholds_ = np.full(len(self.labels_), 0.5)
        if validation:
            self.thresholds_ = tune_thresholds(self.predict_proba(validation), self._targets(validation))
        return self

    def predict_proba(self, examples: Sequence[Example]) -> np.ndarray:
        """Scores in [0, 1], shape (n, n_labels), one independent probability per label."""
        self._check_fitted()
        if len(examples) == 0:
            return np.zeros((0, len(self.labels_)))
        proba = self.pipeline_.predict_proba(_columns(examples))
        return np.asarray(proba, dtype=np.float64).reshape(len(examples), len(self.labels_))

    def _vectorizers(self) -> dict:
        return {
            name: vec
            for name, vec, _ in self.pipeline_.named_steps["features"].transformers_
            if hasattr(vec, "vocabulary_")
        }

    def _save_weights(self, path: Path) -> None:
        import json
        import zipfile

        import skops.io as sio

        # skops writes a dict entry by entry (~700 bytes each, slow to load), so the vocabularies
        # go to plain JSON as term lists in column order and model.skops holds everything else.
        vecs = self._vectorizers()
        saved = {name: vec.vocabulary_ for name, vec in vecs.items()}
        vocab = {name: sorted(v, key=v.__getitem__) for name, v in saved.items()}
        try:
            for vec in vecs.values():
                vec.vocabulary_ = {}
            data = sio.dumps(self.pipeline_, compression=zipfile.ZIP_DEFLATED)
        finally:
            for name, vec in vecs.items():
                vec.vocabulary_ = saved[name]
        with atomic_write(path / WEIGHTS, "wb") as f:
            f.write(data)
        with atomic_write(path / VOCABULARY) as f:
            json.dump(vocab, f, ensure_ascii=False)

    def _load_weights(self, path: Path) -> None:
        import json

        import skops.io as sio

        file = path / WEIGHTS
        for needed in (file, path / VOCABULARY):
            if not needed.exists():
                raise ModelError(f"{needed}: missing; the model folder is incomplete (retrain it)")
        data = file.read_bytes()
        untrusted = set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES)
        if untrusted:
            raise ModelError(f"{file}: contains types this version does not trust ({', '.join(sorted(untrusted))})")
        self.pipeline_ = sio.loads(data, trusted=TRUSTED_TYPES)
        vocab = json.loads((path / VOCABULARY).read_text(encoding="utf-8"))
        for name, vec in self._vectorizers().items():
            if name not in vocab:
                raise ModelError(f"{path / VOCABULARY}: no vocabulary for {name!r} (retrain the model)")
            vec.vocabulary_ = {term: i for i, term in enumerate(vocab[name])}
