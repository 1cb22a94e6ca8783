"""The outlet and speaker registry: who a speaker phrase names, and which voice that speaker has.

The registry is a TOML data file (``pipeline/data/outlets.toml``) that users extend without code:
named outlets and state organs with aliases, generic phrases ("the newspaper") that resolve to the
outlet of the same kind mentioned last, and regex patterns for sources ("a source in X province").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..errors import ConfigError

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

SCHEMA = "propwatch.outlets.v1"
VOICE_LABELS = ("narration", "state_media", "source_testimony", "other")

# Pronouns that stand for a speaker named earlier; resolved by the attribution pass.
PRONOUNS = {
    "he": "person",
    "she": "person",
    "him": "person",
    "her": "person",
    "they": "any",
    "them": "any",
    "it": "outlet",
    "who": "relative",
    "which": "relative",
    "that": "relative",
    "i": "first",
    "we": "first",
}


@dataclass(frozen=True)
class Entry:
    """One registry entry: a canonical name, its category and (outlets only) its kind."""

    name: str
    category: str
    kind: str = ""


@dataclass(frozen=True)
class Match:
    """What a phrase was recognised as.

    ``generic`` is the kind of a generic phrase ("the newspaper" -> ``newspaper``) that still needs
    resolving to an outlet named earlier; ``pronoun`` likewise for pronouns.
    """

    category: str
    name: str | None
    kind: str = ""
    generic: str = ""
    pronoun: str = ""
    known: bool = True


class Registry:
    """Compiled outlet, organ and source patterns, and the category-to-voice map.

    Args:
        data: The parsed TOML document (see ``pipeline/data/outlets.toml``).
        path: Where it came from, for error messages.

    Raises:
        ConfigError: when the document does not follow the ``propwatch.outlets.v1`` schema.
    """

    def __init__(self, data: dict, path: str = "<registry>"):
        self.path = path
        self.data = data
        self._compile()

    def _compile(self) -> None:
        data, path = self.data, self.path
        if data.get("schema") != SCHEMA:
            raise ConfigError(f"{path}: 'schema' must be {SCHEMA!r}, got {data.get('schema')!r}")
        cats = data.get("categories")
        if not isinstance(cats, dict) or not cats:
            raise ConfigError(f"{path}: missing [categories] table mapping speaker categories to voices")
        for cat, voice in cats.items():
            if voice not in VOICE_LABELS:
                raise ConfigError(f"{path}: category {cat!r} maps to {voice!r}; use one of {VOICE_LABELS}")
        self.categories: dict[str, str] = dict(cats)
        # alias (lower case) -> Entry; the longest alias wins at the same position.
        aliases: dict[str, Entry] = {}
        self.generic: dict[str, tuple[str, str]] = {}
        patterns: list[tuple[re.Pattern, Entry]] = []
        for section in ("outlets", "organs", "others"):
            for n, item in enumerate(data.get(section, []), 1):
                try:
                    entry = Entry(item["name"], item["category"], item.get("kind", ""))
                except (KeyError, TypeError):
                    raise ConfigError(f"{path}: [[{section}]] entry {n} needs 'name' and 'category'") from None
                self._check_category(entry.category, f"[[{section}]] {entry.name!r}")
                for alias in [entry.name, *item.get("aliases", [])]:
                    aliases[alias.lower()] = entry
                for pat in item.get("patterns", []):
                    patterns.append((self._regex(pat, entry.name), entry))
        for n, item in enumerate(data.get("generic", []), 1):
            kind = item.get("kind")
            if not kind:
                raise ConfigError(f"{path}: [[generic]] entry {n} needs 'kind'")
            fallback = item.get("fallback_category", "")
            if fallback:
                self._check_category(fallback, f"[[generic]] {kind!r}")
            for phrase in item.get("phrases", []):
                self.generic[phrase.lower()] = (kind, fallback)
        src = data.get("sources", {})
        if src:
            cat = src.get("category", "source")
            self._check_category(cat, "[sources]")
            for pat in src.get("patterns", []):
                patterns.append((self._regex(pat, "sources"), Entry("source", cat)))
        self.aliases = aliases
        self.patterns = patterns
        words = sorted(set(aliases) | set(self.generic), key=len, reverse=True)
        # One alternation over all literal names: a single regex search per phrase or sentence.
        self._names = re.compile(
            r"(?<![\w'’-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.IGNORECASE
        )
        self.by_name = {e.name: e for e in aliases.values()}

    def _check_category(self, cat: str, where: str) -> None:
        if cat not in self.categories:
            raise ConfigError(f"{self.path}: {where} has category {cat!r}, not listed in [categories]")

    def _regex(self, pat: str, where: str) -> re.Pattern:
        try:
            return re.compile(pat, re.IGNORECASE)
        except re.error as e:
            raise ConfigError(f"{self.path}: bad pattern for {where!r}: {e}") from None

    def voice(self, category: str | None) -> str:
        """The voice label of a speaker category; unknown categories are ``other``."""
        return self.categories.get(category or "", "other")

    def outlet_category(self, outlet: str | None) -> str | None:
        """Category of an article's outlet name (``Article.outlet``), or None when unknown."""
        if not outlet:
            return None
        entry = self.aliases.get(outlet.strip().lower())
        return entry.category if entry else None

    def mentions(self, text: str) -> list[tuple[int, int, Match]]:
        """Every registry name or generic phrase in ``text``: ``(start, end, match)`` in text order."""
        out = []
        for m in self._names.finditer(text):
            out.append((m.start(), m.end(), self._literal(m.group(0))))
        return out

    def _literal(self, phrase: str) -> Match:
        key = phrase.lower()
        entry = self.aliases.get(key)
        if entry is not None:
            return Match(entry.category, entry.name, entry.kind)
        kind, fallback = self.generic[key]
        return Match(fallback or "other", None, kind, generic=kind, known=bool(fallback))

    def classify(self, phrase: str) -> Match:
        """Recognise a speaker phrase ("a source in the province", "the newspaper", "he").

        The earliest match in the phrase wins (the head of a noun phrase comes first in English:
        "a source in the North Korean government" is a source). Never raises: an unknown phrase is
        ``Match("other", None, known=False)``.
        """
        text = phrase.strip()
        low = text.lower()
        if low in PRONOUNS:
            return Match("other", None, pronoun=PRONOUNS[low], known=False)
        best: tuple[int, int, Match] | None = None
        for pat, entry in self.patterns:
            m = pat.match(text)
            if m and m.end() > 0:
                cand = (0, -m.end(), Match(entry.category, entry.name if entry.name != "source" else None))
                best = cand if best is None or cand[:2] < best[:2] else best
                break
        m = self._names.search(text)
        if m:
            cand = (m.start(), -(m.end() - m.start()), self._literal(m.group(0)))
            if best is None or cand[:2] < best[:2]:
                best = cand
        if best is None:
            return Match("other", None, known=False)
        return best[2]


@cache
def _default_registry() -> Registry:
    ref = resources.files("pipeline").joinpath("data", "outlets.toml")
    with resources.as_file(ref) as p:
        return load_registry(p)


def load_registry(path: str | Path | None = None) -> Registry:
    """Load a registry file; ``None`` gives the packaged default (cached).

    Raises:
        ConfigError: when the file is missing, is not TOML, or breaks the schema.
    """
    if path is None:
        return _default_registry()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: registry file not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    return Registry(data, str(path))
