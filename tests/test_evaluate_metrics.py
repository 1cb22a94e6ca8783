"""Scorers on hand-computed examples, including overlapping spans and empty predictions."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.evaluate.metrics import (
    binary_scores,
    bootstrap_ci,
    char_span_f1,
    classification_scores,
    merge_spans,
    multilabel_scores,
    reliability,
    si_scores,
    tc_scores,
)


def test_classification_scores_hand_computed():
    gold = ["a", "a", "b", "c"]
    pred = ["a", "b", "b", "b"]
    s = classification_scores(gold, pred, ["a", "b", "c"])
    assert s["accuracy"] == pytest.approx(0.5)
    # a: P=1/1, R=1/2 -> F1=2/3; b: P=1/3, R=1 -> F1=0.5; c: 0
    assert s["per_label"]["a"]["f1"] == pytest.approx(2 / 3)
    assert s["per_label"]["b"]["f1"] == pytest.approx(0.5)
    assert s["macro_f1"] == pytest.approx((2 / 3 + 0.5 + 0) / 3)
    assert s["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


def test_binary_scores_hand_computed():
    s = binary_scores([1, 1, 1, 0, 0], [1, 1, 0, 0, 1])
    # tp=2 fn=1 fp=1 tn=1: F1+ = 2/3, F1- = 0.5, MCC = (2*1-1*1)/sqrt(3*3*2*2) = 1/6
    assert s["accuracy"] == pytest.approx(0.6)
    assert s["f1_positive"] == pytest.approx(2 / 3)
    assert s["f1_negative"] == pytest.approx(0.5)
    assert s["mcc"] == pytest.approx(1 / 6)
    constant = binary_scores([1, 1, 0], [1, 1, 1])
    assert constant["mcc"] == 0.0 and constant["f1_negative"] == 0.0


def test_merge_spans_overlapping_and_touching():
    assert merge_spans([(5, 8), (0, 3), (2, 4), (8, 9)]) == [(0, 4), (5, 9)]


def test_si_partial_overlap_hand_computed():
    gold = {"a": [(0, 10)]}
    pred = {"a": [(5, 15), (20, 25)]}
    s = si_scores(gold, pred)
    # P = (5/10 + 0/5) / 2 = 0.25; R = (5/10) / 1 = 0.5; F1 = 1/3
    assert s["precision"] == pytest.approx(0.25)
    assert s["recall"] == pytest.approx(0.5)
    assert s["f1"] == pytest.approx(1 / 3)


def test_si_overlapping_gold_spans_are_merged():
    # Two overlapping gold spans of one article count once, as one region [0, 12).
    s = si_scores({"a": [(0, 8), (4, 12)]}, {"a": [(0, 12)]})
    assert s["precision"] == pytest.approx(1.0) and s["recall"] == pytest.approx(1.0)


def test_si_empty_predictions_and_empty_gold():
    assert si_scores({"a": [(0, 4)]}, {})["f1"] == 0.0
    s = si_scores({}, {"a": [(0, 4)]})
    assert s["precision"] == 0.0 and s["recall"] == 0.0


def test_char_span_f1():
    s = char_span_f1({"a": [(0, 10)], "b": [(0, 4)]}, {"a": [(5, 15)]})
    # tp=5 chars, predicted 10, gold 14
    assert s["precision"] == pytest.approx(0.5)
    assert s["recall"] == pytest.approx(5 / 14)


def test_tc_duplicate_spans_match_as_multisets():
    gold = [("1", "Loaded_Language", 0, 5), ("1", "Name_Calling,Labeling", 0, 5), ("1", "Doubt", 10, 20)]
    pred = [("1", "Loaded_Language", 0, 5), ("1", "Loaded_Language", 0, 5), ("1", "Doubt", 10, 20)]
    s = tc_scores(gold, pred)
    assert s["micro"]["f1"] == pytest.approx(2 / 3)
    assert s["per_label"]["Doubt"]["f1"] == 1.0
    assert s["per_label"]["Loaded_Language"]["precision"] == pytest.approx(0.5)


def test_multilabel_empty_predictions():
    gold = np.array([[1, 0], [0, 0]])
    s = multilabel_scores(gold, np.zeros_like(gold), ["x", "y"])
    assert s["micro"]["f1"] == 0.0 and s["any_technique"]["recall"] == 0.0


def test_bootstrap_ci_brackets_value_and_is_seeded():
    groups = [[1, 1], [0, 1], [1, 0], [0, 0], [1, 1]]

    def mean(gs):
        return float(np.mean([x for g in gs for x in g]))

    a = bootstrap_ci(groups, mean, n_resamples=200, seed=3)
    b = bootstrap_ci(groups, mean, n_resamples=200, seed=3)
    assert a == b
    assert a["low"] <= a["value"] <= a["high"] and a["low"] < a["high"]
    single = bootstrap_ci([[1, 0]], mean)
    assert single["low"] == single["high"] == 0.5


def test_reliability_perfectly_calibrated_and_overconfident():
    scores = np.array([0.25] * 4 + [0.75] * 4)
    outcomes = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    r = reliability(scores, outcomes, n_bins=2)
    assert r["ece"] == pytest.approx(0.0)
    over = reliability(np.array([0.9, 0.9]), np.array([0, 0]), n_bins=10)
    assert over["ece"] == pytest.approx(0.9)
    assert sum(b["count"] for b in over["bins"]) == 2


def _report(**values):
    return {"headline": {k: {"value": v[0], "low": v[1], "high": v[2]} for k, v in values.items()}}


def test_compare_flags_fall_beyond_interval_only():
    from pipeline.evaluate.compare import check_floors, compare_metrics

    before = _report(a=(0.80, 0.70, 0.90), b=(0.50, 0.48, 0.52))
    after = _report(a=(0.76, 0.6, 0.9), b=(0.47, 0.4, 0.5))
    deltas = {d.name: d for d in compare_metrics(before, after)}
    assert not deltas["a"].regressed  # fell 0.04, interval half-width 0.10
    assert deltas["b"].regressed  # fell 0.03, half-width 0.02
    assert check_floors(after, {"a": 0.7, "b": 0.5, "c": 0.1}) == [
        "b: 0.4700 is below its floor 0.5",
        "c: missing from the report (floor 0.1)",
    ]


def test_span_match_scores_by_hand():
    from pipeline.evaluate.metrics import span_match_scores

    items = [
        ([(0, 30)], (0, 30)),  # exact
        ([(0, 30)], (19, 30)),  # "Kim Jong Un" inside "The respected Comrade Kim Jong Un": overlap only
        ([(40, 45), (50, 55)], (50, 55)),  # one of two gold spans
        ([(60, 70)], (70, 80)),  # touching, not overlapping
        ([(90, 95)], None),  # nothing found
    ]
    got = span_match_scores(items)
    assert got == {"n": 5, "predicted": 4, "exact": 2 / 5, "overlap": 3 / 5}
    assert span_match_scores([]) == {"n": 0, "predicted": 0, "exact": 0.0, "overlap": 0.0}
