"""Training runs on the tiny fixture corpus: folder contents, reproducibility, loading errors, extra data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import ModelError
from pipeline.rhetoric import load_model
from pipeline.rhetoric.ptc import load_ptc, seeded_split
from pipeline.rhetoric.train import load_train_config, train

DATA = Path(__file__).parent / "fixtures" / "rhetoric" / "data"
# Ten articles are too few for the corpus's hash split to fill every part; the seeded shuffle does.
SMALL_SPLIT = ["data.split=seeded.v1", "data.test_fraction=0.2", "data.validation_fraction=0.2"]
TINY_TRANSFORMER = [
    "model=transformer.v1",
    "params.random_init={hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64}",
    "params.max_length=48",
    "params.batch_size=8",
    "params.epochs=3",
    "params.learning_rate=3e-3",
    "params.num_threads=1",
]


def config(*overrides):
    return load_train_config(None, [f"data.data_dir={str(DATA)!r}", *SMALL_SPLIT, *overrides])


def test_split_by_article_is_seeded_and_disjoint():
    ids = [str(i) for i in range(100)]
    a = seeded_split(ids, seed=1, test_fraction=0.15, validation_fraction=0.10)
    assert a == seeded_split(list(reversed(ids)), seed=1, test_fraction=0.15, validation_fraction=0.10)
    assert (len(a["test"]), len(a["validation"]), len(a["train"])) == (15, 10, 75)
    assert set(a["test"]).isdisjoint(a["train"]) and set(a["validation"]).isdisjoint(a["train"])
    assert a != seeded_split(ids, seed=2)


def test_corpus_split_is_the_corpus_builders():
    from pipeline.corpus.builder import assign_split, sha256_text
    from pipeline.rhetoric.ptc import split_ids

    data = load_ptc(DATA)
    ids = split_ids("corpus.v1", data.articles, 13, 0.15, 0.15)
    for split, members in ids.items():
        for aid in members:
            assert assign_split(sha256_text(data.articles[aid].text), 13, (0.7, 0.15, 0.15)) == split
    assert sorted(sum(ids.values(), [])) == sorted(data.articles)


def test_fixture_corpus_offsets_hold():
    data = load_ptc(DATA)
    assert len(data.articles) == 10
    assert data.articles["1004"].text[data.spans["1004"][-1].start : data.spans["1004"][-1].end] == "made at home"


def test_train_writes_self_describing_folder(tmp_path):
    out = tmp_path / "tfidf"
    result = train(config("params.min_df=1"), out, progress=False)
    names = {p.name for p in out.iterdir()}
    expected = {"meta.json", "config.toml", "labels.txt", "model.skops", "vocabulary.json", "metrics", "MODEL_CARD.md"}
    assert expected <= names
    meta = json.loads((out / "meta.json").read_text())
    assert meta["registry_name"] == "tfidf_linear.v1" and meta["format_version"] == 1
    assert meta["data"]["checksums"]["ptc"] == load_ptc(DATA).checksum
    assert meta["data"]["articles"] == {"test": 2, "validation": 2, "train": 6}
    assert "scikit-learn" in meta["libraries"] and "propwatch_version" in meta
    assert meta["metrics"]["test_tc_micro_f1"] == round(result.metrics["test"]["tc"]["micro"]["f1"], 4)
    assert json.loads((out / "metrics" / "split.json").read_text())["test"] == ["1001", "1004"]
    # The resolved config reproduces the run.
    again = load_train_config(out / "config.toml")
    assert again.params["min_df"] == 1 and again.data.data_dir == str(DATA)
    assert (out / "labels.txt").read_text().splitlines()[0] == "Appeal_to_Authority"
    assert "## Metrics" in (out / "MODEL_CARD.md").read_text()


def test_train_sentence_mode(tmp_path):
    result = train(config("params.min_df=1", "data.mode=sentence"), tmp_path / "s", progress=False)
    s = result.metrics["test"]["sentence"]
    assert s["n"] == 10  # two test articles: title line + 4 sentence lines each
    model = load_model(tmp_path / "s")
    assert model.inputs_["mode"] == "sentence"


def test_train_transformer_is_reproducible(tmp_path):
    a = train(config(*TINY_TRANSFORMER), tmp_path / "a", progress=False)
    b = train(config(*TINY_TRANSFORMER), tmp_path / "b", progress=False)
    assert a.metrics == b.metrics
    assert (tmp_path / "a" / "hf" / "model.safetensors").exists()
    hist = json.loads((tmp_path / "a" / "metrics" / "history.json").read_text())
    assert 1 <= len(hist) <= 3 and "validation_loss" in hist[0]
    ex = a.model.predict_proba([])  # fitted model still usable
    assert ex.shape == (0, 14)


def test_train_accepts_extra_training_data(tmp_path):
    extra = tmp_path / "nk.jsonl"
    extra.write_text(
        '{"text": "the puppet traitors", "labels": ["Name_Calling,Labeling"]}\n'
        '{"article_id": "x", "index": 0, "start": 0, "end": 5, "text": "Hurrah", "techniques": ["Slogans"]}\n'
        '{"text": "unlabelled", "techniques": null}\n',
        encoding="utf-8",
    )
    result = train(config("params.min_df=1", f"data.extra_train=[{str(extra)!r}]"), tmp_path / "m", progress=False)
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert str(extra) in meta["data"]["checksums"]
    train_ids = json.loads((tmp_path / "m" / "metrics" / "split.json").read_text())["train"]
    assert meta["data"]["examples"]["train"] == 2 + sum(len(load_ptc(DATA).spans[a]) for a in train_ids)
    assert result.model is not None


def test_load_model_errors_name_folder_and_fix(tmp_path):
    with pytest.raises(ModelError, match=r"nothing: model folder not found; train one"):
        load_model(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"meta.json: missing"):
        load_model(tmp_path / "empty")
    train(config("params.min_df=1"), tmp_path / "m", progress=False)
    meta_path = tmp_path / "m" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "registry_name": "tfidf_linear.v9"}))
    with pytest.raises(ModelError, match=r"made by model 'tfidf_linear.v9'.*upgrade propwatch or retrain"):
        load_model(tmp_path / "m")
    meta_path.write_text(json.dumps({**meta, "format_version": 99}))
    with pytest.raises(ModelError, match=r"format version 99, this propwatch reads version 1; retrain"):
        load_model(tmp_path / "m")
    meta_path.write_text(json.dumps(meta))
    (tmp_path / "m" / "model.skops").unlink()
    with pytest.raises(ModelError, match=r"model.skops: missing"):
        load_model(tmp_path / "m")


def test_cli_train_with_set_override(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    cfg = tmp_path / "c.toml"
    cfg.write_text(
        'model = "tfidf_linear.v1"\n[data]\nsplit = "seeded.v1"\ntest_fraction = 0.2\nvalidation_fraction = 0.2\n'
    )
    out = tmp_path / "m"
    r = CliRunner().invoke(
        app, ["train", str(cfg), "-o", str(out), "--data-dir", str(DATA), "--set", "params.min_df=1", "--quiet"]
    )
    assert r.exit_code == 0, r.output
    assert load_train_config(out / "config.toml").params["min_df"] == 1
    model = load_model(out)
    assert np.all(model.predict_proba([]).shape == (0, 14))
    r = CliRunner().invoke(app, ["train", str(cfg), "-o", str(out), "--set", "params.bogus=1"])
    assert r.exit_code == 1 and "bad settings" in r.output
