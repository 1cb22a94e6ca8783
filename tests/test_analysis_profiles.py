"""Notebook tables: technique profiles and distinctive phrases on hand-made data."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.analysis.profiles import distinctive_phrases, technique_profile, with_technique_columns


def _df():
    rows = [
        {"voice": "state_media", "techniques": [{"label": "Loaded_Language", "score": 0.9}]},
        {"voice": "state_media", "techniques": []},
        {
            "voice": "narration",
            "techniques": [{"label": "Doubt", "score": 0.7}, {"label": "Loaded_Language", "score": 0.6}],
        },
    ]
    return with_technique_columns(pd.DataFrame(rows))


def test_technique_profile_shares_and_counts():
    prof = technique_profile(_df(), "voice")
    assert prof.loc["state_media", "Loaded_Language"] == pytest.approx(0.5)
    assert prof.loc["narration", "Doubt"] == 1.0
    assert prof.loc["state_media", "sentences"] == 2
    counts = technique_profile(_df(), "voice", normalise=False)
    assert counts.loc["state_media", "Loaded_Language"] == 1


def test_distinctive_phrases_ranks_flagged_vocabulary_first():
    texts = ["puppet traitors again"] * 5 + ["the meeting was held"] * 5 + ["traitors met"]
    flags = [1] * 5 + [0] * 5 + [0]
    top = distinctive_phrases(texts, flags, k=3, min_df=2)
    assert top.iloc[0]["phrase"] in {"puppet", "puppet traitors", "puppet traitors again", "traitors again"}
    assert "meeting" not in set(top["phrase"])
    assert distinctive_phrases(texts, [0] * len(texts)).empty
