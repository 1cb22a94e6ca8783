"""Config loading: dataclass defaults < TOML file < --set overrides, type checks, TOML round trip."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pipeline.config import load_config, parse_override, to_toml
from pipeline.errors import ConfigError
from pipeline.rhetoric.train import TrainConfig, load_train_config


@dataclass
class Inner:
    rate: float = 0.1
    names: list[str] = field(default_factory=list)
    limit: int | None = None


@dataclass
class Outer:
    name: str = "default"
    seed: int = 0
    flag: bool = False
    inner: Inner = field(default_factory=Inner)
    extra: dict = field(default_factory=dict)


def write(tmp_path, text):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_config_defaults_when_nothing_given():
    assert load_config(Outer) == Outer()


def test_config_precedence_defaults_toml_set(tmp_path):
    p = write(tmp_path, 'name = "file"\nseed = 3\n[inner]\nrate = 0.5\n')
    c = load_config(Outer, p, ["seed=9", "inner.names=['a', 'b']"])
    assert c.name == "file"  # file beats default
    assert c.seed == 9  # --set beats file
    assert c.inner.rate == 0.5  # file beats default, nested
    assert c.inner.names == ["a", "b"]
    assert c.flag is False  # default kept


def test_config_set_values_are_typed():
    c = load_config(Outer, overrides=["inner.rate=2", "flag=true", "name=plain words", "inner.limit=4"])
    assert c.inner.rate == 2.0 and isinstance(c.inner.rate, float)
    assert c.flag is True and c.name == "plain words" and c.inner.limit == 4


def test_config_dict_field_takes_any_key():
    c = load_config(Outer, overrides=["extra.lr=1e-5", "extra.layers=[1, 2]"])
    assert c.extra == {"lr": 1e-5, "layers": [1, 2]}


@pytest.mark.parametrize(
    "override, message",
    [
        ("nope=1", "unknown key 'nope'"),
        ("inner.nope=1", "unknown key 'inner.nope'"),
        ("seed=abc", "seed must be an integer"),
        ("flag=1", "flag must be true or false"),
        ("inner.rate=[1]", "inner.rate must be a number"),
        ("seed", "expected key=value"),
        ("seed.x=1", "seed must be an integer"),
    ],
)
def test_config_bad_override_is_named(override, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace(".", r"\.")):
        load_config(Outer, overrides=[override])


def test_config_bad_file_names_the_file(tmp_path):
    p = write(tmp_path, "seed = = 1\n")
    with pytest.raises(ConfigError, match="c.toml: not valid TOML"):
        load_config(Outer, p)
    with pytest.raises(ConfigError, match="missing.toml: config file not found"):
        load_config(Outer, tmp_path / "missing.toml")
    p = write(tmp_path, "[inner]\nwrong = 1\n")
    with pytest.raises(ConfigError, match=r"c.toml: unknown key 'inner.wrong'"):
        load_config(Outer, p)


def test_config_toml_round_trip(tmp_path):
    c = Outer(name='quo"te', seed=5, flag=True, inner=Inner(rate=1e-5, names=["x"]), extra={"a": [1, 2], "b": "s"})
    p = write(tmp_path, to_toml(c))
    assert load_config(Outer, p) == c


def test_config_parse_override_falls_back_to_string():
    assert parse_override("a.b=models/x") == ("a.b", "models/x")
    assert parse_override("a= 3 ") == ("a", 3)


def test_train_config_checks_mode_model_and_seed(tmp_path):
    assert isinstance(load_train_config(None, ["model=transformer.v1"]), TrainConfig)
    with pytest.raises(ConfigError, match="data.mode"):
        load_train_config(None, ["data.mode=doc"])
    with pytest.raises(ConfigError, match="top-level `seed`"):
        load_train_config(None, ["params.seed=1"])
    from pipeline.errors import ModelError

    with pytest.raises(ModelError, match="unknown model 'nope.v9'"):
        load_train_config(None, ["model=nope.v9"])


def test_shipped_configs_load():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "configs"
    for name in ("tfidf_linear.toml", "transformer.toml", "tfidf_linear_sentence.toml", "transformer_sentence.toml"):
        c = load_train_config(root / name)
        assert c.model.endswith(".v1")
