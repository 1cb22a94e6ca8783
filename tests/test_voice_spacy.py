"""The ``pw_voice`` spaCy component: nlp.add_pipe and the span extensions."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")


@pytest.fixture(scope="module")
def voice_nlp():
    import pipeline.voice.spacy_components  # noqa: F401 - registers the factory
    from pipeline.segment import DEFAULT_MODEL

    # A pipeline of the test's own: the component must not be added to the shared cached one.
    nlp = spacy.load(DEFAULT_MODEL, exclude=["ner"])
    nlp.add_pipe("pw_voice")
    return nlp


def test_spacy_component_sets_span_extensions(voice_nlp):
    doc = voice_nlp(
        "“We need soy sauce,” a source in Ryanggang province told Daily NK.\n\n"
        "The Rodong Sinmun published a report.\n\n“Output rose sharply,” the newspaper stated."
    )
    got = [(s._.pw_voice, s._.pw_speaker.text if s._.pw_speaker else None) for s in doc.sents]
    assert got == [
        ("source_testimony", "a source in Ryanggang province"),
        ("narration", None),
        ("state_media", "the newspaper"),
    ]
    first = next(iter(doc.sents))
    assert first._.pw_cue.text == "told"
    assert 0.0 < first._.pw_voice_score <= 1.0
    assert len(doc._.pw_voices) == 3


def test_spacy_component_config_outlet_makes_state_media(voice_nlp):
    from pipeline.segment import DEFAULT_MODEL

    nlp = spacy.load(DEFAULT_MODEL, exclude=["ner"])
    nlp.add_pipe("pw_voice", config={"outlet": "KCNA"})
    doc = nlp("A meeting was held on Monday. The plan was fulfilled.")
    assert {s._.pw_voice for s in doc.sents} == {"state_media"}


def test_spacy_component_registered_in_factories(voice_nlp):
    from spacy.language import Language

    assert Language.has_factory("pw_voice")
    assert "pw_voice" in voice_nlp.pipe_names


def test_spacy_component_add_components_is_idempotent():
    from pipeline.segment import DEFAULT_MODEL
    from pipeline.voice.spacy_components import add_components

    nlp = spacy.load(DEFAULT_MODEL, exclude=["ner"])
    add_components(add_components(nlp))
    assert nlp.pipe_names.count("pw_voice") == 1


def test_spacy_component_pipeline_with_component_still_analyses_articles(voice_nlp, seed_article):
    from pipeline.voice import attribute_article

    res = attribute_article(seed_article, voice_nlp)
    assert res[8].voice == "state_media" and res[9].voice == "source_testimony"
