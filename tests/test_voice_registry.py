"""The outlet and speaker registry: classification, generic phrases, user files, schema errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.voice.registry import load_registry

FIXTURES = Path(__file__).parent / "fixtures" / "voice"


@pytest.mark.parametrize(
    ("phrase", "category", "voice"),
    [
        ("a source in North Hamgyong province", "source", "source_testimony"),
        ("a Daily NK source", "source", "source_testimony"),
        ("one local", "source", "source_testimony"),
        ("another local", "source", "source_testimony"),
        ("residents", "source", "source_testimony"),
        ("a defector", "source", "source_testimony"),
        ("an insider", "source", "source_testimony"),
        ("KCNA", "nk_state_media", "state_media"),
        ("The Rodong Sinmun newspaper", "nk_state_media", "state_media"),
        ("KCTV", "nk_state_media", "state_media"),
        ("state media", "nk_state_media", "state_media"),
        ("the state-run daily", "nk_state_media", "state_media"),
        ("The government", "nk_state_organ", "state_media"),
        ("the Central Committee", "nk_state_organ", "state_media"),
        ("the authorities", "nk_state_organ", "state_media"),
        ("Kim Jong Un", "nk_state_organ", "state_media"),
        ("Xinhua", "foreign_state_media", "other"),
        ("TASS", "foreign_state_media", "other"),
        ("the Unification Ministry", "other", "other"),
        ("Human Rights Watch", "other", "other"),
        ("an analyst at a Seoul think tank", "expert", "source_testimony"),
    ],
)
def test_registry_classifies_speaker_phrases(phrase, category, voice):
    reg = load_registry()
    m = reg.classify(phrase)
    assert m.category == category
    assert reg.voice(m.category) == voice


def test_registry_head_of_phrase_wins():
    # "a source in the North Korean government" is a source, not the government.
    assert load_registry().classify("a source in the North Korean government").category == "source"


def test_registry_generic_and_pronoun_need_resolving():
    reg = load_registry()
    m = reg.classify("the newspaper")
    assert m.generic == "newspaper" and not m.known
    assert reg.classify("he").pronoun == "person"


def test_registry_unknown_phrase_is_other_and_unknown():
    m = load_registry().classify("Zorblat Quux")
    assert (m.category, m.known) == ("other", False)


def test_registry_mentions_find_outlets_in_text():
    found = [(m.name, s, e) for s, e, m in load_registry().mentions("Reports in Rodong Sinmun and KCNA agreed.")]
    assert ("Rodong Sinmun", 11, 24) in found and ("KCNA", 29, 33) in found


def test_registry_user_file_extends_without_code():
    reg = load_registry(FIXTURES / "extra_outlets.toml")
    assert reg.classify("the Zorblat Gazette").name == "Zorblat Gazette"
    assert reg.voice(reg.classify("a witness to the parade").category) == "source_testimony"
    assert reg.outlet_category("Zorblat Gazette") == "nk_state_media"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('schema = "other.v9"\n[categories]\nsource = "source_testimony"\n', "schema"),
        ('schema = "propwatch.outlets.v1"\n[categories]\nsource = "shouting"\n', "shouting"),
        (
            'schema = "propwatch.outlets.v1"\n[categories]\nsource = "source_testimony"\n'
            '[[outlets]]\nname = "X"\ncategory = "nope"\n',
            "nope",
        ),
        ("not = [toml", "not valid TOML"),
    ],
)
def test_registry_bad_files_raise_config_error(tmp_path, text, message):
    p = tmp_path / "reg.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_registry(p)


def test_registry_missing_file_raises_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_registry(tmp_path / "none.toml")


def test_registry_packaged_file_ships_inside_the_package():
    from importlib import resources

    assert resources.files("pipeline").joinpath("data", "outlets.toml").is_file()
