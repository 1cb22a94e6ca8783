"""The shared BRAT standoff parser on tiny hand-written .ann strings, and the readers built on it."""

from __future__ import annotations

import pytest

from pipeline.errors import CorpusError
from pipeline.ingest.brat import BratAttribution, parse_brat, read_brat
from pipeline.voice.polnear import GoldAttribution, parse_ann

ANN = (
    "T1\tSource 0 9\tThe mayor\n"
    "T2\tCue 10 14\tsaid\n"
    "T3\tContent 15 17;18 21\t3.\n"
    "\n"
    "The end\n"
    "T4\tContent 30 35\tmore.\n"
    "T5\tAttribution 10 14\tsaid\n"
    "E1\tAttribution:T5 Source:T1 Cue:T2 Content:T3 Content2:T4\n"
    "#1\tAnnotatorNotes T1\ta note\n"
)


def test_brat_parses_entities_attributions_and_continued_text():
    doc = parse_brat(ANN, "x_a1.ann")
    assert doc.path == "x_a1.ann" and doc.problems == []
    assert doc.entities["T3"].fragments == ((15, 17), (18, 21))
    assert doc.entities["T3"].text == "3.\n\nThe end"
    assert doc.entities["T4"].line == 6
    assert doc.attributions == [
        BratAttribution(
            "E1",
            "Attribution",
            ("T1",),
            ("T2",),
            ("T3", "T4"),
            8,
            (("Attribution", "T5"), ("Source", "T1"), ("Cue", "T2"), ("Content", "T3"), ("Content2", "T4")),
        )
    ]


def test_brat_read_file_equals_parse_of_its_text(tmp_path):
    ann = tmp_path / "x_a1.ann"
    ann.write_text(ANN, encoding="utf-8")
    assert read_brat(ann) == parse_brat(ANN, str(ann))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("T1\tCue 4 x\tsaid\n", "x_a1.ann:1: cannot read offsets '4 x'"),
        ("stray\nT1\tCue 4 8\tsaid\n", "x_a1.ann:1: line is neither a T, E nor # annotation"),
    ],
)
def test_brat_unreadable_line_is_a_problem_not_an_error(text, problem):
    assert parse_brat(text, "x_a1.ann").problems == [problem]


def test_brat_strict_offsets_raises_naming_file_and_line():
    with pytest.raises(CorpusError, match=r"x_a1\.ann:3: cannot read span offsets '4 x'"):
        parse_brat("T1\tCue 0 4\tsaid\n\nT2\tCue 4 x\tsaid\n", "x_a1.ann", strict_offsets=True)


def test_parse_ann_counts_numbered_content_as_content():
    # "Content2" is more content of the same attribution, as the corpus builder reads it too.
    (att,) = parse_ann(ANN)
    assert att == GoldAttribution(source=((0, 9),), cue=((10, 14),), content=((15, 17), (18, 21), (30, 35)))
    with pytest.raises(CorpusError, match=r"y\.ann:1: cannot read span offsets"):
        parse_ann("T1\tCue a b\tsaid\n", "y.ann")


@pytest.mark.parametrize(
    "name", ["read_brat", "BratDocument", "BratEntity", "BratAttribution", "brat_offset_mismatches"]
)
def test_brat_names_stay_importable_from_the_corpus_package(name):
    import pipeline.corpus
    import pipeline.corpus.builder
    import pipeline.ingest.brat

    shared = getattr(pipeline.ingest.brat, name)
    assert getattr(pipeline.corpus, name) is shared and getattr(pipeline.corpus.builder, name) is shared
