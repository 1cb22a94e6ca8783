"""One contract suite run against every registered technique classifier (tiny models, seconds)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import ModelError
from pipeline.rhetoric import Example, create_model, load_model, registered_names

LABELS = ("Loaded_Language", "Name_Calling,Labeling", "Doubt", "Flag-Waving")

# Settings that make each model small and quick; every registered name must have an entry.
TINY = {
    "tfidf_linear.v1": dict(min_df=1, C=20.0),
    "transformer.v1": dict(
        random_init=dict(
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            hidden_dropout_prob=0.0,
            attention_probs_dropout_prob=0.0,
        ),
        max_length=32,
        batch_size=4,
        eval_batch_size=3,
        learning_rate=5e-3,
        warmup_ratio=0.0,
        epochs=60,
        num_threads=1,
        progress=False,
    ),
}

TRAIN = [
    Example("a disastrous, reckless waste", "Critics called it a disastrous, reckless waste.", ("Loaded_Language",)),
    Example("horrific, appalling", "Staff saw a horrific, appalling scene.", ("Loaded_Language",)),
    Example("corrupt crony", "The mayor, a corrupt crony, spoke.", ("Name_Calling,Labeling",)),
    Example("lazy parasites", "Rivals are lazy parasites, he said.", ("Name_Calling,Labeling",)),
    Example("Can anyone trust these numbers?", None, ("Doubt",)),
    Example("Who believes this?", "Who believes this? she asked.", ("Doubt",)),
    Example("Our proud nation leads the world", "Our proud nation leads the world.", ("Flag-Waving",)),
    Example("True patriots buy at home", "True patriots buy at home, he said.", ("Flag-Waving", "Loaded_Language")),
]


def make(name: str, seed: int = 0, **extra):
    return create_model(name, labels=LABELS, seed=seed, **{**TINY[name], **extra})


@pytest.fixture(scope="module", params=registered_names())
def fitted(request):
    """Each registered model, fitted once on the tiny set."""
    return request.param, make(request.param).fit(TRAIN)


def test_every_registered_model_has_tiny_settings():
    assert set(registered_names()) == set(TINY)


def test_contract_fit_returns_self():
    for name in registered_names():
        model = make(name, epochs=1) if name.startswith("transformer") else make(name)
        assert model.fit(TRAIN) is model


def test_contract_constructor_only_stores_settings():
    for name in registered_names():
        model = make(name)
        assert not any(k.endswith("_") and not k.startswith("_") for k in vars(model)), name
        assert model.get_params()["labels"] == LABELS


def test_contract_proba_shape_and_range(fitted):
    _, model = fitted
    proba = model.predict_proba(TRAIN[:5])
    assert proba.shape == (5, len(LABELS))
    assert np.all((proba >= 0) & (proba <= 1))
    assert model.predict_proba([]).shape == (0, len(LABELS))


def test_contract_predict_returns_label_tuples(fitted):
    _, model = fitted
    pred = model.predict(TRAIN, threshold=0.0)
    assert pred == [LABELS] * len(TRAIN)
    assert model.predict(TRAIN, threshold=1.01) == [()] * len(TRAIN)
    for labs in model.predict(TRAIN):
        assert set(labs) <= set(LABELS)


def test_contract_save_load_identical_predictions(fitted, tmp_path):
    name, model = fitted
    model.save(tmp_path / "m")
    again = load_model(tmp_path / "m")
    assert type(again) is type(model) and again.registry_name == name
    assert again.labels_ == model.labels_
    np.testing.assert_array_equal(again.thresholds_, model.thresholds_)
    np.testing.assert_allclose(again.predict_proba(TRAIN), model.predict_proba(TRAIN), rtol=0, atol=1e-6)
    assert again.predict(TRAIN) == model.predict(TRAIN)


def test_contract_batched_equals_one_by_one(fitted):
    _, model = fitted
    together = model.predict_proba(TRAIN)
    alone = np.vstack([model.predict_proba([ex]) for ex in TRAIN])
    np.testing.assert_allclose(together, alone, rtol=0, atol=1e-5)


def test_contract_overfits_tiny_set(fitted):
    _, model = fitted
    proba = model.predict_proba(TRAIN)
    top = [LABELS[i] for i in proba.argmax(axis=1)]
    assert all(t in ex.labels for t, ex in zip(top, TRAIN)), top


def test_contract_seeded_fits_agree():
    for name in registered_names():
        extra = {}
        if name.startswith("transformer"):
            # Dropout on, so its random stream is covered by the seed too.
            extra = {"epochs": 3, "random_init": {**TINY[name]["random_init"], "hidden_dropout_prob": 0.1}}
        a = make(name, seed=7, **extra).fit(TRAIN).predict_proba(TRAIN)
        b = make(name, seed=7, **extra).fit(TRAIN).predict_proba(TRAIN)
        np.testing.assert_array_equal(a, b)


def test_contract_refit_discards_old_fit():
    for name in registered_names():
        extra = {"epochs": 1} if name.startswith("transformer") else {}
        model = make(name, **extra).fit(TRAIN)
        model.labels = LABELS[:3] + ("Slogans",)
        model.fit([*TRAIN[:6], Example("Fair pay now!", None, ("Slogans",))])
        assert model.labels_[-1] == "Slogans"
        assert model.predict_proba(TRAIN[:2]).shape == (2, 4)


def test_contract_thresholds_tuned_on_validation():
    for name in registered_names():
        extra = {"epochs": 2} if name.startswith("transformer") else {}
        model = make(name, **extra).fit(TRAIN, validation=TRAIN)
        assert model.thresholds_.shape == (len(LABELS),)
        assert np.all((model.thresholds_ > 0) & (model.thresholds_ < 1))


def test_contract_unknown_label_is_an_error():
    for name in registered_names():
        with pytest.raises(ModelError, match="not one of"):
            make(name).fit([*TRAIN, Example("x", None, ("Nope",))])


def test_contract_unfitted_predict_is_an_error():
    for name in registered_names():
        with pytest.raises(ModelError, match="not fitted"):
            make(name).predict_proba(TRAIN)
