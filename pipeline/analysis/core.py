"""One article through the whole pipeline: sentences, voice, techniques, and an article summary."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Article

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TECHNIQUE_MODEL = REPO_ROOT / "models" / "tfidf_linear_sentence_nk"
DEFAULT_VOICE_MODEL = REPO_ROOT / "models" / "voice-attribution"
DEFAULT_THRESHOLD = 0.5


@dataclass
class ArticleResult:
    """The analysis of one article: its sentence records and its summary record.

    ``sentences`` are the rows of ``sentences.jsonl`` and ``summary`` the row of ``articles.jsonl``.
    """

    article: Article
    sentences: list[dict[str, Any]]
    summary: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"article": self.summary, "sentences": self.sentences}

    def to_dataframe(self):
        """The sentences as a pandas DataFrame, one row per sentence (for notebooks)."""
        import pandas as pd

        return pd.DataFrame(self.sentences)


@dataclass
class Resources:
    """Everything loaded once per process: the spaCy pipeline and the two models."""

    nlp: Any
    voice_model: Any
    technique_model: Any
    threshold: float | None
    labels: tuple[str, ...] = field(default_factory=tuple)


def load_resources(
    model_dir: str | Path | None = None,
    voice_model_dir: str | Path | None = None,
    threshold: float | None = None,
) -> Resources:
    """Load the spaCy pipeline, the voice model and the technique model (once per process).

    ``model_dir`` defaults to the shipped ``models/tfidf_linear_sentence_nk`` and ``voice_model_dir`` to
    ``models/voice-attribution``; a voice folder that does not exist means rules alone.
    ``threshold`` overrides the technique model's own per-technique thresholds.
    """
    from ..rhetoric.registry import load_model
    from ..segment import load_nlp
    from ..segment.nlp import PARSE_EXCLUDE

    nlp = load_nlp(exclude=PARSE_EXCLUDE)
    voice_model = None
    vdir = Path(voice_model_dir) if voice_model_dir else DEFAULT_VOICE_MODEL
    if voice_model_dir or vdir.exists():
        from ..voice.model import load_model as load_voice_model

        voice_model = load_voice_model(vdir)
    tech = load_model(Path(model_dir) if model_dir else DEFAULT_TECHNIQUE_MODEL)
    return Resources(nlp, voice_model, tech, threshold, tuple(tech.labels_))


def _thresholds(res: Resources) -> np.ndarray:
    if res.threshold is not None:
        return np.full(len(res.labels), float(res.threshold))
    own = getattr(res.technique_model, "thresholds_", None)
    return np.asarray(own, dtype=float) if own is not None else np.full(len(res.labels), DEFAULT_THRESHOLD)


def technique_scores(res: Resources, rows: list[dict]) -> np.ndarray:
    """Technique probabilities for sentence rows (of one or many articles), shape (n_rows, n_labels)."""
    from ..rhetoric.examples import Example

    if not rows:
        return np.zeros((0, len(res.labels)))
    examples = [Example(text=r["text"], article_id=r["article_id"], start=r["start"], end=r["end"]) for r in rows]
    return np.asarray(res.technique_model.predict_proba(examples), dtype=float)


def summarise(article: Article, rows: list[dict]) -> dict[str, Any]:
    """The ``articles.jsonl`` record: metadata, voice counts, technique profile per voice, score."""
    voice_counts = Counter(r["voice"] for r in rows)
    profile: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        profile[r["voice"]].update(t["label"] for t in r["techniques"])
    scores = [r["propaganda_score"] for r in rows]
    return {
        "article_id": article.id,
        "title": article.title,
        "date": article.date,
        "outlet": article.outlet,
        "dataset": article.dataset,
        "source_path": article.source_path,
        "n_sentences": len(rows),
        "voice_counts": dict(voice_counts),
        "technique_profile": {v: dict(c) for v, c in profile.items()},
        "sentences_with_technique": sum(1 for r in rows if r["techniques"]),
        "propaganda_score": round(float(np.mean(scores)), 4) if scores else 0.0,
    }


def _voice_rows(articles: list[Article], res: Resources) -> list[list[dict]]:
    """Sentence rows with voice fields for each article, parsing all their paragraphs in one pass.

    One ``nlp.pipe`` over the paragraphs of many articles keeps spaCy's batches full; per article
    they would hold a handful of short documents each.
    """
    from ..segment.sentences import body_units, sentence_spans
    from ..voice.attribute import analyse_parsed, voices_from_analysis
    from ..voice.registry import load_registry

    registry = load_registry()
    units = [body_units(a) for a in articles]
    texts = [a.text[u.start : u.end] for a, us in zip(articles, units) for u in us]
    docs = iter(res.nlp.pipe(texts, batch_size=256))
    out = []
    for article, us in zip(articles, units):
        parsed = [(u, d, sentence_spans(article.text, u, d)) for u, d in zip(us, islice(docs, len(us)))]
        analysis = analyse_parsed(article, parsed, registry)
        rows = []
        for sent, v in zip(analysis.sentences, voices_from_analysis(analysis, res.voice_model, registry)):
            row = sent.to_dict()
            row.update(v.to_dict())
            rows.append(row)
        out.append(rows)
    return out


def _result(article: Article, rows: list[dict], proba: np.ndarray, cut: np.ndarray, labels) -> ArticleResult:
    out = []
    for r, p in zip(rows, proba):
        techniques = [{"label": labels[j], "score": round(float(p[j]), 4)} for j in np.argsort(-p) if p[j] >= cut[j]]
        out.append(
            {
                "article_id": r["article_id"],
                "index": r["index"],
                "start": r["start"],
                "end": r["end"],
                "text": r["text"],
                "paragraph": r.get("paragraph"),
                "quote": r.get("quote"),
                "voice": r["voice"],
                "voice_score": r.get("voice_score"),
                "speaker": r.get("speaker"),
                "cue": r.get("cue"),
                "nested_speaker": r.get("nested_speaker"),
                "techniques": techniques,
                # The strongest technique's probability: how likely the sentence uses any technique.
                "propaganda_score": round(float(p.max()), 4) if len(p) else 0.0,
            }
        )
    return ArticleResult(article, out, summarise(article, out))


def analyze_articles(articles: list[Article], res: Resources) -> list[ArticleResult]:
    """Segment, attribute and classify several articles together (one parse pass, one classifier call).

    The articles are not modified. Results are those of :func:`analyze_article` on each article.
    """
    per_article = _voice_rows(articles, res)
    flat = [r for rows in per_article for r in rows]
    proba = technique_scores(res, flat)
    cut = _thresholds(res)
    out, pos = [], 0
    for article, rows in zip(articles, per_article):
        out.append(_result(article, rows, proba[pos : pos + len(rows)], cut, res.labels))
        pos += len(rows)
    return out


def analyze_article(article: Article, res: Resources) -> ArticleResult:
    """Segment, attribute and classify one article; the article itself is not modified."""
    return analyze_articles([article], res)[0]
