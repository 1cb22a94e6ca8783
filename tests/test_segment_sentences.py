"""Segmentation: exact offsets, the seed article's real sentences, quotes and abbreviations."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.records import Article
from pipeline.segment import quote_states, segment_article

# Hand-checked against the article: (first words, last words) of each of its 26 sentences.
SEED_SENTENCES = [
    ("Empty promises: N. Korea’s new factories", "for ordinary citizens"),
    ("North Korea is boasting", "20×10 regional development policy."),
    ("However, ordinary North Koreans", "are actually going."),
    ("“Three administrative regions", "for regional factory projects."),
    ("Construction began quickly", "a source in the province told Daily NK recently."),
    ("“The government distributed", "don’t feel much has changed.”"),
    ("The Rodong Sinmun newspaper published several", "new factories in Unsan county."),
    ("The images show", "now operating in the county."),
    ("Notably, the Rodong Sinmun newspaper reported", "rolling off the assembly line.”"),
    ("In reality, however, the source said", "since the factories were built."),
    ("“They held a fancy", "one local said."),
    ("“We don’t need anything exotic", "exotic or special."),
    ("We just want a decent supply", "basic condiments in Korean cuisine."),
    ("“Contrary to people’s hopes", "and distribution centers."),
    ("The only way locals", "the source said."),
    ("Additionally, staff at the newly", "actual production work."),
    ("According to the source", "as long as possible."),
    ("“For the officials running", "than their actual output."),
    ("As a result, officials", "the source said."),
    ("“Workers are being mobilized", "birthday of Kim Il Sung)."),
    ("Later, large numbers", "necessary raw supplies.”"),
    ("The Rodong Sinmun newspaper published an article", "for the new factories."),
    ("“Officials, technicians, and laborers", "the newspaper stated."),
    ("Despite the ongoing propaganda", "locals’ daily lives."),
    ("“Locals say it’s one thing", "and cooking oil."),
    ("To them, it seems like", "the source concluded."),
]


def test_seed_segments_into_real_sentences(seed_article, seed_sentences):
    got = [(s.text, s.index) for s in seed_sentences]
    assert len(got) == len(SEED_SENTENCES)
    for (text, i), (first, last) in zip(got, SEED_SENTENCES):
        assert text.startswith(first) and text.endswith(last), (i, text)
    for s in seed_sentences:
        assert seed_article.text[s.start : s.end] == s.text


def test_seed_quote_states(seed_sentences):
    states = [s.quote for s in seed_sentences]
    assert states[3:6] == ["opens", "closes", "contains"]
    assert states[11:15] == ["opens", "closes", "opens", "closes"]
    assert states[19:21] == ["opens", "closes"]
    assert states[22] == "contains"
    assert states[1] == "none"


def test_seed_paragraphs_increase(seed_sentences):
    paragraphs = [s.paragraph for s in seed_sentences]
    assert paragraphs == sorted(paragraphs)
    assert seed_sentences[3].paragraph == seed_sentences[4].paragraph != seed_sentences[5].paragraph


def _article(text: str) -> Article:
    return Article(id="t", text=text)


def test_no_split_on_abbreviations(nlp):
    text = "The ceremony was held on Feb. 16 in the north. N. Korea denied it. Gen. Kim spoke at noon."
    sents = [s.text for s in segment_article(_article(text), nlp)]
    assert sents == ["The ceremony was held on Feb. 16 in the north.", "N. Korea denied it.", "Gen. Kim spoke at noon."]


def test_no_split_inside_quote_before_speaker(nlp):
    text = '"Is it working?" he asked. “No. Nothing works,” the source said. She left.'
    sents = [s.text for s in segment_article(_article(text), nlp)]
    assert sents[0] == '"Is it working?" he asked.'
    assert sents[-1] == "She left."
    assert all(not s.startswith(("”", '"', "’")) or s.startswith(("“", '"')) for s in sents)
    assert any(s.endswith("the source said.") for s in sents)


def test_quote_states_multi_sentence_straight_quotes():
    text = '"One. Two. Three," he said. Four.'
    spans = [(0, 4, 0), (5, 9, 0), (10, 27, 0), (28, 33, 0)]
    assert quote_states(text, spans) == ["opens", "continues", "closes", "none"]


def test_quote_state_resets_per_paragraph():
    text = "“Open quote runs on.\n\n“It opens again.”"
    assert quote_states(text, [(0, 20, 0), (22, 39, 1)]) == ["opens", "contains"]


_pieces = st.sampled_from(
    [
        "The",
        "factory",
        "opened",
        "on",
        "Feb. 16",
        "in",
        "N. Korea",
        "officials",
        "said",
        "workers",
        "Mr. Ri",
        "U.S.",
        "“",
        "”",
        '"',
        "‘",
        "’",
        ",",
        ".",
        "?",
        "!",
        "—",
        "(",
        ")",
        "\n",
        "\n\n",
        "  ",
        "they'll",
        "e.g.",
        "3.5",
        "Kim Jong Un",
        "the source told Daily NK.",
        "“We want soy sauce.”",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_pieces, min_size=1, max_size=60))
def test_offsets_address_original_text(nlp, pieces):
    text = " ".join(pieces)
    sents = segment_article(_article(text), nlp)
    prev_end = 0
    for i, s in enumerate(sents):
        assert s.index == i
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= prev_end
        assert "\n" not in s.text
        at_line_end = text[s.end :].lstrip(" ").startswith("\n") or s.end == len(text.rstrip())
        assert not s.text.endswith((" Feb.", " N.", " Mr.")) or at_line_end
        prev_end = s.end
    # Every non-space character of the text belongs to some sentence.
    covered = sum(len(s.text.replace(" ", "")) for s in sents)
    assert covered == len(text.replace(" ", "").replace("\n", ""))


def test_typewriter_quote_pairs_count_as_quotes():
    # NYT text in PolNeAR writes quotes as ''...'' ; apostrophes alone stay out of it.
    text = "''We will win,'' he said. It's Bob's.\n\n``Never,'' she said."
    spans = [(0, 25, 0), (26, 37, 0), (39, 59, 1)]
    assert quote_states(text, spans) == ["contains", "none", "contains"]
    from pipeline.segment.quotes import quote_regions

    assert quote_regions(text, 0, 37) == [(0, 16)]


def test_voice_rules_use_the_segmenters_quote_marks():
    import pipeline.segment.quotes as segment_quotes
    import pipeline.voice.attribute as attribute

    assert attribute.quote_states is segment_quotes.quote_states
    assert attribute.quote_regions is segment_quotes.quote_regions
