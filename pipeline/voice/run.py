"""Batch voice attribution over files: what ``propwatch voice`` runs."""

from __future__ import annotations

from pathlib import Path

from ..batch import BatchResult, write_jsonl_batch
from ..records import Article
from .attribute import voice_records
from .model import load_model
from .registry import load_registry


def voice_files(
    inputs,
    out: str | Path,
    model: str | Path | None = None,
    default_model: str | Path | None = None,
    rules_only: bool = False,
    registry: str | Path | None = None,
    nlp=None,
) -> tuple[BatchResult, str | None]:
    """Write one JSON object per sentence of every input article: segmentation plus voice fields.

    Args:
        inputs: Files, directories, globs or ``-``.
        out: Output JSONL path (written atomically).
        model: A model folder; a missing or incompatible one raises :class:`ModelError`.
        default_model: Used when ``model`` is None and the folder exists; else rules alone.
        rules_only: Ignore any model.
        registry: Registry TOML (default: packaged).
        nlp: A spaCy pipeline (default: the cached English pipeline).

    Returns:
        The batch result and the model folder used (None for rules alone).
    """
    from ..segment import load_nlp
    from ..segment.nlp import PARSE_EXCLUDE

    reg = load_registry(registry)
    used = None
    if not rules_only:
        if model is not None:
            used = str(model)
        elif default_model is not None and Path(default_model).is_dir():
            used = str(default_model)
    fitted = load_model(used) if used else None
    nlp = nlp or load_nlp(exclude=PARSE_EXCLUDE)

    def rows(article: Article) -> list[dict]:
        return voice_records(article, nlp, fitted, reg)

    return write_jsonl_batch(inputs, out, rows), used
