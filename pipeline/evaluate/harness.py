"""The evaluation harness: every stage on every corpus source with gold, baselines side by side.

``evaluate(...)`` returns the metrics dictionary written to ``metrics.json`` (schema in
``docs``/README: ``schema``, ``headline``, ``voice``, ``attribution``, ``techniques``, ``tc``, ``si``,
``slices``, ``systems``). Headline metrics carry 95% bootstrap intervals over articles.
"""

from __future__ import annotations

import datetime as _dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..labels import technique_labels, voice_labels
from ..records import Article
from .metrics import (
    binary_scores,
    bootstrap_ci,
    char_span_f1,
    classification_scores,
    multilabel_scores,
    reliability,
    si_scores,
    span_match_scores,
    tc_scores,
)

SCHEMA = "propwatch.evaluation.v1"
MAJORITY = "majority"


@dataclass
class EvalSettings:
    """What to evaluate, and on what.

    Attributes:
        data_dir: The third-party data directory.
        models: Technique model folders (sentence or span mode; each evaluated where it applies).
        voice_model: Voice attribution model folder; ``None`` skips the rules+model system.
        split: Corpus split to score (``test`` by default; ``validation`` while developing).
        annotations_dir, seed_dir: The project's annotations and seed article.
        cache_dir: Where the corpus builder caches parsed sources.
        n_resamples: Bootstrap replicates for the confidence intervals.
        polnear_limit: Only the first N PolNeAR test articles (quick runs); ``None`` = all.
        engine: ``local``, or ``ray`` to parse and attribute the PolNeAR articles on Ray Data.
        address: Ray cluster address with ``engine="ray"``; default a local instance.
        workers: Ray actors with ``engine="ray"``.
    """

    data_dir: str | Path
    models: Sequence[str | Path] = ()
    voice_model: str | Path | None = None
    split: str = "test"
    annotations_dir: str | Path = "corpus/annotations"
    seed_dir: str | Path = "corpus/seed"
    cache_dir: str | Path | None = "out/corpus/cache"
    n_resamples: int = 1000
    polnear_limit: int | None = None
    sources: Sequence[str] = ("nk", "seed", "ptc", "polnear")
    seed: int = 0
    engine: str = "local"
    address: str | None = None
    workers: int = 2
    timings: dict[str, float] = field(default_factory=dict)


def _ci(groups: list, fn: Callable[[list], float], s: EvalSettings) -> dict[str, float]:
    return bootstrap_ci(groups, fn, n_resamples=s.n_resamples, seed=s.seed)


def _rows(corpus, split: str, source: str) -> list[dict]:
    ds = corpus[split].filter(lambda r: r["source"] == source)
    return [dict(r) for r in ds]


# --- voice ------------------------------------------------------------------------------------


def evaluate_voice(corpus, articles: dict[str, Article], s: EvalSettings, nlp, voice_model) -> dict[str, Any]:
    """Voice accuracy, macro-F1, per-class scores and confusion, per source and pooled."""
    from ..voice.attribute import analyse_article, voices_from_analysis

    labels = list(voice_labels())
    train_votes = Counter(
        labels[r["voice"]] for src in ("nk", "seed") for r in _rows(corpus, "train", src) if r["voice"] >= 0
    )
    majority = train_votes.most_common(1)[0][0] if train_votes else "narration"
    gold_rows = [r for src in ("seed", "nk") if src in s.sources for r in _rows(corpus, s.split, src)]
    gold_rows = [r for r in gold_rows if r["voice"] >= 0]
    by_article: dict[str, list[dict]] = defaultdict(list)
    for r in gold_rows:
        by_article[r["article_id"]].append(r)
    systems: dict[str, Any] = {MAJORITY: None, "rules": None}
    if voice_model is not None:
        systems["rules+model"] = voice_model
    out: dict[str, Any] = {"majority_label": majority, "systems": {}}
    # The parse and the rules do not depend on the voice model: one analysis serves every system.
    analyses: dict[str, Any] = {}
    for name, model in systems.items():
        groups = []  # per article: list of (gold, pred, source)
        # per article: (source, gold spans, predicted span) of the sentences with a gold speaker / cue
        spans: dict[str, list[list[tuple]]] = {"speaker": [], "cue": []}
        for aid, rows in by_article.items():
            if name == MAJORITY:
                pred = {(r["start"], r["end"]): majority for r in rows}
            else:
                if aid not in analyses:
                    # One parse gives both the sentences and their voices.
                    analyses[aid] = analyse_article(articles[aid], nlp)
                analysis = analyses[aid]
                res = voices_from_analysis(analysis, model)
                sents = analysis.sentences
                pred = {(st.start, st.end): v.voice for st, v in zip(sents, res)}
                found = {(st.start, st.end): v for st, v in zip(sents, res)}
                for part in spans:
                    spans[part].append(_gold_vs_found(rows, found, part))
            groups.append([(labels[r["voice"]], pred.get((r["start"], r["end"]), "other"), r["source"]) for r in rows])
        flat = [x for g in groups for x in g]
        per_source = {}
        for src in sorted({x[2] for x in flat}):
            sub = [x for x in flat if x[2] == src]
            per_source[src] = classification_scores([x[0] for x in sub], [x[1] for x in sub], labels)
        pooled = classification_scores([x[0] for x in flat], [x[1] for x in flat], labels)

        def acc(gs):
            xs = [x for g in gs for x in g]
            return float(np.mean([a == b for a, b, _ in xs])) if xs else 0.0

        def macro(gs):
            xs = [x for g in gs for x in g]
            return classification_scores([x[0] for x in xs], [x[1] for x in xs], labels)["macro_f1"]

        out["systems"][name] = {
            "pooled": pooled,
            "per_source": per_source,
            "accuracy_ci": _ci(groups, acc, s),
            "macro_f1_ci": _ci(groups, macro, s),
        }
        if name != MAJORITY:
            for part, per_article in spans.items():
                out["systems"][name][part] = _span_match_report(per_article, s)
    return out


def _gold_vs_found(rows: list[dict], found: dict, part: str) -> list[tuple]:
    """(source, gold spans, predicted span) for each gold row that names a speaker (or cue)."""
    items = []
    for r in rows:
        gold = [(x["start"], x["end"]) for x in r[f"{part}_spans"]]
        if not gold:
            continue
        v = found.get((r["start"], r["end"]))
        span = getattr(v, part, None) if v is not None else None
        items.append((r["source"], gold, (span.start, span.end) if span is not None else None))
    return items


def _span_match_report(per_article: list[list[tuple]], s: EvalSettings) -> dict[str, Any]:
    """Speaker (or cue) assignment per sentence: pooled, per source, and an interval over articles."""

    def score(gs):
        return span_match_scores((g, p) for items in gs for _, g, p in items)

    sources = sorted({x[0] for items in per_article for x in items})
    return {
        "pooled": score(per_article),
        "per_source": {src: score([[x for x in items if x[0] == src] for items in per_article]) for src in sources},
        "overlap_ci": _ci([items for items in per_article if items], lambda gs: score(gs)["overlap"], s),
    }


# --- attribution (PolNeAR) ------------------------------------------------------------------


def attribution_of_doc(doc, nlp, voice_model) -> dict[str, Any]:
    """Gold and predicted attribution of one PolNeAR article (plain lists, so it can cross processes)."""
    from ..voice.attribute import analyse_article, voices_from_analysis
    from ..voice.evaluate import model_speakers, rule_speakers, sentence_labels
    from ..voice.features import rule_attributed

    analysis = analyse_article(doc.article, nlp)
    gold = sentence_labels(doc, analysis)
    out = {
        "id": doc.article.id,
        "gold": [int(x) for x in gold],
        "gold_speakers": [list(x) for x in doc.spans("source")],
        "always": ([1] * len(gold), []),
        "rules": ([int(v) for v in rule_attributed(analysis)], [list(x) for x in rule_speakers(analysis)]),
    }
    if voice_model is not None:
        res = voices_from_analysis(analysis, voice_model)
        out["rules+model"] = (
            [int(r.attributed >= voice_model.threshold) for r in res],
            [list(x) for x in model_speakers(analysis, voice_model)],
        )
    return out


class _RayAttribution:
    """Ray Data callable: each actor loads the PolNeAR split, spaCy and the voice model once."""

    def __init__(self, data_dir: str, limit: int | None, voice_model: str | None):
        from ..segment import load_nlp
        from ..segment.nlp import PARSE_EXCLUDE
        from ..voice.model import load_model as load_voice_model
        from ..voice.polnear import load_split

        self.docs = load_split(data_dir, "dev", limit=limit)
        self.nlp = load_nlp(exclude=PARSE_EXCLUDE)
        self.model = load_voice_model(voice_model) if voice_model else None

    def __call__(self, batch: dict) -> dict:
        import json

        return {"result": [json.dumps(attribution_of_doc(self.docs[i], self.nlp, self.model)) for i in batch["i"]]}


def _attribution_results(s: EvalSettings, nlp, voice_model) -> list[dict[str, Any]]:
    from ..voice.polnear import load_split

    docs = load_split(s.data_dir, "dev", limit=s.polnear_limit)
    if s.engine == "local":
        return [attribution_of_doc(doc, nlp, voice_model) for doc in docs]
    if s.engine != "ray":
        raise ValueError(f"unknown engine {s.engine!r}; choose local or ray")
    import json

    import ray

    if not ray.is_initialized():
        ray.init(address=s.address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    ds = ray.data.from_items([{"i": i} for i in range(len(docs))])
    mapped = ds.map_batches(
        _RayAttribution,
        fn_constructor_kwargs={
            "data_dir": str(s.data_dir),
            "limit": s.polnear_limit,
            "voice_model": str(s.voice_model) if s.voice_model else None,
        },
        batch_size=4,
        compute=ray.data.ActorPoolStrategy(size=s.workers),
        num_cpus=1,
    )
    # JSON turns tuples into lists; make the local and Ray results the same shape.
    return [
        {k: tuple(v) if k in ("always", "rules", "rules+model") else v for k, v in json.loads(r["result"]).items()}
        for r in mapped.iter_rows()
    ]


def evaluate_attribution(s: EvalSettings, nlp, voice_model) -> dict[str, Any]:
    """PolNeAR test (= dev): sentence "carries attributed content" and speaker character F1.

    With ``s.engine == "ray"`` the articles are parsed and attributed on Ray (the expensive part);
    the scores are computed here from the same per-article results either way.
    """
    results = _attribution_results(s, nlp, voice_model)
    systems = ["always", "rules"] + (["rules+model"] if voice_model is not None else [])
    per_doc: dict[str, list] = {k: [] for k in systems}
    for r in results:
        gold_src = {r["id"]: [tuple(x) for x in r["gold_speakers"]]}
        for k in systems:
            p, speakers = r[k]
            per_doc[k].append((r["gold"], list(p), gold_src, {r["id"]: [tuple(x) for x in speakers]}))
    docs = results
    out: dict[str, Any] = {"articles": len(docs), "systems": {}}
    for k, groups in per_doc.items():

        def merged(gs):
            return [x for g in gs for x in g[0]], [x for g in gs for x in g[1]]

        def macro(gs):
            y, p = merged(gs)
            return binary_scores(y, p)["macro_f1"]

        def speaker(gs):
            gold_sp = {a: v for g in gs for a, v in g[2].items()}
            pred_sp = {a: v for g in gs for a, v in g[3].items()}
            return char_span_f1(gold_sp, pred_sp)["f1"]

        y, p = merged(groups)
        out["systems"][k] = {
            "sentence": binary_scores(y, p),
            "macro_f1_ci": _ci(groups, macro, s),
            "speaker_char": char_span_f1(
                {a: v for g in groups for a, v in g[2].items()}, {a: v for g in groups for a, v in g[3].items()}
            ),
            "speaker_char_f1_ci": _ci(groups, speaker, s) if k != "always" else None,
        }
    return out


# --- techniques -------------------------------------------------------------------------------


def _names(ids: Sequence[int]) -> tuple[str, ...]:
    labels = technique_labels()
    return tuple(labels[i] for i in ids)


def _indicator(label_sets: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    index = {lab: j for j, lab in enumerate(labels)}
    y = np.zeros((len(label_sets), len(labels)), dtype=bool)
    for i, labs in enumerate(label_sets):
        for lab in labs:
            y[i, index[lab]] = True
    return y


def _sentence_scores_with_ci(rows: list[dict], pred_sets: list[tuple[str, ...]], s: EvalSettings) -> dict[str, Any]:
    labels = list(technique_labels())
    gold = _indicator([_names(r["techniques"]) for r in rows], labels)
    pred = _indicator(pred_sets, labels)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r["article_id"]].append(i)
    idx_groups = list(groups.values())

    def micro(gs):
        ii = [i for g in gs for i in g]
        return multilabel_scores(gold[ii], pred[ii], labels)["micro"]["f1"]

    def macro(gs):
        ii = [i for g in gs for i in g]
        return multilabel_scores(gold[ii], pred[ii], labels)["macro_f1"]

    out = multilabel_scores(gold, pred, labels)
    out["micro_f1_ci"] = _ci(idx_groups, micro, s)
    out["macro_f1_ci"] = _ci(idx_groups, macro, s)
    return out


def _model_name(path: str | Path) -> str:
    return Path(path).name


def _shown(path: str | Path) -> str:
    """A model path as reports show it: relative to the repository when inside it."""
    from ..analysis.core import REPO_ROOT

    p = Path(path).resolve()
    return str(p.relative_to(REPO_ROOT)) if p.is_relative_to(REPO_ROOT) else str(p)


def _tc_block(gold: list[tuple], preds: dict[str, list[str]], s: EvalSettings) -> dict[str, Any]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(gold):
        groups[g[0]].append(i)
    out = {}
    for name, labs in preds.items():
        pairs = [(a, lab, st, en) for (a, _, st, en), lab in zip(gold, labs)]
        res = tc_scores(gold, pairs)

        def micro(gs, pairs=pairs):
            ii = [i for g in gs for i in g]
            return tc_scores([gold[i] for i in ii], [pairs[i] for i in ii])["micro"]["f1"]

        res["micro_f1_ci"] = _ci(list(groups.values()), micro, s)
        out[name] = res
    return out


def evaluate_techniques(
    corpus, models: dict[str, Any], s: EvalSettings, articles: dict[str, Article], train_prior: str
) -> dict[str, Any]:
    """Sentence-level multi-label scores per source, TC on gold spans, SI, and calibration.

    Returns also ``predictions[model][source]``: the predicted label sets per sentence row, which
    the slices reuse.
    """
    from ..corpus.builder import span_table
    from ..rhetoric.apply import model_mode, predict_tc
    from ..rhetoric.examples import Example, GoldSpan

    labels = list(technique_labels())
    out: dict[str, Any] = {"sentence": {}, "tc": {}, "si": {}, "calibration": {}}
    predictions: dict[str, dict[str, list]] = defaultdict(dict)
    sources = [src for src in ("ptc", "nk", "seed") if src in s.sources]
    sentence_models = {k: m for k, m in models.items() if model_mode(m) == "sentence"}
    span_models = {k: m for k, m in models.items() if model_mode(m) == "span"}
    rows_by_source = {}
    for src in sources:
        rows = [r for r in _rows(corpus, s.split, src) if r["techniques_annotated"]]
        if not rows:
            continue
        rows_by_source[src] = rows
        gold = _indicator([_names(r["techniques"]) for r in rows], labels)
        res: dict[str, Any] = {MAJORITY: _sentence_scores_with_ci(rows, [(train_prior,)] * len(rows), s)}
        gold_spans: dict[str, list] = defaultdict(list)
        for r in rows:
            gold_spans[r["article_id"]] += [(sp["start"], sp["end"]) for sp in r["spans"]]
        for name, model in sentence_models.items():
            ex = [Example(text=r["text"], article_id=r["article_id"], start=r["start"], end=r["end"]) for r in rows]
            proba = np.asarray(model.predict_proba(ex))
            pred_sets = [tuple(x) for x in model.decide(proba)]
            predictions[name][src] = pred_sets
            res[name] = _sentence_scores_with_ci(rows, pred_sets, s)
            out["calibration"].setdefault(name, {})[src] = reliability(proba, gold)
            # SI from sentence predictions: a sentence with any technique is one predicted span.
            pred_spans: dict[str, list] = defaultdict(list)
            for r, p in zip(rows, pred_sets):
                if p:
                    pred_spans[r["article_id"]].append((r["start"], r["end"]))
            out["si"].setdefault(src, {})[name] = si_scores(gold_spans, pred_spans)
        out["sentence"][src] = res
    spans = span_table(corpus)[s.split]
    for src in sources:
        sp_rows = [dict(r) for r in spans.filter(lambda r, src=src: r["source"] == src)]
        if not sp_rows:
            continue
        gold = [(r["article_id"], labels[r["technique"]], r["start"], r["end"]) for r in sp_rows]
        template = [GoldSpan(a, "?", st, en, i + 1) for i, (a, _, st, en) in enumerate(gold)]
        preds = {MAJORITY: [train_prior] * len(gold)}
        for name, model in span_models.items():
            preds[name] = predict_tc(model, articles, template, source=f"{src} {s.split} spans")
        out["tc"][src] = _tc_block(gold, preds, s)
    out["_rows"] = rows_by_source
    out["_predictions"] = dict(predictions)
    return out


def technique_slices(
    rows_by_source: dict[str, list[dict]],
    predictions: dict[str, dict[str, list]],
    voices: dict[tuple[str, int, int], str],
) -> dict[str, Any]:
    """Technique scores within each voice and each data set, for every sentence model.

    ``voices`` maps ``(article_id, start, end)`` to the sentence's voice: gold where annotated,
    else the rules' prediction (PTC has no voice gold); the slice says which.
    """
    labels = list(technique_labels())
    out: dict[str, Any] = {}
    for name, by_src in predictions.items():
        slices: dict[str, Any] = {"by_voice": {}, "by_dataset": {}}
        buckets: dict[tuple[str, str], list[tuple[tuple, tuple]]] = defaultdict(list)
        for src, pred_sets in by_src.items():
            for r, p in zip(rows_by_source[src], pred_sets):
                g = _names(r["techniques"])
                v = labels_voice(r) or voices.get((r["article_id"], r["start"], r["end"]), "unknown")
                buckets[("by_voice", v)].append((g, p))
                buckets[("by_dataset", r["dataset"])].append((g, p))
        for (kind, key), pairs in sorted(buckets.items()):
            gold = _indicator([g for g, _ in pairs], labels)
            pred = _indicator([p for _, p in pairs], labels)
            sc = multilabel_scores(gold, pred, labels)
            slices[kind][key] = {
                "n": len(pairs),
                "micro_f1": sc["micro"]["f1"],
                "gold_any_rate": float(gold.any(axis=1).mean()),
                "pred_any_rate": float(pred.any(axis=1).mean()),
                "gold_counts": {lab: int(gold[:, j].sum()) for j, lab in enumerate(labels) if gold[:, j].any()},
            }
        out[name] = slices
    return out


def labels_voice(row: dict) -> str | None:
    """The gold voice name of a corpus row, or None when not annotated."""
    v = row.get("voice", -1)
    return voice_labels()[v] if v is not None and v >= 0 else None


# --- the whole run ---------------------------------------------------------------------------


def _articles_for(corpus, s: EvalSettings) -> dict[str, Article]:
    from ..corpus.builder import nk_articles, seed_articles
    from ..ingest import read_ptc

    ids = {
        src: set(corpus[s.split].filter(lambda r, src=src: r["source"] == src)["article_id"])
        for src in ("nk", "seed", "ptc")
        if src in s.sources
    }
    out: dict[str, Article] = {}
    if ids.get("nk"):
        out.update({a.id: a for (_, aid), a in nk_articles(s.data_dir).items() if aid in ids["nk"]})
    if ids.get("seed"):
        out.update({a.id: a for a in seed_articles(s.seed_dir).values()})
    for aid in sorted(ids.get("ptc", ())):
        out[aid] = read_ptc(str(Path(s.data_dir) / "ptc" / "train-articles" / f"article{aid}.txt"))
    return out


def evaluate(s: EvalSettings, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every evaluation and return the ``metrics.json`` dictionary."""
    import datasets

    from ..corpus.builder import build_corpus
    from ..rhetoric.registry import load_model, read_meta
    from ..segment import load_nlp
    from ..segment.nlp import PARSE_EXCLUDE
    from ..voice.attribute import analyse_article, voices_from_analysis
    from ..voice.model import load_model as load_voice_model

    # Dozens of small filters over the corpus: their progress bars would drown the report's.
    datasets.disable_progress_bars()
    say = progress or (lambda msg: None)
    t0 = time.perf_counter()
    say("building the corpus (cached after the first run)")
    corpus = build_corpus(s.data_dir, s.annotations_dir, s.seed_dir, sources=tuple(s.sources), cache_dir=s.cache_dir)
    timings = {"corpus": time.perf_counter() - t0}
    nlp = load_nlp(exclude=PARSE_EXCLUDE)
    voice_model = load_voice_model(s.voice_model) if s.voice_model else None
    models = {_model_name(p): load_model(p) for p in s.models}
    articles = _articles_for(corpus, s)
    metrics: dict[str, Any] = {
        "schema": SCHEMA,
        "propwatch_version": __version__,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "split": s.split,
        "n_resamples": s.n_resamples,
        "systems": {
            "techniques": {
                _model_name(p): {"path": _shown(p), **{k: read_meta(p).get(k) for k in ("registry_name",)}}
                for p in s.models
            },
            "voice_model": _shown(s.voice_model) if s.voice_model else None,
        },
    }
    t = time.perf_counter()
    if {"nk", "seed"} & set(s.sources):
        say("voice on the annotated articles")
        metrics["voice"] = evaluate_voice(corpus, articles, s, nlp, voice_model)
    timings["voice"] = time.perf_counter() - t
    t = time.perf_counter()
    if "polnear" in s.sources:
        say("attribution on PolNeAR dev")
        metrics["attribution"] = evaluate_attribution(s, nlp, voice_model)
    timings["attribution"] = time.perf_counter() - t
    t = time.perf_counter()
    prior = Counter(
        technique_labels()[i]
        for ids in corpus["train"].filter(lambda r: r["source"] == "ptc")["techniques"]
        for i in ids
    ).most_common(1)
    say("techniques: sentences, spans, calibration")
    tech = evaluate_techniques(corpus, models, s, articles, prior[0][0] if prior else "Loaded_Language")
    rows_by_source, predictions = tech.pop("_rows"), tech.pop("_predictions")
    metrics["techniques"] = tech
    timings["techniques"] = time.perf_counter() - t
    # Voices for the slices: gold where annotated, else the rules (+ model) on the article.

    voices: dict[tuple[str, int, int], str] = {}
    for aid in sorted({r["article_id"] for r in rows_by_source.get("ptc", [])}):
        art = articles[aid]
        analysis = analyse_article(art, nlp)
        for st, v in zip(analysis.sentences, voices_from_analysis(analysis, voice_model)):
            voices[(aid, st.start, st.end)] = v.voice
    metrics["slices"] = technique_slices(rows_by_source, predictions, voices)
    metrics["headline"] = headline(metrics)
    timings["total"] = time.perf_counter() - t0
    metrics["timings_seconds"] = {k: round(v, 1) for k, v in timings.items()}
    return metrics


def _h(value: float, ci: dict | None = None) -> dict[str, float]:
    if ci:
        return {"value": float(value), "low": float(ci["low"]), "high": float(ci["high"])}
    return {"value": float(value), "low": float(value), "high": float(value)}


def headline(m: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The flat headline metrics (name -> value and 95% interval) used by compare and the CI gate."""
    out = {}
    for name, r in m.get("voice", {}).get("systems", {}).items():
        out[f"voice.{name}.accuracy"] = _h(r["pooled"]["accuracy"], r["accuracy_ci"])
        out[f"voice.{name}.macro_f1"] = _h(r["pooled"]["macro_f1"], r["macro_f1_ci"])
        if "seed" in r["per_source"]:
            out[f"voice.{name}.seed_accuracy"] = _h(r["per_source"]["seed"]["accuracy"])
        for part in ("speaker", "cue"):
            if part in r:
                out[f"voice.{name}.{part}_overlap"] = _h(r[part]["pooled"]["overlap"], r[part]["overlap_ci"])
                out[f"voice.{name}.{part}_exact"] = _h(r[part]["pooled"]["exact"])
    for name, r in m.get("attribution", {}).get("systems", {}).items():
        out[f"attribution.{name}.macro_f1"] = _h(r["sentence"]["macro_f1"], r["macro_f1_ci"])
        out[f"attribution.{name}.mcc"] = _h(r["sentence"]["mcc"])
        if r.get("speaker_char_f1_ci"):
            out[f"attribution.{name}.speaker_char_f1"] = _h(r["speaker_char"]["f1"], r["speaker_char_f1_ci"])
    tech = m.get("techniques", {})
    for src, systems in tech.get("sentence", {}).items():
        for name, r in systems.items():
            out[f"techniques.{src}.{name}.micro_f1"] = _h(r["micro"]["f1"], r["micro_f1_ci"])
            out[f"techniques.{src}.{name}.macro_f1"] = _h(r["macro_f1"], r["macro_f1_ci"])
            out[f"techniques.{src}.{name}.any_f1"] = _h(r["any_technique"]["f1"])
    for src, systems in tech.get("tc", {}).items():
        for name, r in systems.items():
            out[f"tc.{src}.{name}.micro_f1"] = _h(r["micro"]["f1"], r["micro_f1_ci"])
    for src, systems in tech.get("si", {}).items():
        for name, r in systems.items():
            out[f"si.{src}.{name}.f1"] = _h(r["f1"])
    return out
