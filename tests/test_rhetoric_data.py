"""The real training data (skipped without the data directory): PTC spans, the corpus split, NK examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.rhetoric.examples import SENTENCE, SPAN, line_sentences, span_examples
from pipeline.rhetoric.ptc import load_ptc, split_ids

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def ptc(data_dir):
    return load_ptc(data_dir)


def test_ptc_counts_and_offsets(ptc):
    assert len(ptc.articles) == 371
    spans = [g for v in ptc.spans.values() for g in v]
    assert len(spans) == 6128
    for g in spans[:500]:
        ex = span_examples(ptc.articles[g.article_id], [g])[0]
        assert ptc.articles[g.article_id].text[ex.start : ex.end] == ex.text
        assert ex.labels == (g.label,) and ex.repeats >= 1


def test_ptc_corpus_split_by_article(ptc):
    ids = split_ids("corpus.v1", ptc.articles, 13, 0.15, 0.15)
    parts = [set(v) for v in ids.values()]
    assert sum(map(len, parts)) == 371
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    assert len(ids["test"]) > 20 and len(ids["validation"]) > 20


def test_ptc_line_sentences_keep_offsets(ptc):
    art = ptc.articles[sorted(ptc.articles)[0]]
    sents = line_sentences(art, ptc.spans[art.id])
    assert all(art.text[s.start : s.end] == s.text for s in sents)
    assert any(s.techniques for s in sents)


def test_nk_examples_follow_corpus_split(data_dir):
    from pipeline.corpus.builder import assign_split, nk_articles, sha256_text
    from pipeline.rhetoric.nk import load_nk

    if not (ROOT / "corpus" / "annotations" / "nk.gold.jsonl").exists():
        pytest.skip("no NK annotations")
    nk = load_nk(data_dir, ROOT / "corpus" / "annotations")
    arts = {a.id: a for a in nk_articles(data_dir).values()}
    for split, parts in nk.items():
        for ex in parts[SENTENCE][:50] + parts[SPAN][:50]:
            art = arts[ex.article_id]
            assert art.text[ex.start : ex.end] == ex.text
            assert assign_split(sha256_text(art.text), 13, (0.7, 0.15, 0.15)) == split
    assert nk["test"][SENTENCE] and nk["train"][SENTENCE]
