"""The labeled corpus: sampling, annotation files, validation, agreement, and the Hugging Face dataset.

Heavy modules (``datasets``, spaCy) load only when a function that needs them is used::

    from pipeline.corpus import build_corpus
    ds = build_corpus("../shared/data", sources=("ptc",), cache_dir="out/corpus/cache")
    ds["test"].filter(lambda r: r["source"] == "ptc")
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "build_corpus": "builder",
    "build": "builder",
    "save_build": "builder",
    "span_table": "builder",
    "corpus_stats": "builder",
    "format_stats": "builder",
    "assign_split": "builder",
    "read_brat": "builder",
    "BratDocument": "builder",
    "BratEntity": "builder",
    "BratAttribution": "builder",
    "brat_offset_mismatches": "builder",
    "read_annotations": "builder",
    "validate_corpus": "validate",
    "check_splits": "validate",
    "Problem": "validate",
    "agreement_report": "agreement",
    "agreement_markdown": "agreement",
    "cohen_kappa": "agreement",
    "krippendorff_alpha_nominal": "agreement",
    "adjudicate": "agreement",
    "disagreements": "agreement",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
