"""Readers that turn files of many formats into :class:`~pipeline.records.Article` records, and BRAT annotations."""

from .brat import BratAttribution, BratDocument, BratEntity, brat_offset_mismatches, parse_brat, read_brat
from .clean import clean_article
from .lang import check_english
from .readers import (
    MAX_CHARS,
    iter_articles,
    read_html,
    read_jsonl,
    read_path,
    read_polnear,
    read_ptc,
    read_text,
)

__all__ = [
    "MAX_CHARS",
    "BratAttribution",
    "BratDocument",
    "BratEntity",
    "brat_offset_mismatches",
    "check_english",
    "clean_article",
    "iter_articles",
    "parse_brat",
    "read_brat",
    "read_html",
    "read_jsonl",
    "read_path",
    "read_polnear",
    "read_ptc",
    "read_text",
]
