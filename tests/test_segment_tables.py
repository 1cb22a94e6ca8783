"""The fast parse setup (numpy BLAS, table attribute ruler and lemmatizer) against spaCy's stock one."""

from __future__ import annotations

import pytest
import spacy

from pipeline.segment.nlp import DEFAULT_MODEL, load_nlp
from pipeline.segment.tables import TableAttributeRuler, TableLemmatizer, use_tables

ATTRS = ["ORTH", "TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "SENT_START"]

# Texts that reach the ruler's word exceptions, its two-token and regex rules, its NOT_IN tests,
# whitespace tokens and the lemmatizer's exception tables.
TRICKY = [
    "I ain't gonna go, y'all. Let's c'mon, we gotta leave. Nothin' doin', he said.",
    "There is a man who gets it; there were others. He got it and gave it to me and you.",
    "Which one? That one, not this. Do you have it? I do, and I had, and we'd done it.",
    "  \n  Leading   spaces\n\nand blank lines\t\t",
    "The mice were running; geese flew better than the worst oxen. She's been studying.",
    "",
]


@pytest.fixture(scope="module")
def pair():
    stock = spacy.load(DEFAULT_MODEL, exclude=["ner"])
    tables = use_tables(spacy.load(DEFAULT_MODEL, exclude=["ner"]))
    return stock, tables


def _arrays(nlp, texts):
    return [doc.to_array(ATTRS) for doc in nlp.pipe(texts)]


def test_components_are_swapped_and_keep_their_names(pair):
    _, tables = pair
    assert tables.pipe_names[-2:] == ["attribute_ruler", "lemmatizer"]
    assert isinstance(tables.get_pipe("attribute_ruler"), TableAttributeRuler)
    assert isinstance(tables.get_pipe("lemmatizer"), TableLemmatizer)
    # The shipped ruler must compile to tables; a fallback would hide the speed-up silently.
    assert tables.get_pipe("attribute_ruler")._compiled() is not None


def test_same_annotations_as_stock_on_tricky_text_and_the_seed(pair, seed_article):
    stock, tables = pair
    texts = TRICKY + [seed_article.text]
    for text, a, b in zip(texts, _arrays(stock, texts), _arrays(tables, texts)):
        assert (a == b).all(), text[:60]


def test_fast_load_nlp_equals_stock_spacy(seed_article):
    fast = load_nlp(exclude=("ner",))
    stock = load_nlp(exclude=("ner",), fast=False)
    models = [p.model for _, p in fast.pipeline if getattr(p, "model", None)]
    assert models and all(type(m.ops).__name__ == "NumpyOps" and not m.ops.use_blis for m in models)
    texts = TRICKY + seed_article.text.split("\n\n")
    for text, a, b in zip(texts, _arrays(stock, texts), _arrays(fast, texts)):
        assert (a == b).all(), text[:60]


def test_unsupported_pattern_falls_back_to_spacys_matcher():
    stock = spacy.load(DEFAULT_MODEL, exclude=["ner", "lemmatizer"])
    nlp = use_tables(spacy.load(DEFAULT_MODEL, exclude=["ner", "lemmatizer"]))
    pattern = [[{"LOWER": "kim"}, {"IS_TITLE": True, "OP": "+"}]]
    for p in (stock, nlp):
        p.get_pipe("attribute_ruler").add(pattern, {"TAG": "NNP"}, index=-1)
    assert nlp.get_pipe("attribute_ruler")._compiled() is None
    text = "Kim Jong Un said kim Il Sung University opened."
    doc = nlp(text)
    assert doc[2].tag_ == "NNP"
    assert (doc.to_array(ATTRS) == stock(text).to_array(ATTRS)).all()


def test_rules_added_later_are_compiled_in(pair):
    nlp = use_tables(spacy.load(DEFAULT_MODEL, exclude=["ner"]))
    ruler = nlp.get_pipe("attribute_ruler")
    before = nlp("The juche idea prevails.")
    assert before[1].lemma_ == "juche"
    ruler.add([[{"LOWER": "juche"}]], {"LEMMA": "Juche", "POS": "PROPN"})
    after = nlp("The juche idea prevails.")
    assert (after[1].lemma_, after[1].pos_) == ("Juche", "PROPN")
    assert ruler._compiled() is not None


def test_saved_pipeline_reloads_with_the_table_components(tmp_path):
    nlp = use_tables(spacy.load(DEFAULT_MODEL, exclude=["ner"]))
    nlp.to_disk(tmp_path / "nlp")
    again = spacy.load(tmp_path / "nlp")
    assert isinstance(again.get_pipe("attribute_ruler"), TableAttributeRuler)
    text = TRICKY[0]
    assert (again(text).to_array(ATTRS) == nlp(text).to_array(ATTRS)).all()
