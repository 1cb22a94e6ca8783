"""The registry of versioned technique classifiers and ``load_model`` for self-describing folders."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import ModelError

FORMAT_VERSION = 1
"""Version of the model-folder layout; a folder with another version is refused with a fix."""

META = "meta.json"
LABELS = "labels.txt"

_REGISTRY: dict[str, type] = {}
# Built-in models live in modules that are imported only when asked for (torch is slow to import).
_BUILTIN = {
    "tfidf_linear.v1": "pipeline.rhetoric.tfidf",
    "transformer.v1": "pipeline.rhetoric.transformer",
}


def register(name: str) -> Callable[[type], type]:
    """Class decorator adding a classifier to the registry under a versioned name like ``tfidf_linear.v1``."""

    def deco(cls: type) -> type:
        if name in _REGISTRY and _REGISTRY[name] is not cls:
            raise ModelError(f"registry name {name!r} is already taken by {_REGISTRY[name].__name__}")
        cls.registry_name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def get_model_class(name: str) -> type:
    """The class registered as ``name``.

    Raises:
        ModelError: when no model is registered under ``name``.
    """
    if name not in _REGISTRY and name in _BUILTIN:
        importlib.import_module(_BUILTIN[name])
    if name not in _REGISTRY:
        raise ModelError(f"unknown model {name!r}; registered models: {', '.join(registered_names())}")
    return _REGISTRY[name]


def registered_names() -> list[str]:
    """Every registered name (built-ins included), sorted."""
    return sorted(set(_REGISTRY) | set(_BUILTIN))


def create_model(name: str, **params: Any):
    """A new, unfitted classifier ``name`` with constructor settings ``params``.

    Raises:
        ModelError: for an unknown name or a setting the model does not have.
    """
    cls = get_model_class(name)
    try:
        return cls(**params)
    except TypeError as e:
        raise ModelError(f"model {name}: bad settings ({e})") from None


def read_meta(path: str | Path) -> dict[str, Any]:
    """Read and check ``meta.json`` of a model folder.

    Raises:
        ModelError: naming the folder and the fix when it is missing, unreadable, or has an
            incompatible format version.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelError(f"{path}: model folder not found; train one with `propwatch train CONFIG -o {path}`")
    meta_path = path / META
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{meta_path}: missing; {path} is not a propwatch model folder (retrain it)") from None
    except json.JSONDecodeError as e:
        raise ModelError(f"{meta_path}: not valid JSON ({e}); retrain the model") from None
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelError(
            f"{path}: model folder format version {version!r}, this propwatch reads version {FORMAT_VERSION}; "
            "retrain it with this version (`propwatch train`) or use the propwatch release that made it"
        )
    if "registry_name" not in meta:
        raise ModelError(f"{meta_path}: no registry_name; retrain the model")
    return meta


def load_model(path: str | Path):
    """Load any registered classifier from its folder, choosing the class from ``meta.json``.

    Raises:
        ModelError: for a missing folder, an unknown registry name or an incompatible format version.
    """
    meta = read_meta(path)
    name = meta["registry_name"]
    try:
        cls = get_model_class(name)
    except ModelError:
        raise ModelError(
            f"{path}: made by model {name!r}, which this propwatch does not know "
            f"(known: {', '.join(registered_names())}); upgrade propwatch or retrain"
        ) from None
    return cls.load(path)
