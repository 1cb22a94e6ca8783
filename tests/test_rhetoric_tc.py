"""SemEval TC: the scorer on hand-computed cases, decoding, template parsing and classify-spans errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.errors import InputError, ModelError
from pipeline.rhetoric import Example, classify_spans, create_model, decode_tc, read_tc_file, tc_scores
from pipeline.rhetoric.metrics import multilabel_scores

FIXTURE = Path(__file__).parent / "fixtures" / "rhetoric" / "data" / "ptc"
ARTICLES = FIXTURE / "train-articles"
GOLD = FIXTURE / "train-task-flc-tc.labels"


# -- scorer ---------------------------------------------------------------------------------
def test_tc_scorer_all_correct_and_all_wrong():
    gold = [("1", "Doubt", 0, 5), ("1", "Slogans", 10, 20)]
    assert tc_scores(gold, gold)["micro"]["f1"] == 1.0
    wrong = [("1", "Slogans", 0, 5), ("1", "Doubt", 10, 20)]
    assert tc_scores(gold, wrong)["micro"]["f1"] == 0.0


def test_tc_scorer_hand_computed_with_duplicate_spans():
    # Span (1, 0, 5) is gold twice with two techniques; predicting both in any order scores 2,
    # predicting one twice scores 1. Span (2, 3, 9) is wrong.
    gold = [("1", "Doubt", 0, 5), ("1", "Repetition", 0, 5), ("2", "Slogans", 3, 9)]
    pred = [("1", "Repetition", 0, 5), ("1", "Doubt", 0, 5), ("2", "Doubt", 3, 9)]
    s = tc_scores(gold, pred)
    assert s["micro"]["precision"] == pytest.approx(2 / 3)
    assert s["micro"]["recall"] == pytest.approx(2 / 3)
    assert s["micro"]["f1"] == pytest.approx(2 / 3)
    pred_twice = [("1", "Doubt", 0, 5), ("1", "Doubt", 0, 5), ("2", "Slogans", 3, 9)]
    assert tc_scores(gold, pred_twice)["micro"]["f1"] == pytest.approx(2 / 3)
    per = s["per_label"]
    # Doubt: 1 correct of 2 predicted, 1 gold -> P 0.5, R 1, F1 2/3. Slogans: 0 of 0 predicted, 1 gold.
    assert per["Doubt"]["precision"] == pytest.approx(0.5) and per["Doubt"]["recall"] == 1.0
    assert per["Doubt"]["f1"] == pytest.approx(2 / 3)
    assert per["Slogans"]["f1"] == 0.0 and per["Slogans"]["support"] == 1


def test_tc_scorer_unequal_counts():
    # 2 gold, 1 prediction (correct): P = 1, R = 0.5, F1 = 2/3; a prediction for an unknown span
    # only costs precision.
    gold = [("1", "Doubt", 0, 5), ("1", "Slogans", 10, 20)]
    assert tc_scores(gold, [("1", "Doubt", 0, 5)])["micro"]["f1"] == pytest.approx(2 / 3)
    s = tc_scores(gold, [*gold, ("9", "Doubt", 1, 2)])["micro"]
    assert s["precision"] == pytest.approx(2 / 3) and s["recall"] == 1.0


def test_decode_tc_argmax_and_top_k_for_duplicates():
    labels = ["A", "B", "C"]
    keys = [("1", 0, 5), ("1", 0, 5), ("1", 6, 9)]
    proba = np.array([[0.1, 0.7, 0.5], [0.1, 0.7, 0.5], [0.9, 0.2, 0.1]])
    assert decode_tc(keys, proba, labels) == ["B", "C", "A"]


def test_multilabel_scores_hand_computed():
    gold = np.array([[1, 0], [0, 1], [0, 0], [1, 1]])
    pred = np.array([[1, 0], [0, 0], [1, 0], [1, 1]])
    s = multilabel_scores(gold, pred, ["a", "b"])
    # tp 3 (a:2, b:1), predicted 4, gold 4.
    assert s["micro"]["f1"] == pytest.approx(0.75)
    # a: P 2/3 R 1 F 0.8; b: P 1 R 0.5 F 2/3.
    assert s["macro_f1"] == pytest.approx((0.8 + 2 / 3) / 2)
    # any: gold rows 0,1,3; predicted rows 0,2,3 -> tp 2, P 2/3, R 2/3.
    assert s["any_technique"]["f1"] == pytest.approx(2 / 3)


# -- template parsing -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "line, message",
    [
        ("1001\t?\t5", "expected 4 tab-separated fields"),
        ("1001\t?\tfive\t9", "offsets must be integers"),
        ("1001\t?\t9\t9", "bad offsets"),
        ("1001\t?\t-1\t9", "bad offsets"),
    ],
)
def test_template_bad_line_names_file_and_line(tmp_path, line, message):
    p = tmp_path / "t.labels"
    p.write_text(f"1001\t?\t0\t7\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"t\.labels:2: {message}"):
        read_tc_file(p)


def test_template_reads_gold_file():
    spans = read_tc_file(GOLD)
    assert len(spans) == 27 and spans[0].article_id == "1001" and spans[0].line == 1
    text = (ARTICLES / "article1001.txt").read_text(encoding="utf-8")
    assert text[spans[0].start : spans[0].end] == "disastrous, reckless"


# -- classify-spans ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def span_model(tmp_path_factory):
    from pipeline.ingest import read_ptc
    from pipeline.rhetoric.examples import span_examples

    spans = read_tc_file(GOLD)
    examples: list[Example] = []
    for aid in sorted({g.article_id for g in spans}):
        art = read_ptc(str(ARTICLES / f"article{aid}.txt"))
        examples += span_examples(art, [g for g in spans if g.article_id == aid])
    model = create_model("tfidf_linear.v1", min_df=1).fit(examples)
    model.inputs_ = {"mode": "span", "context_chars": 600}
    folder = tmp_path_factory.mktemp("m") / "tfidf"
    model.save(folder)
    return folder


def template(tmp_path, lines):
    p = tmp_path / "template.labels"
    p.write_text("".join(lines), encoding="utf-8")
    return p


def test_classify_spans_writes_one_prediction_per_line(tmp_path, span_model):
    gold = GOLD.read_text(encoding="utf-8").splitlines()
    tpl = template(tmp_path, ["\t".join([ln.split("\t")[0], "?", *ln.split("\t")[2:]]) + "\n" for ln in gold])
    out = tmp_path / "pred.labels"
    assert classify_spans(ARTICLES, tpl, out, span_model) == len(gold)
    pred = out.read_text(encoding="utf-8").splitlines()
    assert [p.split("\t")[::2] for p in pred] == [g.split("\t")[::2] for g in gold]
    assert all(p.split("\t")[1] != "?" for p in pred)
    g = [tuple(x.split("\t")) for x in gold]
    p = [tuple(x.split("\t")) for x in pred]
    # Trained on these spans: the baseline must get nearly all of them.
    assert tc_scores(g, p)["micro"]["f1"] > 0.9


def test_classify_spans_missing_article_names_template_line(tmp_path, span_model):
    tpl = template(tmp_path, ["1001\t?\t0\t7\n", "4242\t?\t0\t7\n"])
    with pytest.raises(InputError, match=r"template\.labels:2: article file .*article4242\.txt not found"):
        classify_spans(ARTICLES, tpl, tmp_path / "o", span_model)


def test_classify_spans_offsets_past_end_name_line(tmp_path, span_model):
    tpl = template(tmp_path, ["1001\t?\t0\t7\n", "1001\t?\t10\t99999\n"])
    with pytest.raises(InputError, match=r"template\.labels:2: bad offsets 10\.\.99999"):
        classify_spans(ARTICLES, tpl, tmp_path / "o", span_model)
    assert not (tmp_path / "o").exists()


def test_classify_spans_unknown_model_folder(tmp_path):
    tpl = template(tmp_path, ["1001\t?\t0\t7\n"])
    with pytest.raises(ModelError, match="nowhere: model folder not found"):
        classify_spans(ARTICLES, tpl, tmp_path / "o", tmp_path / "nowhere")


def test_cli_classify_spans_errors_are_one_line(tmp_path, span_model):
    from pipeline.cli import app

    tpl = template(tmp_path, ["1001\t?\t0\t7\n", "1001\tx\t7\n"])
    args = ["classify-spans", "--articles", str(ARTICLES), "--spans", str(tpl), "-o", str(tmp_path / "o")]
    r = CliRunner().invoke(app, [*args, "--model", str(span_model)])
    assert r.exit_code == 1
    assert "template.labels:2: expected 4 tab-separated fields" in r.output
    r = CliRunner().invoke(app, [*args, "--model", str(tmp_path / "none")])
    assert r.exit_code == 1 and "model folder not found" in r.output
    ok = template(tmp_path, ["1001\t?\t118\t138\n"])
    r = CliRunner().invoke(app, [*args[:4], str(ok), *args[5:], "--model", str(span_model)])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o").read_text(encoding="utf-8") == "1001\tLoaded_Language\t118\t138\n"
