"""propwatch analyze: outputs, failures, resume without duplicates, workers, and the report page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.analysis import run_analyze
from pipeline.analysis.runner import ARTICLES, ERRORS, REPORT, SENTENCES
from pipeline.rhetoric.examples import Example
from pipeline.rhetoric.tfidf import TfidfLinear

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "corpus" / "seed" / "dailynk-2025-04-04-empty-promises.txt"
HOSTILE = Path(__file__).parent / "fixtures" / "analysis" / "hostile.txt"
STORY = (
    "Officials said the new factories were running smoothly and praised the great leadership. "
    "Residents said that little had changed in their daily lives since the opening of the factories."
)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A technique model trained in a second on a handful of sentences."""
    train = [
        Example("the heinous puppet traitors", labels=("Loaded_Language", "Name_Calling,Labeling")),
        Example("the despicable war maniacs", labels=("Loaded_Language", "Name_Calling,Labeling")),
        Example("Long live our great people!", labels=("Slogans", "Flag-Waving")),
        Example("The meeting was held on Monday.", labels=()),
        Example("Residents said prices rose.", labels=()),
        Example("a gratifying spectacle of products", labels=("Loaded_Language",)),
    ]
    train = [Example(e.text, context=e.text, labels=e.labels) for e in train]
    path = tmp_path_factory.mktemp("models") / "tiny"
    TfidfLinear(min_df=1).fit(train).save(path)
    return path


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _inputs(tmp_path: Path) -> list[str]:
    jsonl = tmp_path / "batch.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps({"id": f"story-{i}", "text": STORY}) for i in range(3)) + "\n{broken\n",
        encoding="utf-8",
    )
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    return [str(SEED_PATH), str(jsonl), str(empty), str(tmp_path / "missing.txt")]


def test_analyze_writes_all_outputs_and_records_failures(tmp_path, tiny_model):
    out = tmp_path / "out"
    result = run_analyze(_inputs(tmp_path), out, model_dir=tiny_model, progress=False)
    assert result.articles == 4 and len(result.errors) == 3
    sents = _lines(out / SENTENCES)
    arts = _lines(out / ARTICLES)
    errs = _lines(out / ERRORS)
    assert [a["article_id"] for a in arts] == ["dailynk-2025-04-04-empty-promises", "story-0", "story-1", "story-2"]
    assert {e["path"] for e in errs} == {
        str(tmp_path / "batch.jsonl"),
        str(tmp_path / "empty.txt"),
        str(tmp_path / "missing.txt"),
    }
    seed = [s for s in sents if s["article_id"] == "dailynk-2025-04-04-empty-promises"]
    text = SEED_PATH.read_text(encoding="utf-8")
    for s in seed:
        assert text[s["start"] : s["end"]] == s["text"]
        assert set(s) >= {"voice", "voice_score", "speaker", "cue", "techniques", "propaganda_score"}
        assert s["voice"] in {"narration", "state_media", "source_testimony", "other"}
        assert all(0.0 <= t["score"] <= 1.0 for t in s["techniques"])
    assert arts[0]["n_sentences"] == len(seed) == sum(arts[0]["voice_counts"].values())
    assert (out / REPORT).exists()


def test_resume_skips_finished_and_repairs_partial_lines(tmp_path, tiny_model):
    inputs = _inputs(tmp_path)
    full = tmp_path / "full"
    run_analyze(inputs, full, model_dir=tiny_model, progress=False)
    expected = (full / SENTENCES).read_text(encoding="utf-8")

    # Simulate a run killed after two articles, in the middle of writing the third one's lines.
    part = tmp_path / "part"
    part.mkdir()
    arts = (full / ARTICLES).read_text(encoding="utf-8").splitlines(keepends=True)
    done_ids = {json.loads(a)["article_id"] for a in arts[:2]}
    sent_lines = expected.splitlines(keepends=True)
    kept = [x for x in sent_lines if json.loads(x)["article_id"] in done_ids]
    third = [x for x in sent_lines if json.loads(x)["article_id"] == "story-1"]
    (part / SENTENCES).write_text("".join(kept) + third[0] + third[0][:20], encoding="utf-8")
    (part / ARTICLES).write_text("".join(arts[:2]) + arts[2][:15], encoding="utf-8")

    result = run_analyze(inputs, part, model_dir=tiny_model, resume=True, progress=False)
    assert result.articles == 2
    assert (part / SENTENCES).read_text(encoding="utf-8") == expected
    assert (part / ARTICLES).read_text(encoding="utf-8") == (full / ARTICLES).read_text(encoding="utf-8")


def test_two_workers_match_one(tmp_path, tiny_model):
    inputs = _inputs(tmp_path)
    run_analyze(inputs, tmp_path / "w1", model_dir=tiny_model, progress=False, report=False)
    run_analyze(inputs, tmp_path / "w2", model_dir=tiny_model, workers=2, progress=False, report=False)
    for name in (SENTENCES, ARTICLES, ERRORS):
        assert (tmp_path / "w1" / name).read_text() == (tmp_path / "w2" / name).read_text()


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian chromium is not installed (make test installs it)")
    return exe


def _browser(args: list[str], tmp_path: Path) -> str:
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chrome-profile'}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout


def test_report_in_browser_shows_sentences_and_runs_no_article_code(tmp_path, tiny_model):
    out = tmp_path / "out"
    run_analyze([str(SEED_PATH), str(HOSTILE)], out, model_dir=tiny_model, threshold=0.3, progress=False)
    url = (out / REPORT).resolve().as_uri()
    dom = _browser(["--virtual-time-budget=3000", "--dump-dom", url], tmp_path)
    # The page's own script ran: it marks sentences whose techniques pass the threshold ...
    n_tech = sum(1 for s in _lines(out / SENTENCES) if any(t["score"] >= 0.3 for t in s["techniques"]))
    assert n_tech > 0 and len(re.findall(r'class="s has-tech', dom)) == n_tech
    # ... every sentence is highlighted and coloured by voice, and the legend is there ...
    n_sentences = len(_lines(out / SENTENCES))
    assert len(re.findall(r'class="s[" ]', dom)) == n_sentences
    assert 'data-voice="source_testimony"' in dom and 'id="legend"' in dom and "Loaded_Language" in dom
    # ... while the article's markup is text: no injected element exists and none of its code ran.
    assert "data-pwned" not in dom.split("<main", 1)[1].split("&lt;", 1)[0]
    assert "<title>propwatch report</title>" in dom
    assert "&lt;script&gt;document.body.setAttribute('data-pwned','2')&lt;/script&gt;" in dom
    assert "&lt;img src=x onerror=" in dom
    assert "<img" not in dom
    assert 'data-pwned="' not in dom
    shot = out / "report.png"
    _browser(["--window-size=1280,1600", f"--screenshot={shot}", url], tmp_path)
    assert shot.exists() and shot.stat().st_size > 10_000
