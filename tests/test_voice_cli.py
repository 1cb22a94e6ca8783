"""``propwatch voice``: JSONL with segmentation and voice fields; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "seed" / "dailynk-2025-04-04-empty-promises.txt"


def test_cli_voice_writes_jsonl_rules_only(tmp_path):
    out = tmp_path / "v.jsonl"
    result = CliRunner().invoke(app, ["voice", str(SEED), "-o", str(out), "--rules-only"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 26
    assert rows[4]["voice"] == "source_testimony"
    assert rows[4]["speaker"] == {"text": "a source in the province", "start": 660, "end": 684}
    assert rows[22]["cue"]["text"] == "stated" and rows[22]["voice"] == "state_media"
    assert {"voice_score", "nested_speaker", "paragraph", "quote"} <= set(rows[0])


def test_cli_voice_missing_model_folder_fails_with_one_line(tmp_path):
    result = CliRunner().invoke(app, ["voice", str(SEED), "-o", str(tmp_path / "v.jsonl"), "--model", "nowhere"])
    assert result.exit_code == 1
    assert "nowhere: model folder not found" in result.output


def test_cli_voice_bad_input_reported_and_exit_1(tmp_path):
    result = CliRunner().invoke(app, ["voice", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "v.jsonl")])
    assert result.exit_code == 1
    assert "missing.txt: no such file" in result.output
