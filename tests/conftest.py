"""Shared fixtures: the data directory (skipped when absent), the spaCy pipeline, the seed article."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEED_PATH = ROOT / "corpus" / "seed" / "dailynk-2025-04-04-empty-promises.txt"


def _data_dir() -> Path:
    return Path(os.environ.get("PROPWATCH_DATA_DIR", ROOT.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The third-party data directory; tests needing it are skipped where it is missing."""
    d = _data_dir()
    if not (d / "ptc").is_dir():
        pytest.skip(f"data directory {d} not found (set PROPWATCH_DATA_DIR)")
    return d


@pytest.fixture(scope="session")
def nlp():
    from pipeline.segment import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def seed_article():
    from pipeline.ingest import read_text

    return read_text(str(SEED_PATH))


@pytest.fixture(scope="session")
def seed_sentences(seed_article, nlp):
    from pipeline.segment import segment_article

    return segment_article(seed_article, nlp)
