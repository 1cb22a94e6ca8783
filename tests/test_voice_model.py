"""The learned attribution model: fit, save/load round trip, batching, folder checks, training run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import ModelError
from pipeline.records import Article
from pipeline.voice.attribute import analyse_article
from pipeline.voice.evaluate import candidate_labels, sentence_labels
from pipeline.voice.features import article_examples
from pipeline.voice.model import AttributionModel, load_model
from pipeline.voice.polnear import GoldAttribution, PolnearDoc, parse_ann

SAID = [
    ("The mayor", "said", "the budget was balanced"),
    ("Senator Smith", "told", "reporters that taxes would fall"),
    ("The governor", "argued", "that the plan was too costly"),
    ("Officials", "believe", "the bridge is safe"),
    ("She", "said", "the vote was rigged"),
    ("The spokesman", "claimed", "that prices had fallen"),
]
PLAIN = [
    "The bridge opened in 1998.",
    "Rain fell all week across the state.",
    "The council meets on Tuesdays.",
    "Traffic was heavy near the stadium.",
    "The library added a new wing.",
    "Three schools closed early.",
]


def tiny_docs() -> list[PolnearDoc]:
    """Six hand-made articles, each one reported statement and one plain sentence."""
    docs = []
    for k, ((who, cue, what), plain) in enumerate(zip(SAID, PLAIN)):
        first = f"{who} {cue} {what}."
        text = f"{first}\n\n{plain}"
        c0 = len(who) + 1
        att = GoldAttribution(((0, len(who)),), ((c0, c0 + len(cue)),), ((c0 + len(cue) + 1, len(first) - 1),))
        docs.append(PolnearDoc(Article(id=f"a{k}", text=text), "x", (att,)))
    return docs


@pytest.fixture(scope="module")
def fitted(nlp):
    examples, y, cy = [], [], []
    for doc in tiny_docs():
        an = analyse_article(doc.article, nlp)
        examples += article_examples(an)
        y += sentence_labels(doc, an)
        cy += candidate_labels(doc, an)
    model = AttributionModel(C=1.0, speaker_C=1.0, folds=2).fit(examples, y, cy)
    return model, examples, np.asarray(y)


def test_model_learns_tiny_set(fitted):
    model, examples, y = fitted
    assert (model.predict(examples, threshold=0.5) == y.astype(bool)).all()


def test_model_save_load_round_trip(fitted, tmp_path):
    model, examples, _ = fitted
    model.save(tmp_path / "m", meta={"metrics": {"x": 1}}, config_toml='name = "voice_attribution.v1"\n')
    for f in ("meta.json", "labels.txt", "model.skops", "config.toml"):
        assert (tmp_path / "m" / f).is_file()
    loaded = load_model(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(examples), model.predict_proba(examples))
    cands = [c for ex in examples for c in ex.candidates]
    np.testing.assert_allclose(loaded.speaker_proba(cands), model.speaker_proba(cands))
    assert loaded.threshold == model.threshold and loaded.meta_["metrics"] == {"x": 1}
    meta = json.loads((tmp_path / "m" / "meta.json").read_text())
    assert meta["name"] == "voice_attribution.v1" and "scikit-learn" in meta["libraries"]


def test_model_batched_and_one_by_one_agree(fitted):
    model, examples, _ = fitted
    batched = model.predict_proba(examples)
    single = np.vstack([model.predict_proba([ex]) for ex in examples])
    np.testing.assert_allclose(batched, single)
    assert model.predict_proba([]).shape == (0, 2)


def test_model_refit_discards_previous_fit(fitted):
    model, examples, y = fitted
    other = AttributionModel(folds=2).fit(examples, 1 - y)
    assert other.speaker_ is None
    assert (other.predict(examples, threshold=0.5) != model.predict(examples, threshold=0.5)).any()


def test_model_unfitted_raises_model_error():
    with pytest.raises(ModelError, match="not fitted"):
        AttributionModel().predict_proba([])


def test_model_missing_folder_raises_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "voice_attribution.v2"}, "voice_attribution.v2"),
        ({"format_version": 99}, "format version"),
    ],
)
def test_model_incompatible_meta_raises_model_error(fitted, tmp_path, change, message):
    model, _, _ = fitted
    model.save(tmp_path / "m")
    meta_path = tmp_path / "m" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update(change)
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=message):
        load_model(tmp_path / "m")


def test_model_missing_weights_raises_model_error(fitted, tmp_path):
    model, _, _ = fitted
    model.save(tmp_path / "m")
    (tmp_path / "m" / "model.skops").unlink()
    with pytest.raises(ModelError, match="model.skops"):
        load_model(tmp_path / "m")


def test_model_used_by_attribute_article(fitted, nlp):
    from pipeline.voice import attribute_article

    model, _, _ = fitted
    res = attribute_article(Article(id="x", text="The mayor said the budget was balanced."), nlp, model)
    assert res[0].voice == "other" and 0.0 <= res[0].attributed <= 1.0


def test_polnear_parse_ann_fixture():
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "voice" / "mini.ann").read_text(encoding="utf-8")
    a, b = parse_ann(text)
    assert a.source == ((0, 9),) and a.cue == ((10, 14),) and a.content == ((15, 40),)
    assert b.source == () and b.content == ((70, 80), (82, 90))


def _fake_polnear(root, docs):
    for split in ("train", "dev"):
        (root / "polnear" / split / "text").mkdir(parents=True)
        (root / "polnear" / split / "attributions").mkdir(parents=True)
        for d in docs:
            (root / "polnear" / split / "text" / f"{d.article.id}.txt").write_text(d.article.text, encoding="utf-8")
            lines = []
            for n, att in enumerate(d.attributions):
                for k, (part, spans) in enumerate((("Source", att.source), ("Cue", att.cue), ("Content", att.content))):
                    ((s, e),) = spans
                    lines.append(f"T{3 * n + k + 1}\t{part} {s} {e}\t{d.article.text[s:e]}")
                lines.append(f"E{n + 1}\tAttribution:T2 Content:T3 Cue:T2 Source:T1")
            for annotator in ("bbbb", "aaaa"):  # two annotators: the first id in sort order is used
                body = "\n".join(lines) if annotator == "aaaa" else ""
                (root / "polnear" / split / "attributions" / f"{d.article.id}_{annotator}.ann").write_text(body)


def test_train_voice_model_writes_a_self_describing_folder(tmp_path, nlp):
    from pipeline.voice.polnear import load_split
    from pipeline.voice.train import load_train_config, train_voice_model

    _fake_polnear(tmp_path, tiny_docs())
    assert {d.annotator for d in load_split(tmp_path, "train")} == {"aaaa"}
    cfg = load_train_config(overrides=["data.holdout=0.34", "model.folds=2", "model.C=1.0"])
    model, meta = train_voice_model(cfg, tmp_path, tmp_path / "model", nlp=nlp)
    folder = tmp_path / "model"
    assert load_model(folder).threshold == model.threshold
    assert "C = 1.0" in (folder / "config.toml").read_text()
    assert len(meta["data"]["train"]["sha256"]) == 64
    assert set(meta["metrics"]) == {"train_holdout", "polnear_dev"}
    assert (folder / "metrics" / "metrics.json").is_file()


SHIPPED = Path(__file__).resolve().parents[1] / "models" / "voice-attribution"


@pytest.mark.skipif(not SHIPPED.is_dir(), reason="no shipped voice model")
def test_shipped_model_loads_and_keeps_seed_voices(nlp, seed_article):
    from pipeline.voice import attribute_article

    model = load_model(SHIPPED)
    assert model.meta_["name"] == "voice_attribution.v1"
    assert (SHIPPED / "MODEL_CARD.md").is_file()
    res = attribute_article(seed_article, nlp, model)
    assert [r.voice for r in res][:5] == ["narration"] * 3 + ["source_testimony"] * 2
    assert res[22].voice == "state_media"
