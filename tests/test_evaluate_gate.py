"""CI gate: the shipped models, evaluated on the corpus test split, stay above the recorded floors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "reports" / "floors.json"


@pytest.mark.slow
def test_shipped_models_meet_floors(data_dir, tmp_path):
    from pipeline.evaluate.cli import _default_models, _default_voice_model
    from pipeline.evaluate.compare import check_floors
    from pipeline.evaluate.harness import EvalSettings, evaluate
    from pipeline.evaluate.report import write_report

    settings = EvalSettings(
        data_dir=data_dir,
        models=_default_models(),
        voice_model=_default_voice_model(),
        annotations_dir=ROOT / "corpus" / "annotations",
        seed_dir=ROOT / "corpus" / "seed",
        cache_dir=ROOT / "out" / "corpus" / "cache",
        n_resamples=200,
    )
    metrics = evaluate(settings)
    write_report(metrics, tmp_path / "report")
    assert (tmp_path / "report" / "report.md").exists() and list((tmp_path / "report").glob("*.png"))
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    assert check_floors(metrics, floors) == []
