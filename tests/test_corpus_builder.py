"""Corpus builder and validator on tiny hand-written fixtures: splits, joins, PTC/PolNeAR import, checks."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from pipeline.corpus.builder import (
    SPLITS,
    assign_split,
    brat_offset_mismatches,
    build,
    build_corpus,
    corpus_stats,
    read_brat,
    sha256_text,
    span_table,
)
from pipeline.corpus.validate import check_splits, validate_corpus
from pipeline.errors import CorpusError
from pipeline.labels import technique_labels, voice_labels

FX = Path(__file__).parent / "fixtures" / "corpus"
DATA = FX / "data"
ANN = FX / "annotations"
SEED = FX / "seed"
TECHS = technique_labels()


@pytest.fixture()
def ann_dir(tmp_path):
    """A writable copy of the fixture annotations."""
    d = tmp_path / "annotations"
    shutil.copytree(ANN, d)
    return d


def _lines(path):
    return [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines() if x.strip()]


def _write(path, recs):
    Path(path).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")


def _articles_by_split(corpus):
    where = defaultdict(set)
    for split, ds in corpus.items():
        for r in ds:
            where[(r["source"], r["article_id"])].add(split)
    return where


# ---------------------------------------------------------------------------------------------- splits


def test_assign_split_is_deterministic_and_depends_on_seed():
    keys = [f"article-{i}" for i in range(3000)]
    a = [assign_split(k, 13) for k in keys]
    assert a == [assign_split(k, 13) for k in keys]
    b = [assign_split(k, 14) for k in keys]
    assert sum(x != y for x, y in zip(a, b)) > 1000
    shares = {s: a.count(s) / len(a) for s in SPLITS}
    assert shares["train"] == pytest.approx(0.7, abs=0.03)
    assert shares["validation"] == pytest.approx(0.15, abs=0.03)
    assert shares["test"] == pytest.approx(0.15, abs=0.03)


def test_assign_split_never_picks_a_zero_share():
    assert {assign_split(f"k{i}", 1, (0.8, 0.2, 0.0)) for i in range(500)} == {"train", "validation"}


def test_assign_split_rejects_bad_fractions():
    with pytest.raises(CorpusError):
        assign_split("x", 1, (0, 0, 0))


def test_build_nk_and_seed_splits_are_article_level(nlp):
    corpus = build_corpus(DATA, ANN, SEED, sources=("nk", "seed"), nlp=nlp)
    assert set(corpus) == set(SPLITS)
    where = _articles_by_split(corpus)
    assert all(len(s) == 1 for s in where.values())
    assert where[("seed", "mini-seed")] == {"test"}
    # The fixture lists one KCNA story twice under two links (as KCNA does): both ids share a split.
    assert where[("nk", "kcna-ffbd05c111c1")] == where[("nk", "kcna-dae7883aa5b0")]
    # Each row's split follows the hash of its article text and the seed.
    for split, ds in corpus.items():
        for r in ds.filter(lambda r: r["source"] == "nk"):
            assert split == r["split"] == assign_split(r["article_sha256"], 13)
    assert check_splits(corpus) == []


def test_build_nk_rows_join_annotations_with_texts(nlp):
    corpus = build_corpus(DATA, ANN, SEED, sources=("nk", "seed"), nlp=nlp)
    gold = {(r["article_id"], r["start"], r["end"]): r for r in _lines(ANN / "nk.gold.jsonl")}
    rows = [r for ds in corpus.values() for r in ds if r["source"] == "nk"]
    assert len(rows) == len(gold) == 12
    for r in rows:
        g = gold[(r["article_id"], r["start"], r["end"])]
        assert sha256_text(r["text"]) == g["sentence_sha256"]
        assert r["voice"] == voice_labels().index(g["voice"])
        assert r["techniques_annotated"] == (g["techniques"] is not None)
        assert sorted(TECHS[t] for t in r["techniques"]) == sorted(g["techniques"] or [])
        assert [(TECHS[s["technique"]], s["start"], s["end"]) for s in r["spans"]] == [
            (s["technique"], s["start"], s["end"]) for s in g["spans"]
        ]
        assert r["speaker_spans"] == ([g["speaker"]] if g["speaker"] else [])
        assert r["has_attribution"] == -1
    # The KCNA dateline sentence (index 0) is not annotated; annotated rows keep the segmenter's index.
    assert sorted(r["index"] for r in rows if r["article_id"] == "kcna-4ce90e05b979") == [1, 2, 3]


def test_build_without_annotation_files_gives_empty_sources(tmp_path, nlp):
    result = build(DATA, tmp_path, SEED, sources=("nk", "seed"), nlp=nlp)
    assert sum(len(ds) for ds in result.corpus.values()) == 0
    assert "no nk.gold.jsonl" in result.report.sources["nk"]["note"]
    assert result.corpus["train"].features["voice"].names == list(voice_labels())


def test_build_falls_back_to_pass1(ann_dir, nlp):
    (ann_dir / "nk.gold.jsonl").rename(ann_dir / "nk.pass1.jsonl")
    result = build(DATA, ann_dir, SEED, sources=("nk",), nlp=nlp)
    assert result.report.sources["nk"]["file"].endswith("nk.pass1.jsonl")
    assert sum(len(ds) for ds in result.corpus.values()) == 12


def test_build_strict_refuses_a_broken_record_and_lenient_skips_it(ann_dir, nlp):
    recs = _lines(ann_dir / "nk.gold.jsonl")
    recs[4]["article_sha256"] = "0" * 64
    _write(ann_dir / "nk.gold.jsonl", recs)
    with pytest.raises(CorpusError, match=r"nk.gold.jsonl:5: kcna-2024/kcna-4ce90e05b979 .*article_sha256"):
        build_corpus(DATA, ann_dir, SEED, sources=("nk",), nlp=nlp)
    result = build(DATA, ann_dir, SEED, sources=("nk",), nlp=nlp, strict=False, cache_dir=ann_dir / "cache")
    assert sum(len(ds) for ds in result.corpus.values()) == 11
    assert result.report.sources["nk"]["skipped_records"] == 1
    # A lenient build's cache does not let a later strict build through.
    with pytest.raises(CorpusError, match="article_sha256"):
        build_corpus(DATA, ann_dir, SEED, sources=("nk",), nlp=nlp, cache_dir=ann_dir / "cache")


def test_build_uses_cache_until_an_input_changes(ann_dir, tmp_path, nlp):
    cache = tmp_path / "cache"
    first = build(DATA, ann_dir, SEED, sources=("nk",), nlp=nlp, cache_dir=cache)
    again = build(DATA, ann_dir, SEED, sources=("nk",), nlp=nlp, cache_dir=cache)
    assert again.report.sources["nk"].get("cached") and not first.report.sources["nk"].get("cached")
    assert again.corpus["train"]["text"] == first.corpus["train"]["text"]
    recs = _lines(ann_dir / "nk.gold.jsonl")
    recs[0]["voice"] = "other"
    _write(ann_dir / "nk.gold.jsonl", recs)
    changed = build(DATA, ann_dir, SEED, sources=("nk",), nlp=nlp, cache_dir=cache)
    assert not changed.report.sources["nk"].get("cached")
    assert len(list(cache.glob("nk-*"))) == 1


# ---------------------------------------------------------------------------------------------- PTC


def test_ptc_sentence_techniques_are_the_overlapping_gold_spans(nlp):
    result = build(DATA, ANN, SEED, sources=("ptc",), nlp=nlp)
    rows = sorted((r for ds in result.corpus.values() for r in ds), key=lambda r: (r["article_id"], r["index"]))
    got = {(r["article_id"], r["text"]): sorted(TECHS[t] for t in r["techniques"]) for r in rows}
    assert got == {
        ("5001", "Elites plot against the nation"): ["Name_Calling,Labeling"],
        # "nation.\nExperts" (Repetition) crosses the line break, so both sentences carry it.
        ("5001", "The corrupt elites want to destroy our great nation."): [
            "Flag-Waving",
            "Loaded_Language",
            "Repetition",
        ],
        ("5001", "Experts agree this is the only way."): ["Appeal_to_Authority", "Repetition"],
        ("5001", "We must act now, or lose everything."): ["Black-and-White_Fallacy"],
        ("5002", "A quiet day"): [],
        ("5002", "The council met on Tuesday."): [],
        ("5002", "It approved the budget."): [],
    }
    assert all(r["techniques_annotated"] and r["voice"] == -1 for r in rows)
    texts = {a: (DATA / f"ptc/train-articles/article{a}.txt").read_text(encoding="utf-8") for a in ("5001", "5002")}
    assert all(texts[r["article_id"]][r["start"] : r["end"]] == r["text"] for r in rows)
    text = texts["5001"]
    assert result.report.sources["ptc"]["spans_crossing_sentences"] == 1
    assert _articles_by_split(result.corpus)[("ptc", "5001")] == {assign_split(sha256_text(text), 13)}
    spans = span_table(result.corpus)
    table = sorted((TECHS[s["technique"]], s["start"], s["end"], s["text"]) for ds in spans.values() for s in ds)
    assert len(table) == 6  # the crossing span is listed once
    assert ("Repetition", 77, 92, "nation.\nExperts") in table


# ---------------------------------------------------------------------------------------------- PolNeAR


def test_read_brat_parses_relations_fragments_and_continued_text():
    doc = read_brat(DATA / "polnear/train/attributions/fx_2016-01-01_bill_a1.ann")
    assert doc.problems == []
    assert doc.entities["T7"].fragments == ((41, 49), (68, 79))
    assert doc.entities["T7"].text == "The vote was rigged."
    kinds = [(a.type, a.sources, a.cues, a.contents) for a in doc.attributions]
    assert kinds == [
        ("Attribution", ("T1",), ("T2",), ("T3",)),
        ("Attribution", ("T5",), ("T6",), ("T7",)),
        ("Attribution-no-source", (), ("T9",), ("T10",)),
    ]
    dev = read_brat(DATA / "polnear/dev/attributions/fx_2016-10-01_road_c3.ann")
    assert dev.entities["T3"].text == "the road\nwill open soon"
    text = (DATA / "polnear/dev/text/fx_2016-10-01_road.txt").read_text(encoding="utf-8")
    assert brat_offset_mismatches(dev, text) == []


def test_brat_offset_mismatch_is_reported(tmp_path):
    ann = tmp_path / "x_a1.ann"
    ann.write_text("T1\tSource 0 5\tHello\nT2\tCue 6 11\twrong\nT3\tContent 6 99\ttoo far\n", encoding="utf-8")
    found = brat_offset_mismatches(read_brat(ann), "Hello world")
    assert len(found) == 2
    assert "x_a1.ann:2: T2 Cue says 'wrong', offsets give 'world'" in found[0]
    assert "outside the text" in found[1]


def test_read_brat_keeps_blank_lines_inside_a_span_text(tmp_path):
    # PolNeAR writes a span over a paragraph break with the break in its text: "3.", "", "The ..."
    ann = tmp_path / "x_a1.ann"
    ann.write_text("T1\tContent 0 7;8 11\t3.\n\nThe end\nT2\tCue 8 11\tend\n", encoding="utf-8")
    doc = read_brat(ann)
    assert doc.problems == []
    assert doc.entities["T1"].text == "3.\n\nThe end"
    assert brat_offset_mismatches(doc, "3.\n\nThe end") == []


def test_polnear_rows_flag_attributed_sentences(nlp):
    result = build(DATA, ANN, SEED, sources=("polnear",), nlp=nlp)
    rows = {(r["article_id"], r["index"]): r for ds in result.corpus.values() for r in ds}
    bill = [rows[("fx_2016-01-01_bill", i)] for i in range(4)]
    # Annotator a1 (first in sorted order) is used, not b2 (who marked the last sentence).
    assert [r["has_attribution"] for r in bill] == [1, 1, 1, 0]
    assert {r["annotator"] for r in bill} == {"a1"}
    assert bill[0]["speaker_spans"] == [{"start": 0, "end": 13}] and bill[0]["cue_spans"] == [{"start": 14, "end": 18}]
    assert bill[1]["speaker_spans"] == [{"start": 52, "end": 59}]
    assert bill[2]["speaker_spans"] == [] and bill[2]["cue_spans"] == [{"start": 81, "end": 96}]
    assert all(not r["techniques_annotated"] and r["voice"] == -1 for r in bill)
    road = [rows[("fx_2016-10-01_road", i)] for i in range(3)]
    assert [r["has_attribution"] for r in road] == [1, 1, 0]
    assert {r["split"] for r in road} == {"test"}  # PolNeAR dev is the benchmark split
    assert bill[0]["split"] in ("train", "validation")
    assert result.report.sources["polnear"]["multi_annotated_articles"] == 1
    assert result.report.sources["polnear"]["brat_offset_mismatches"] == 0


def test_corpus_stats_counts_sources_and_labels(nlp):
    corpus = build_corpus(DATA, ANN, SEED, nlp=nlp)
    stats = corpus_stats(corpus)
    assert stats["totals"]["nk"]["sentences"] == 12 and stats["totals"]["nk"]["articles"] == 5
    assert stats["totals"]["nk"]["texts"] == 4  # one story under two KCNA ids
    assert stats["totals"]["ptc"]["spans"] == 6  # distinct spans; the crossing one counted once
    assert stats["totals"]["nk"]["techniques"]["Loaded_Language"] == 4
    assert stats["totals"]["seed"]["voice"] == {"narration": 2, "source_testimony": 1, "state_media": 1}
    assert stats["totals"]["polnear"]["has_attribution"] == {1: 5, 0: 2}
    assert stats["totals"]["ptc"]["with_technique"] == 4


# ---------------------------------------------------------------------------------------------- validate


def test_validate_fixture_corpus_is_clean(nlp):
    assert validate_corpus(ANN, DATA, SEED, nlp=nlp) == []


def _validate(ann_dir, nlp):
    return [str(p) for p in validate_corpus(ann_dir, DATA, SEED, nlp=nlp)]


def test_validate_reports_broken_offsets(ann_dir, nlp):
    recs = _lines(ann_dir / "nk.gold.jsonl")
    recs[1]["start"] += 3
    _write(ann_dir / "nk.gold.jsonl", recs)
    found = _validate(ann_dir, nlp)
    assert len(found) == 1
    assert found[0].startswith(f"{ann_dir / 'nk.gold.jsonl'}:2: kcna-2024/kcna-ffbd05c111c1 106-185: offsets 106-185")
    assert "sentence_sha256" in found[0] and "fix:" in found[0]


def test_validate_reports_a_changed_article_checksum(ann_dir, nlp):
    recs = _lines(ann_dir / "seed.gold.jsonl")
    recs[2]["article_sha256"] = "f" * 64
    _write(ann_dir / "seed.gold.jsonl", recs)
    found = _validate(ann_dir, nlp)
    assert any(":3: seed/mini-seed " in f and "article_sha256 does not match" in f for f in found)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("voice", "propaganda", "unknown voice label 'propaganda'"),
        ("techniques", ["Loaded_Language", "Lies"], "unknown technique 'Lies'"),
        ("spans", [{"technique": "Loaded_Language", "start": 0, "end": 5}], "is not inside the sentence"),
        ("spans", [{"technique": "Doubt", "start": 30, "end": 40}], "missing from the sentence's techniques"),
        ("speaker", {"start": 5, "end": 99999}, "outside the article"),
    ],
)
def test_validate_reports_label_problems(ann_dir, nlp, field, value, message):
    recs = _lines(ann_dir / "nk.gold.jsonl")
    recs[0][field] = value
    _write(ann_dir / "nk.gold.jsonl", recs)
    found = _validate(ann_dir, nlp)
    assert any(
        f.startswith(f"{ann_dir / 'nk.gold.jsonl'}:1: kcna-2024/kcna-ffbd05c111c1 29-102") and message in f
        for f in found
    ), found


def test_validate_reports_an_incomplete_seed_annotation(ann_dir, nlp):
    recs = _lines(ann_dir / "seed.gold.jsonl")
    _write(ann_dir / "seed.gold.jsonl", recs[:2] + recs[3:])
    found = _validate(ann_dir, nlp)
    assert len(found) == 1 and "has no annotation record" in found[0] and "seed/mini-seed" in found[0]


def test_validate_reports_unknown_article_and_duplicates(ann_dir, nlp):
    recs = _lines(ann_dir / "nk.gold.jsonl")
    recs.append(dict(recs[0]))
    recs.append({**recs[1], "article_id": "kcna-000000000000"})
    _write(ann_dir / "nk.gold.jsonl", recs)
    found = _validate(ann_dir, nlp)
    assert any(":13: " in f and "duplicate record (first at line 1)" in f for f in found)
    assert any(":14: kcna-2024/kcna-000000000000" in f and "not found" in f for f in found)


def test_validate_reports_an_article_in_two_splits(nlp):
    from datasets import concatenate_datasets

    corpus = build_corpus(DATA, ANN, SEED, sources=("nk",), nlp=nlp)
    # Simulate a stale or buggy build: one train article's rows copied into test.
    train = corpus["train"]
    leaked = train.filter(lambda r: r["article_id"] == train[0]["article_id"])
    corpus["test"] = concatenate_datasets([corpus["test"], leaked])
    found = [str(p) for p in validate_corpus(ANN, DATA, SEED, corpus=corpus, nlp=nlp)]
    aid = train[0]["article_id"]
    assert len(found) == 1
    assert "nk.gold.jsonl:" in found[0] and f"kcna-2024/{aid}: nk article is in splits test, train" in found[0]


def test_check_splits_catches_the_same_text_under_two_ids(nlp):
    from datasets import DatasetDict

    corpus = build_corpus(DATA, ANN, SEED, sources=("nk",), nlp=nlp)
    rows = {s: ds.to_list() for s, ds in corpus.items()}
    # Move one of the two ids of the duplicated KCNA story to another split.
    src = next(s for s, rs in rows.items() if any(r["article_id"] == "kcna-dae7883aa5b0" for r in rs))
    dst = next(s for s in SPLITS if s != src)
    moved = [r for r in rows[src] if r["article_id"] == "kcna-dae7883aa5b0"]
    rows[src] = [r for r in rows[src] if r["article_id"] != "kcna-dae7883aa5b0"]
    rows[dst] += moved
    feats = corpus["train"].features
    from datasets import Dataset

    broken = DatasetDict(
        {s: Dataset.from_list(rs, features=feats) if rs else corpus[s].select([]) for s, rs in rows.items()}
    )
    found = [str(p) for p in check_splits(broken)]
    assert len(found) == 1 and "same text under 2 ids" in found[0] and "kcna-dae7883aa5b0" in found[0]


# ---------------------------------------------------------------------------------------------- CLI


def _cli(args):
    from typer.testing import CliRunner

    from pipeline.cli import app

    return CliRunner().invoke(app, args)


def test_cli_validate_exits_1_with_one_line_per_problem(ann_dir, tmp_path):
    common = [
        "--data-dir",
        str(DATA),
        "--seed-dir",
        str(SEED),
        "--out",
        str(tmp_path / "out"),
        "--source",
        "nk",
        "--source",
        "seed",
    ]
    ok = _cli(["corpus", "validate", "--annotations", str(ann_dir), *common])
    assert ok.exit_code == 0, ok.output
    recs = _lines(ann_dir / "nk.gold.jsonl")
    recs[2]["voice"] = "shouting"
    _write(ann_dir / "nk.gold.jsonl", recs)
    bad = _cli(["corpus", "validate", "--annotations", str(ann_dir), *common])
    assert bad.exit_code == 1
    assert "nk.gold.jsonl:3: kcna-2024/kcna-ffbd05c111c1 186-268: unknown voice label 'shouting'" in bad.output


def test_cli_build_and_stats(tmp_path):
    from datasets import load_from_disk

    common = ["--data-dir", str(DATA), "--annotations", str(ANN), "--seed-dir", str(SEED), "--out", str(tmp_path)]
    res = _cli(["corpus", "build", *common])
    assert res.exit_code == 0, res.output
    ds = load_from_disk(str(tmp_path / "dataset"))
    assert sum(len(d) for d in ds.values()) == 12 + 4 + 7 + 7
    assert (tmp_path / "spans").is_dir() and (tmp_path / "build.json").is_file()
    stats = _cli(["corpus", "stats", *common])
    assert stats.exit_code == 0
    assert "| **nk** | all | 5 | 4 | 12 |" in stats.output
    assert "from cache" in stats.output


def test_cli_agreement_needs_both_passes(tmp_path):
    res = _cli(["corpus", "agreement", "--annotations", str(tmp_path)])
    assert res.exit_code == 1 and "nk.pass1.jsonl: annotation file not found" in res.output


# ---------------------------------------------------------------------------------------------- real data


@pytest.mark.slow
def test_build_real_ptc_first_three_articles(data_dir, nlp):
    result = build(data_dir, ANN, SEED, sources=("ptc",), nlp=nlp, limit=3)
    rows = [r for ds in result.corpus.values() for r in ds]
    assert result.report.sources["ptc"]["articles"] == 3
    assert result.report.sources["ptc"]["spans_outside_text"] == 0
    texts = {}
    for r in rows:
        if r["article_id"] not in texts:
            texts[r["article_id"]] = (data_dir / f"ptc/train-articles/article{r['article_id']}.txt").read_text(
                encoding="utf-8"
            )
        assert texts[r["article_id"]][r["start"] : r["end"]] == r["text"]
        for sp in r["spans"]:
            assert sp["start"] < r["end"] and sp["end"] > r["start"]
            assert TECHS[sp["technique"]] in {TECHS[t] for t in r["techniques"]}
    assert any(r["techniques"] for r in rows)
    assert all(len(s) == 1 for s in _articles_by_split(result.corpus).values())
