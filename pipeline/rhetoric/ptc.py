"""The PTC training data as articles plus gold TC spans, and the seeded split by article."""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import CorpusError
from ..ingest import read_ptc
from ..records import Article
from .examples import GoldSpan, read_tc_file

PTC_LABELS = "train-task-flc-tc.labels"
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class PtcData:
    """PTC articles by id, their gold TC spans, and a checksum of every file read."""

    articles: dict[str, Article]
    spans: dict[str, list[GoldSpan]]
    checksum: str


def load_ptc(data_dir: str | Path) -> PtcData:
    """Read ``<data_dir>/ptc``: every ``train-articles/article<ID>.txt`` and the TC gold labels.

    Raises:
        CorpusError: when the folder or labels file is missing, or a label names an unknown article
            or offsets outside it.
    """
    root = Path(data_dir) / "ptc"
    art_dir = root / "train-articles"
    labels = root / PTC_LABELS
    if not art_dir.is_dir() or not labels.is_file():
        raise CorpusError(f"{root}: expected train-articles/ and {PTC_LABELS}; point --data-dir at the data folder")
    digest = hashlib.sha256()
    articles = {}
    for p in sorted(art_dir.glob("article*.txt")):
        art = read_ptc(str(p))
        articles[art.id] = art
        digest.update(p.name.encode() + b"\0" + p.read_bytes())
    digest.update(labels.read_bytes())
    spans: dict[str, list[GoldSpan]] = defaultdict(list)
    for g in read_tc_file(labels):
        art = articles.get(g.article_id)
        if art is None:
            raise CorpusError(f"{labels}:{g.line}: article {g.article_id} not in {art_dir}")
        if g.end > len(art.text):
            raise CorpusError(f"{labels}:{g.line}: span {g.start}..{g.end} past the end of article {g.article_id}")
        spans[g.article_id].append(g)
    return PtcData(articles, {a: spans.get(a, []) for a in articles}, digest.hexdigest())


def seeded_split(
    ids: Sequence[str], seed: int = 13, test_fraction: float = 0.15, validation_fraction: float = 0.10
) -> dict[str, list[str]]:
    """Split article ids into train/validation/test, reproducibly for a given seed.

    The ids are sorted before shuffling, so the split depends on the set of ids and the seed only.

    Returns:
        ``{"train": [...], "validation": [...], "test": [...]}``, each sorted.
    """
    if not 0 <= test_fraction < 1 or not 0 <= validation_fraction < 1 or test_fraction + validation_fraction >= 1:
        raise CorpusError(f"bad split fractions: test={test_fraction} validation={validation_fraction}")
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    n_test = round(len(order) * test_fraction)
    n_val = round(len(order) * validation_fraction)
    return {
        "test": sorted(order[:n_test]),
        "validation": sorted(order[n_test : n_test + n_val]),
        "train": sorted(order[n_test + n_val :]),
    }


def corpus_split(
    articles: dict[str, Article], seed: int = 13, test_fraction: float = 0.15, validation_fraction: float = 0.15
) -> dict[str, list[str]]:
    """The corpus builder's article split (``pipeline.corpus.builder.assign_split`` over the SHA-256 of
    each article's text), so models, corpus and evaluation hold out the same PTC articles.

    With the builder's defaults (seed 13, fractions 0.7/0.15/0.15) this is exactly the ``split``
    column of ``build_corpus``.
    """
    from ..corpus.builder import assign_split, sha256_text

    fractions = (1.0 - test_fraction - validation_fraction, validation_fraction, test_fraction)
    out: dict[str, list[str]] = {k: [] for k in SPLITS}
    for aid in sorted(articles):
        out[assign_split(sha256_text(articles[aid].text), seed, fractions)].append(aid)
    return out


def _seeded(articles: dict[str, Article], seed: int, test_fraction: float, validation_fraction: float):
    return seeded_split(list(articles), seed, test_fraction, validation_fraction)


# The split is looked up by name so that configs say which one they used and old ones stay loadable.
SPLIT_FUNCTIONS: dict[str, Callable[..., dict[str, list[str]]]] = {"seeded.v1": _seeded, "corpus.v1": corpus_split}


def split_ids(
    name: str, articles: dict[str, Article], seed: int, test_fraction: float, validation_fraction: float
) -> dict[str, list[str]]:
    """Apply the split function registered as ``name`` to ``articles`` (id -> Article)."""
    try:
        fn = SPLIT_FUNCTIONS[name]
    except KeyError:
        raise CorpusError(f"unknown split {name!r}; known: {', '.join(SPLIT_FUNCTIONS)}") from None
    return fn(articles, seed=seed, test_fraction=test_fraction, validation_fraction=validation_fraction)
