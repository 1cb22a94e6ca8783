"""Typed run configuration: dataclass defaults < TOML file < ``--set key=value`` overrides.

Any area can describe its settings as (nested) dataclasses and load them with :func:`load_config`;
:func:`to_toml` writes the resolved values back so every artifact records exactly how it was made.

Example:
    >>> @dataclass
    ... class Data:
    ...     seed: int = 0
    >>> @dataclass
    ... class Run:
    ...     name: str = "x"
    ...     data: Data = field(default_factory=Data)
    >>> load_config(Run, overrides=["data.seed=3"]).data.seed
    3
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import tomllib

from .errors import ConfigError

T = TypeVar("T")


def load_config(
    cls: type[T],
    path: str | Path | None = None,
    overrides: Iterable[str] = (),
    *,
    data: Mapping[str, Any] | None = None,
) -> T:
    """Build a ``cls`` instance from its defaults, a TOML file, a mapping and ``key=value`` overrides.

    Later sources win: defaults < ``path`` < ``data`` < ``overrides``. Keys are checked against the
    dataclass fields (a ``dict`` field accepts any keys), and values against the field types.

    Args:
        cls: A dataclass whose fields all have defaults; nested dataclasses are TOML tables.
        path: Optional TOML file.
        data: Optional mapping merged after the file (e.g. built in Python).
        overrides: Strings ``dotted.key=value``; the value is read as a TOML value
            (``3``, ``1e-5``, ``true``, ``["a", "b"]``, ``"text"``), and as a bare string otherwise.

    Raises:
        ConfigError: naming the file or override, the key and what is wrong.
    """
    merged: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            merged = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{path}: not valid TOML ({e})") from None
    if data:
        _deep_merge(merged, dict(data))
    for item in overrides:
        key, value = parse_override(item)
        node = merged
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {item}: {part!r} is a value, not a table")
        node[parts[-1]] = value
    return _build(cls, merged, where=str(path) if path else "config")


def parse_override(item: str) -> tuple[str, Any]:
    """Split ``key=value`` and read the value as TOML, falling back to a plain string."""
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"--set {item!r}: expected key=value, e.g. --set train.seed=1")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def _deep_merge(into: dict, new: dict) -> None:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _deep_merge(into[k], v)
        else:
            into[k] = v


def _build(cls: type[T], values: Mapping[str, Any], where: str, prefix: str = "") -> T:
    if not isinstance(values, Mapping):
        raise ConfigError(f"{where}: {prefix.rstrip('.') or 'config'} must be a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {prefix + unknown[0]!r}; known keys: {', '.join(prefix + k for k in fields)}"
        )
    kwargs = {}
    for name, value in values.items():
        kwargs[name] = _coerce(hints[name], value, where, prefix + name)
    return cls(**kwargs)


def _coerce(tp: Any, value: Any, where: str, key: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, where, key + ".")
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(arg, value, where, key)
            except ConfigError as e:
                errors.append(str(e))
        raise ConfigError(errors[0] if errors else f"{where}: {key} has an invalid value {value!r}")
    if tp is Any:
        return value
    if origin in (list, tuple) or tp in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: {key} must be a list, got {value!r}")
        inner = args[0] if args else Any
        items = [_coerce(inner, v, where, key) for v in value]
        return tuple(items) if (origin or tp) is tuple else items
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: {key} must be a table, got {value!r}")
        return dict(value)
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: {key} must be true or false, got {value!r}")
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: {key} must be an integer, got {value!r}")
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise ConfigError(f"{where}: {key} must be a number, got {value!r}")
    if tp is str:
        if isinstance(value, str):
            return value
        raise ConfigError(f"{where}: {key} must be a string, got {value!r}")
    if origin is typing.Literal:
        if value in args:
            return value
        raise ConfigError(f"{where}: {key} must be one of {list(args)}, got {value!r}")
    return value


def to_dict(obj: Any) -> dict[str, Any]:
    """A dataclass instance as nested plain dicts (tuples become lists)."""
    return _plain(dataclasses.asdict(obj))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_toml(obj: Any) -> str:
    """Serialise a dataclass instance (or a dict) as TOML that :func:`load_config` reads back.

    ``None`` values are written as comments, since TOML has no null; loading then keeps the
    default, which is ``None`` for such fields.
    """
    data = to_dict(obj) if dataclasses.is_dataclass(obj) else _plain(dict(obj))
    lines: list[str] = []
    _write_table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _write_table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    if path and (scalars or not tables):
        lines.append("")
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    for k, v in scalars.items():
        if v is None:
            lines.append(f"# {_key(k)} = (unset)")
        else:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, v in tables.items():
        _write_table(v, [*path, k], lines)


def _key(k: str) -> str:
    if k and all(c.isalnum() or c in "_-" for c in k):
        return k
    return _value(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return repr(v)
    if isinstance(v, str):
        out = v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        return f'"{out}"'
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v if x is not None) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items() if x is not None) + "}"
    raise ConfigError(f"cannot write {type(v).__name__} value {v!r} as TOML")
