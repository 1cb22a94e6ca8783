"""Agreement measures on hand-computed examples, and adjudication of two passes into gold."""

from __future__ import annotations

import json
import random

import pytest

from pipeline.corpus.agreement import (
    adjudicate,
    agreement_markdown,
    agreement_report,
    char_overlap,
    cohen_kappa,
    disagreements,
    krippendorff_alpha_nominal,
)
from pipeline.errors import CorpusError

# Two raters, ten items: agree on item 0 (yes) and items 2-8 (no), disagree on items 1 and 9.
A = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
B = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_cohen_kappa_hand_computed():
    # p_o = 8/10; p_e = .2*.2 + .8*.8 = .68; kappa = (.8 - .68) / (1 - .68) = .375
    assert cohen_kappa(A, B) == pytest.approx(0.375)


def test_cohen_kappa_voice_hand_computed():
    # p_o = 3/4; p_e = .5*.25 + .25*.5 + .25*.25 = .3125; kappa = .4375 / .6875
    a = ["state_media", "state_media", "narration", "other"]
    b = ["state_media", "narration", "narration", "other"]
    assert cohen_kappa(a, b) == pytest.approx(0.4375 / 0.6875)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [([0, 0, 0], [0, 0, 0], None), ([], [], None), ([1, 0, 1], [1, 0, 1], 1.0), ([1, 0], [0, 1], -1.0)],
)
def test_cohen_kappa_edge_cases(a, b, expected):
    got = cohen_kappa(a, b)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_krippendorff_alpha_hand_computed():
    # Coincidences: o11 = 2, o10 = o01 = 2, o00 = 14; n1 = 4, n0 = 16, n = 20.
    # alpha = 1 - (n - 1) * (o10 + o01) / (2 * n1 * n0) = 1 - 19 * 4 / 128 = 0.40625
    assert krippendorff_alpha_nominal([A, B]) == pytest.approx(0.40625)


def test_krippendorff_alpha_matches_reference_package_with_missing_values():
    krippendorff = pytest.importorskip("krippendorff")
    rng = random.Random(3)
    data = [[rng.choice([0, 1, 2, None]) for _ in range(40)] for _ in range(3)]
    ref = krippendorff.alpha(
        reliability_data=[[float("nan") if v is None else v for v in row] for row in data],
        level_of_measurement="nominal",
    )
    assert krippendorff_alpha_nominal(data) == pytest.approx(ref)


def test_krippendorff_alpha_undefined_for_a_single_value():
    assert krippendorff_alpha_nominal([[0, 0, 0], [0, 0, 0]]) is None


def test_char_overlap_counts_union_of_spans():
    assert char_overlap([(0, 10), (5, 12)], [(8, 20)]) == (12, 12, 4)


def _rec(i, techniques, spans=(), voice="state_media", annotator="p"):
    return {
        "dataset": "kcna-2024",
        "article_id": "kcna-000000000001",
        "article_sha256": "x",
        "start": i * 100,
        "end": i * 100 + 50,
        "sentence_sha256": "y",
        "voice": voice,
        "speaker": None,
        "cue": None,
        "nested_speaker": None,
        "techniques": techniques,
        "spans": [{"technique": "Loaded_Language", "start": s, "end": e} for s, e in spans],
        "annotator": annotator,
    }


def _passes():
    ll = ["Loaded_Language"]
    p1 = [_rec(i, ll if A[i] else [], [(i * 100, i * 100 + 10)] if A[i] else []) for i in range(10)]
    p2 = [_rec(i, ll if B[i] else [], [(i * 100 + 5, i * 100 + 15)] if B[i] else [], annotator="q") for i in range(10)]
    p2[3]["voice"] = "other"
    # A sentence only pass 1 annotated does not count.
    p1.append(_rec(20, ll, [(2000, 2010)]))
    return p1, p2


def test_agreement_report_on_hand_made_passes():
    p1, p2 = _passes()
    rep = agreement_report(p1, p2)
    assert rep["sentences"] == 10 and rep["technique_sentences"] == 10
    assert rep["techniques"]["Loaded_Language"]["kappa"] == pytest.approx(0.375)
    assert rep["techniques"]["Doubt"]["kappa"] is None
    assert rep["mean_kappa"] == pytest.approx(0.375)
    # 140 binary units (10 sentences x 14 techniques): o11 = 2, o10 = o01 = 2, o00 = 2 * 137 = 274;
    # n1 = 4, n0 = 276, n = 280; alpha = 1 - 279 * 4 / (2 * 4 * 276)
    assert rep["alpha_techniques"] == pytest.approx(1 - 279 * 4 / (2 * 4 * 276))
    # Pass 1 marks 20 characters (sentences 0, 1), pass 2 20 (sentences 0, 9); 5 shared: F1 = 10 / 40
    assert rep["span_f1"] == pytest.approx(0.25)
    assert rep["techniques"]["Loaded_Language"]["span_f1"] == pytest.approx(0.25)
    # Voice: 9 of 10 agree, pass 2 says "other" once: p_e = .9 * 1.0 = .9 ... pass 1 is constant.
    assert rep["voice_agreement"] == pytest.approx(0.9)
    assert rep["voice_kappa"] == pytest.approx(0.0)
    md = agreement_markdown(rep)
    assert "| Loaded_Language | 2 | 2 | 0.800 | 0.375 | 0.250 |" in md
    assert "| Doubt | 0 | 0 | 1.000 | n/a | n/a |" in md


def test_disagreements_list_both_answers():
    p1, p2 = _passes()
    dis = disagreements(p1, p2)
    assert [(d["start"], d["fields"]) for d in dis] == [
        (0, ["spans"]),
        (100, ["techniques", "spans"]),
        (300, ["voice"]),
        (900, ["techniques", "spans"]),
    ]
    assert dis[2]["pass1"] == {"voice": "state_media"} and dis[2]["pass2"] == {"voice": "other"}


def test_adjudicate_requires_a_decision_for_every_disagreement():
    p1, p2 = _passes()
    with pytest.raises(CorpusError, match=r"kcna-2024/kcna-000000000001 0-50: passes disagree on spans"):
        adjudicate(p1, p2, [])


def test_adjudicate_applies_decisions_to_pass1():
    p1, p2 = _passes()
    decisions = [
        {
            "dataset": d["dataset"],
            "article_id": d["article_id"],
            "start": d["start"],
            "end": d["end"],
            "pass1": d["pass1"],
            "pass2": d["pass2"],
            "decision": d["pass2"],
            "reason": "pass 2 follows rule X",
        }
        for d in disagreements(p1, p2)
    ]
    gold = adjudicate(p1, p2, json.loads(json.dumps(decisions)))
    assert len(gold) == len(p1)
    assert gold[3]["voice"] == "other" and gold[3]["annotator"] == "adjudicated"
    assert gold[5] == p1[5]
    assert disagreements(gold, p2) == []


def test_adjudicate_rejects_unknown_labels():
    p1, p2 = _passes()
    bad = [
        {
            "dataset": "kcna-2024",
            "article_id": "kcna-000000000001",
            "start": 0,
            "end": 50,
            "decision": {"techniques": ["Lies"]},
        }
    ]
    with pytest.raises(CorpusError, match="unknown technique"):
        adjudicate(p1, p2, bad, require_all=False)
