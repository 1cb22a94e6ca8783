"""The Ray engine writes exactly what the local engine writes, on a local 2-CPU Ray instance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.analysis import run_analyze
from pipeline.analysis.runner import ARTICLES, ERRORS, SENTENCES
from pipeline.rhetoric.examples import Example
from pipeline.rhetoric.tfidf import TfidfLinear

ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'propwatch[ray]'")

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = ROOT / "corpus" / "seed" / "dailynk-2025-04-04-empty-promises.txt"
STORY = (
    "Officials said the new factories were running smoothly and praised the great leadership. "
    "“It is all for show,” a source in the province told Daily NK. Residents said little had changed."
)


@pytest.fixture(scope="module")
def ray_local():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_engine_matches_local(tmp_path, ray_local):
    model = tmp_path / "tiny"
    texts = {
        "the heinous puppet traitors": ("Loaded_Language",),
        "Long live our great people!": ("Slogans",),
        "The meeting was held on Monday.": (),
    }
    train = [Example(t, context=t, labels=labels) for t, labels in texts.items()]
    TfidfLinear(min_df=1).fit(train).save(model)
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        "\n".join(json.dumps({"id": f"s{i}", "text": STORY}) for i in range(5)) + "\nnot json\n", encoding="utf-8"
    )
    inputs = [str(SEED_PATH), str(batch), str(tmp_path / "missing.txt")]
    local = run_analyze(inputs, tmp_path / "local", model_dir=model, progress=False, report=False)
    distributed = run_analyze(
        inputs, tmp_path / "ray", model_dir=model, workers=2, engine="ray", progress=False, report=False
    )
    assert (local.articles, local.sentences, len(local.errors)) == (6, local.sentences, 2)
    assert (distributed.articles, distributed.sentences) == (local.articles, local.sentences)
    for name in (SENTENCES, ARTICLES, ERRORS):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


def test_ray_engine_in_several_chunks_matches_local(tmp_path, ray_local, monkeypatch):
    # Two windows of articles, one Ray Data run each: the driver never holds the whole input.
    import pipeline.analysis.ray_engine as ray_engine

    monkeypatch.setattr(ray_engine, "CHUNK_WINDOWS", 1)
    model = tmp_path / "tiny"
    train = [Example("the heinous puppet traitors", labels=("Loaded_Language",)), Example("It rained.", labels=())]
    TfidfLinear(min_df=1).fit(train).save(model)
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps({"id": f"s{i}", "text": STORY}) for i in range(20)), encoding="utf-8")
    local = run_analyze([str(batch)], tmp_path / "local", model_dir=model, progress=False, report=False)
    distributed = run_analyze(
        [str(batch)], tmp_path / "ray", model_dir=model, workers=2, engine="ray", progress=False, report=False
    )
    assert local.articles == distributed.articles == 20
    for name in (SENTENCES, ARTICLES, ERRORS):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


@pytest.mark.slow
def test_ray_attribution_evaluation_matches_local(data_dir, ray_local):
    from pipeline.evaluate.harness import EvalSettings, evaluate_attribution
    from pipeline.segment import load_nlp
    from pipeline.voice.model import load_model

    voice_dir = ROOT / "models" / "voice-attribution"
    model = load_model(voice_dir)
    common = dict(data_dir=data_dir, voice_model=voice_dir, polnear_limit=3, n_resamples=50)
    local = evaluate_attribution(EvalSettings(**common), load_nlp(), model)
    distributed = evaluate_attribution(EvalSettings(**common, engine="ray", workers=2), load_nlp(), model)
    assert local == distributed
    assert local["articles"] == 3 and set(local["systems"]) == {"always", "rules", "rules+model"}
