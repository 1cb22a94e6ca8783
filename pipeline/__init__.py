"""propwatch: who is speaking in each sentence of a news article, and which propaganda techniques it uses."""

from __future__ import annotations

from functools import cache
from pathlib import Path

__version__ = "0.1.0"


@cache
def _resources(model_dir: str | None, voice_model_dir: str | None, threshold: float | None):
    from .analysis import load_resources

    return load_resources(model_dir, voice_model_dir, threshold)


def analyze(text_or_path: str | Path, *, model_dir=None, voice_model_dir=None, threshold=None):
    """Analyse one article given as text or as a path to a file; returns an ``ArticleResult``.

    Models load once per process and are reused by later calls with the same settings.

    Example:
        >>> import pipeline
        >>> result = pipeline.analyze("corpus/seed/dailynk-2025-04-04-empty-promises.txt")
        >>> result.sentences[3]["voice"], result.summary["voice_counts"]
    """
    from .analysis import analyze_article
    from .errors import InputError
    from .ingest import clean_article, read_path
    from .ingest.lang import check_english
    from .records import Article

    path = Path(text_or_path) if isinstance(text_or_path, Path) or "\n" not in str(text_or_path) else None
    if path is not None and len(str(path)) < 4096 and path.is_file():
        item = next(iter(read_path(str(path))))
        if isinstance(item, InputError):
            raise item
        article = item
    else:
        text = str(text_or_path)
        check_english(text, "<text>")
        article = clean_article(Article(id="text", text=text))
    res = _resources(
        str(model_dir) if model_dir else None, str(voice_model_dir) if voice_model_dir else None, threshold
    )
    return analyze_article(article, res)


def load_nlp(model: str | Path | None = None):
    """A new spaCy English pipeline with the propwatch components (``span._.pw_voice`` etc.).

    Args:
        model: Voice model folder; default the shipped ``models/voice-attribution`` when present,
            else the attribution rules alone.

    Example:
        >>> nlp = pipeline.load_nlp()
        >>> doc = nlp("“It is all for show,” a source in the province told Daily NK.")
        >>> [(s._.pw_voice, s._.pw_speaker, s._.pw_cue) for s in doc.sents]
    """
    import os

    import spacy

    from .analysis.core import DEFAULT_VOICE_MODEL
    from .segment import DEFAULT_MODEL
    from .voice.spacy_components import add_components

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if model is None and DEFAULT_VOICE_MODEL.exists():
        model = DEFAULT_VOICE_MODEL
    # A pipeline of its own: the cached one in pipeline.segment is shared and must stay unchanged.
    return add_components(spacy.load(DEFAULT_MODEL), model=str(model or ""))
