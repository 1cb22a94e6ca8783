"""Applying a trained technique model: SemEval TC templates (span mode) and sentences (sentence mode)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError, ModelError
from ..ingest import read_ptc
from ..records import Article, Prediction, Sentence
from .examples import SENTENCE, SPAN, GoldSpan, read_tc_file, sentence_examples, span_examples, write_tc_file
from .metrics import decode_tc
from .registry import load_model


def model_mode(model) -> str:
    """``"span"`` or ``"sentence"``: the kind of input the model was trained on (from its folder)."""
    return getattr(model, "inputs_", {}).get("mode", SPAN)


def _model(model):
    return load_model(model) if isinstance(model, str | Path) else model


def predict_tc(model, articles: dict[str, Article], spans: Sequence[GoldSpan], source: str = "template") -> list[str]:
    """One technique per span instance (argmax; top-k distinct labels for a span listed k times).

    Args:
        model: A fitted classifier or a model folder.
        articles: The articles by id.
        spans: Template lines; their ``label`` is ignored.
        source: Name of the template, for error messages.

    Raises:
        InputError: naming ``source`` and the line of a span whose article is missing or whose
            offsets run past the article's end.
    """
    model = _model(model)
    context_chars = getattr(model, "inputs_", {}).get("context_chars", 600)
    examples = []
    for g in spans:
        art = articles.get(g.article_id)
        if art is None:
            raise InputError(source, f"article {g.article_id} not found (expected article{g.article_id}.txt)", g.line)
        if g.end > len(art.text):
            raise InputError(
                source,
                f"bad offsets {g.start}..{g.end}: article {g.article_id} has only {len(art.text)} characters",
                g.line,
            )
        examples.extend(span_examples(art, [g], with_labels=False, context_chars=context_chars))
    if not examples:
        return []
    proba = model.predict_proba(examples)
    return decode_tc([(g.article_id, g.start, g.end) for g in spans], proba, model.labels_)


def classify_spans(articles_dir: str | Path, template: str | Path, output: str | Path, model) -> int:
    """Label every span of a SemEval-2020 TC template and write the predictions in the same format.

    Args:
        articles_dir: Folder of ``article<ID>.txt`` files.
        template: Lines ``article_id TAB placeholder TAB start TAB end``.
        output: Where to write ``article_id TAB technique TAB start TAB end`` lines.
        model: A model folder (or fitted classifier) trained in span mode.

    Returns:
        The number of spans written.

    Raises:
        InputError: a malformed template line, a missing article or bad offsets (file and line named).
        ModelError: an unknown, incomplete or incompatible model folder.
    """
    model = _model(model)
    if model_mode(model) != SPAN:
        raise ModelError(f"model was trained in {model_mode(model)} mode; classify-spans needs a span-mode model")
    spans = read_tc_file(template)
    articles_dir = Path(articles_dir)
    if not articles_dir.is_dir():
        raise InputError(str(articles_dir), "articles folder not found")
    articles: dict[str, Article] = {}
    for g in spans:
        if g.article_id in articles:
            continue
        path = articles_dir / f"article{g.article_id}.txt"
        if not path.is_file():
            raise InputError(str(template), f"article file {path} not found", g.line)
        articles[g.article_id] = read_ptc(str(path))
    labels = predict_tc(model, articles, spans, source=str(template))
    write_tc_file(output, [GoldSpan(g.article_id, lab, g.start, g.end) for g, lab in zip(spans, labels)])
    return len(spans)


def classify_sentences(sentences: Sequence[Sentence], model, threshold: float | None = None) -> list[Prediction]:
    """Techniques of each sentence with a sentence-mode model.

    Returns:
        One :class:`~pipeline.records.Prediction` per sentence: labels above the (tuned) thresholds
        and every label's score.
    """
    model = _model(model)
    if model_mode(model) != SENTENCE:
        raise ModelError(f"model was trained in {model_mode(model)} mode; sentences need a sentence-mode model")
    examples = sentence_examples(sentences)
    proba = model.predict_proba(examples)
    labels = model.decide(proba, threshold)
    return [
        Prediction(
            article_id=s.article_id,
            index=s.index,
            labels=labs,
            scores={lab: round(float(p), 6) for lab, p in zip(model.labels_, row)},
        )
        for s, labs, row in zip(sentences, labels, proba)
    ]
