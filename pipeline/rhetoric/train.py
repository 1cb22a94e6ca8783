"""Training a technique model from a config: data, split by article, fit, evaluate, self-describing folder."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..config import load_config, to_toml
from ..errors import ConfigError
from ..io import atomic_write
from ..provenance import git_commit
from .base import library_versions
from .examples import MODES, SPAN, Example, line_sentences, read_examples_jsonl, sentence_examples
from .examples import span_examples as _span_examples
from .metrics import decode_tc, multilabel_scores, tc_scores
from .ptc import PtcData, load_ptc, split_ids
from .registry import META, create_model, get_model_class


@dataclass
class DataConfig:
    """Where the training data comes from and how it is cut.

    Attributes:
        data_dir: The shared data folder (holding ``ptc/``).
        mode: ``"span"`` (SemEval TC: span + context -> technique) or ``"sentence"`` (sentence ->
            techniques of the gold spans overlapping it).
        split: Name of the article-level split function (see ``pipeline.rhetoric.ptc.SPLIT_FUNCTIONS``):
            ``corpus.v1`` is the corpus builder's split (the default, shared with evaluation),
            ``seeded.v1`` a seeded shuffle of the article ids.
        split_seed: Seed of the split.
        test_fraction: Share of PTC articles held out for testing.
        validation_fraction: Share held out for early stopping and thresholds.
        context_chars: Span mode: at most this many characters of the span's lines as context.
        extra_train: JSONL files of extra training examples (Example or Sentence dicts with
            labels/techniques), e.g. the North Korean annotations; added to the training split only.
        nk: Add the North Korean annotated articles of the corpus (``corpus/annotations`` joined
            with ``data_dir``): their train split to training, their validation split to the
            validation data that early stopping and thresholds use. Test articles stay out.
        annotations_dir: Where the NK annotations are (with ``nk``).
    """

    data_dir: str = "../shared/data"
    mode: str = SPAN
    split: str = "corpus.v1"
    split_seed: int = 13
    test_fraction: float = 0.15
    validation_fraction: float = 0.15
    context_chars: int = 600
    extra_train: list[str] = field(default_factory=list)
    nk: bool = False
    annotations_dir: str = "corpus/annotations"


@dataclass
class TrainConfig:
    """One training run: the registered model, its settings, the seed and the data."""

    model: str = "tfidf_linear.v1"
    seed: int = 0
    description: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Splits:
    """Examples of each split, the article ids behind them, and the data checksums."""

    train: list[Example]
    validation: list[Example]
    test: list[Example]
    ids: dict[str, list[str]]
    checksums: dict[str, str]
    ptc: PtcData


def load_train_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> TrainConfig:
    """Defaults < TOML ``path`` < ``overrides`` (``key=value``), checked.

    Raises:
        ConfigError: unknown keys, wrong types, an unknown mode or model.
    """
    config = load_config(TrainConfig, path, overrides)
    if config.data.mode not in MODES:
        raise ConfigError(f"{path or 'config'}: data.mode must be one of {MODES}, got {config.data.mode!r}")
    if "seed" in config.params:
        raise ConfigError(f"{path or 'config'}: set the seed with the top-level `seed`, not params.seed")
    get_model_class(config.model)
    return config


def examples_for(ptc: PtcData, ids: list[str], mode: str, context_chars: int = 600) -> list[Example]:
    """Examples of the articles ``ids`` in ``mode`` (gold labels attached)."""
    out: list[Example] = []
    for aid in ids:
        art, spans = ptc.articles[aid], ptc.spans[aid]
        if mode == SPAN:
            out.extend(_span_examples(art, spans, context_chars=context_chars))
        else:
            out.extend(sentence_examples(line_sentences(art, spans)))
    return out


def load_splits(data: DataConfig) -> Splits:
    """PTC examples split by article, plus any extra training files."""
    ptc = load_ptc(data.data_dir)
    ids = split_ids(data.split, ptc.articles, data.split_seed, data.test_fraction, data.validation_fraction)
    parts = {k: examples_for(ptc, v, data.mode, data.context_chars) for k, v in ids.items()}
    checksums = {"ptc": ptc.checksum}
    for path in data.extra_train:
        checksums[str(path)] = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        parts["train"].extend(read_examples_jsonl(path))
    if data.nk:
        from ..corpus.builder import nk_annotation_file
        from .nk import load_nk

        nk = load_nk(
            data.data_dir,
            data.annotations_dir,
            seed=data.split_seed,
            test_fraction=data.test_fraction,
            validation_fraction=data.validation_fraction,
            context_chars=data.context_chars,
        )
        parts["train"].extend(nk["train"][data.mode])
        parts["validation"].extend(nk["validation"][data.mode])
        nk_file = nk_annotation_file(data.annotations_dir)
        checksums["nk"] = hashlib.sha256(nk_file.read_bytes()).hexdigest()
    return Splits(parts["train"], parts["validation"], parts["test"], ids, checksums, ptc)


def evaluate(model, examples: list[Example], mode: str) -> dict[str, Any]:
    """Scores of ``model`` on ``examples``: TC scores in span mode, multi-label scores in sentence mode."""
    if not examples:
        return {}
    proba = model.predict_proba(examples)
    if mode == SPAN:
        keys = [(ex.article_id, ex.start, ex.end) for ex in examples]
        pred = decode_tc(keys, proba, model.labels_)
        gold = [(ex.article_id, ex.labels[0], ex.start, ex.end) for ex in examples]
        predicted = [(k[0], lab, k[1], k[2]) for k, lab in zip(keys, pred)]
        return {"tc": tc_scores(gold, predicted)}
    index = {lab: j for j, lab in enumerate(model.labels_)}
    gold = np.zeros_like(proba, dtype=bool)
    for i, ex in enumerate(examples):
        for lab in ex.labels or ():
            gold[i, index[lab]] = True
    hits = model.decide(proba)
    pred = np.zeros_like(gold)
    for i, labs in enumerate(hits):
        for lab in labs:
            pred[i, index[lab]] = True
    return {"sentence": multilabel_scores(gold, pred, model.labels_)}


@dataclass
class TrainResult:
    """What :func:`train` produced."""

    model: Any
    metrics: dict[str, Any]
    output: Path
    seconds: float


def train(config: TrainConfig, output: str | Path, *, progress: bool = True) -> TrainResult:
    """Train the configured model, evaluate it on the held-out articles and write its folder.

    The folder gets ``meta.json`` (registry name, versions, git commit, data checksums, metrics),
    ``config.toml`` (the resolved config), ``labels.txt``, the weights, ``metrics/`` and
    ``MODEL_CARD.md``.

    Args:
        config: The resolved training config.
        output: The model folder to write (created; known files replaced).
        progress: Show progress bars (models that have a ``progress`` setting).
    """
    output = Path(output)
    started = time.time()
    splits = load_splits(config.data)
    params = dict(config.params)
    cls = get_model_class(config.model)
    if "progress" in cls.__init__.__code__.co_varnames:
        params.setdefault("progress", progress)
    model = create_model(config.model, seed=config.seed, **params)
    model.fit(splits.train, validation=splits.validation or None)
    model.inputs_ = {"mode": config.data.mode, "context_chars": config.data.context_chars}
    seconds = time.time() - started
    metrics = {
        "test": evaluate(model, splits.test, config.data.mode),
        "validation": evaluate(model, splits.validation, config.data.mode),
    }
    resolved = TrainConfig(
        model=config.model,
        seed=config.seed,
        description=config.description,
        data=config.data,
        params={k: v for k, v in model.get_params().items() if k not in ("seed", "progress")},
    )
    output.mkdir(parents=True, exist_ok=True)
    model.save(output)
    (output / "metrics").mkdir(exist_ok=True)
    for name, value in metrics.items():
        _write_json(output / "metrics" / f"{name}.json", value)
    history = getattr(model, "history_", None)
    if history is not None:
        _write_json(output / "metrics" / "history.json", history)
    _write_json(output / "metrics" / "split.json", splits.ids)
    with atomic_write(output / "config.toml") as f:
        f.write(to_toml(resolved))
    meta = json.loads((output / META).read_text(encoding="utf-8"))
    meta.update(
        {
            "propwatch_version": __version__,
            "git_commit": git_commit(),
            "libraries": library_versions(),
            "data": {
                "checksums": splits.checksums,
                "split": config.data.split,
                "articles": {k: len(v) for k, v in splits.ids.items()},
                "examples": {k: len(getattr(splits, k)) for k in ("train", "validation", "test")},
            },
            "metrics": _headline(metrics, config.data.mode),
            "train_seconds": round(seconds, 1),
        }
    )
    _write_json(output / META, meta)
    with atomic_write(output / "MODEL_CARD.md") as f:
        f.write(model_card(resolved, meta, metrics))
    return TrainResult(model, metrics, output, seconds)


def _headline(metrics: dict[str, Any], mode: str) -> dict[str, float]:
    out = {}
    for split, m in metrics.items():
        if mode == SPAN and m:
            out[f"{split}_tc_micro_f1"] = round(m["tc"]["micro"]["f1"], 4)
        elif m:
            s = m["sentence"]
            out[f"{split}_sentence_micro_f1"] = round(s["micro"]["f1"], 4)
            out[f"{split}_sentence_macro_f1"] = round(s["macro_f1"], 4)
            out[f"{split}_sentence_any_f1"] = round(s["any_technique"]["f1"], 4)
    return out


def _write_json(path: Path, value: Any) -> None:
    with atomic_write(path) as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")


def _counts(d: dict[str, int]) -> str:
    return " / ".join(f"{d.get(k, 0)} {k}" for k in ("train", "validation", "test"))


def refresh_model_card(folder: str | Path) -> None:
    """Rewrite ``MODEL_CARD.md`` of a trained folder from its ``config.toml``, ``meta.json`` and ``metrics/``."""
    folder = Path(folder)
    config = load_train_config(folder / "config.toml")
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    metrics = {
        name: json.loads((folder / "metrics" / f"{name}.json").read_text(encoding="utf-8"))
        for name in ("test", "validation")
        if (folder / "metrics" / f"{name}.json").exists()
    }
    with atomic_write(folder / "MODEL_CARD.md") as f:
        f.write(model_card(config, meta, metrics))


def model_card(config: TrainConfig, meta: dict[str, Any], metrics: dict[str, Any]) -> str:
    """The ``MODEL_CARD.md`` text: data, metrics, limits, intended use."""
    mode = config.data.mode
    test = metrics.get("test", {})
    lines = [
        f"# {meta['registry_name']} ({mode} mode)",
        "",
        config.description or "Propaganda-technique classifier of propwatch.",
        "",
        "## Intended use",
        "",
        (
            "SemEval-2020 Task 11 technique classification (TC): given an article and a span known to be "
            "propaganda, name its technique (14 PTC techniques). Use with `propwatch classify-spans`."
            if mode == SPAN
            else "Sentence-level tagging of the 14 PTC techniques (multi-label) in English news, to flag "
            "sentences for a human reader. Not a verdict on an article or outlet."
        ),
        "",
        "## Data",
        "",
        f"- PTC v2 train split (371 articles), split by article with `{config.data.split}` "
        f"(seed {config.data.split_seed}): {_counts(meta['data']['articles'])} articles; "
        f"{_counts(meta['data']['examples'])} {'spans' if mode == SPAN else 'sentences (PTC lines)'}.",
        f"- Extra training files: {', '.join(config.data.extra_train) or 'none'}.",
        "- North Korean annotated articles (`data.nk`): "
        + (
            "the corpus's NK train split added to training and its validation split to validation "
            "(thresholds and early stopping); NK test articles held out."
            if config.data.nk
            else "not used."
        ),
        "- Data checksums (sha256) in `meta.json`; article ids of each split in `metrics/split.json`.",
        "",
        "## Metrics (held-out PTC test articles)",
        "",
    ]
    if mode == SPAN and test:
        tc = test["tc"]
        lines += [
            f"TC micro-F1: **{tc['micro']['f1']:.3f}** on {tc['n_gold']} gold spans "
            "(one prediction per span instance, matched per (article, start, end) multiset).",
            "",
            "| technique | precision | recall | F1 | support |",
            "|---|---|---|---|---|",
        ]
        for lab, s in sorted(tc["per_label"].items(), key=lambda kv: -kv[1]["support"]):
            lines.append(f"| {lab} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {int(s['support'])} |")
    elif test:
        s = test["sentence"]
        lines += [
            f"Sentences: {s['n']}. Micro-F1 **{s['micro']['f1']:.3f}**, macro-F1 {s['macro_f1']:.3f}, "
            f"any-technique F1 {s['any_technique']['f1']:.3f} (per-label thresholds tuned on validation).",
        ]
    lines += [
        "",
        "## Limits",
        "",
        (
            "- Mostly English news (PTC); the NK annotated articles are about a tenth of the training "
            "sentences, so state-media rhetoric outside their topics is less well covered."
            if config.data.nk
            else "- Trained on English news (PTC); North Korean state media differs in style and topic, "
            "so expect lower accuracy there (see the `_nk` models, trained with `data.nk = true`)."
        ),
        "- Rare techniques (Bandwagon, Thought-terminating cliches, Whataboutism, Black-and-white fallacy) "
        "have few examples and low F1.",
        "- Scores are per-label probabilities, not calibrated across labels.",
        "- Split is the project's own hold-out of the PTC train articles, not the official SemEval test set, "
        "so numbers are not directly comparable with the shared-task leaderboard.",
        "",
        "## Reproduce",
        "",
        "```",
        f"propwatch train config.toml -o <folder>   # seed {config.seed}; see config.toml",
        "```",
        "",
        f"propwatch {meta.get('propwatch_version')}, commit {meta.get('git_commit')}, "
        f"trained in {meta.get('train_seconds')} s; per-epoch history (transformer) in `metrics/history.json`.",
        "",
    ]
    return "\n".join(lines)
