"""Table-driven versions of spaCy's attribute ruler and rule lemmatizer, with identical output.

In ``en_core_web_sm`` the attribute ruler (tag -> POS/morph map plus ~120 word exceptions) and the
rule lemmatizer together take a third of the parse time, because both walk the document token by
token in Python: the ruler through the general ``Matcher``, the lemmatizer through ``Token``
objects. Every pattern in the shipped ruler is a short sequence of equality, ``IN`` or ``REGEX``
tests on plain token attributes, and a rule lemma depends only on (orth, POS, morph), so both can be
answered from hash tables over ``Doc.to_array`` columns and written back with one ``from_array``.

The components subclass spaCy's own, so their patterns, lookups, config and serialisation are the
originals'; only ``__call__`` differs. A ruler holding a pattern the tables cannot express (an
operator, a morph or entity test) falls back to spaCy's matcher, so the output never changes.
``tests/test_segment_tables.py`` checks token-for-token equality with the stock components.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any

import numpy as np
from spacy.attrs import IDS, LEMMA, MORPH, POS
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.lookups import Lookups
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

# Token attributes a pattern may test, as Doc.to_array columns. Lexical flags are 0/1 there.
_STRING_ATTRS = {"ORTH", "TEXT", "LOWER", "NORM", "TAG", "DEP", "LEMMA", "SHAPE", "PREFIX", "SUFFIX"}
_FLAG_ATTRS = {"IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "LIKE_NUM"}
# Attributes written in bulk; any other attribute a rule sets goes through spaCy's setter.
_BULK = (POS, MORPH, LEMMA)


class Unsupported(ValueError):
    """A pattern the tables cannot express; the component then uses spaCy's matcher."""


def _column(name: str) -> str:
    return "ORTH" if name == "TEXT" else name


def _compile_test(vocab, name: str, value: Any):
    """One attribute test: ('in' | 'notin', frozenset of array values) or ('re', compiled regex)."""
    if name not in _STRING_ATTRS and name not in _FLAG_ATTRS and name != "POS":
        raise Unsupported(f"attribute {name}")

    def encode(v):
        if name in _FLAG_ATTRS:
            if not isinstance(v, bool):
                raise Unsupported(f"{name} value {v!r}")
            return int(v)
        if not isinstance(v, str):
            raise Unsupported(f"{name} value {v!r}")
        if name == "POS":
            if v not in POS_IDS:
                raise Unsupported(f"POS value {v!r}")
            return POS_IDS[v]
        return vocab.strings.add(v)

    if isinstance(value, dict):
        if set(value) == {"IN"}:
            return "in", frozenset(encode(v) for v in value["IN"])
        if set(value) == {"NOT_IN"}:
            return "notin", frozenset(encode(v) for v in value["NOT_IN"])
        if set(value) == {"REGEX"} and name in _STRING_ATTRS:
            return "re", re.compile(value["REGEX"])
        raise Unsupported(f"{name} predicate {sorted(value)}")
    return "in", frozenset([encode(value)])


class _Tables:
    """The compiled patterns of one AttributeRuler."""

    def __init__(self, ruler: AttributeRuler):
        vocab = ruler.vocab
        self.columns: list[str] = []
        # pattern id -> (token tests, index, attrs); tests: list of list[(col, kind, arg)]
        self.patterns: list[tuple[list[list[tuple[int, str, Any]]], int, dict]] = []
        # first-token index: signature (columns) -> {value tuple -> [pattern ids]}
        self.index: dict[tuple[int, ...], dict[tuple, list[int]]] = {}
        self.rule_of: list[int] = []
        for pid in range(len(ruler.attrs)):
            _, alternatives = ruler.matcher.get(str(pid))
            for alt in alternatives:
                tests = []
                for tok in alt:
                    if "OP" in tok:
                        raise Unsupported("operator")
                    tests.append([(self._col(_column(k)),) + _compile_test(vocab, k, v) for k, v in tok.items()])
                if not tests:
                    raise Unsupported("empty pattern")
                self.patterns.append((tests, ruler.indices[pid], ruler.attrs[pid]))
                # Several alternatives of one rule share its precedence: keep the rule's id for sorting.
                self.rule_of.append(pid)
                self._add_to_index(len(self.patterns) - 1, tests[0])
        self.attr_ids = [IDS[c] for c in self.columns]
        self._regex_cache: dict[tuple[int, int], bool] = {}
        self._strings = vocab.strings
        # Column values of a token -> its entry; words and tags repeat, so this stays small.
        self._entries: dict[tuple, tuple] = {}

    def _col(self, name: str) -> int:
        if name not in self.columns:
            self.columns.append(name)
        return self.columns.index(name)

    def _add_to_index(self, k: int, first: list[tuple[int, str, Any]]) -> None:
        eq = sorted((t for t in first if t[1] == "in"), key=lambda t: t[0])
        sig = tuple(t[0] for t in eq)
        table = self.index.setdefault(sig, {})
        for values in product(*(sorted(t[2]) for t in eq)):
            table.setdefault(values, []).append(k)

    def _passes(self, tests, cols, i: int) -> bool:
        for col, kind, arg in tests:
            v = cols[col][i]
            if kind == "in":
                if v not in arg:
                    return False
            elif kind == "notin":
                if v in arg:
                    return False
            else:
                key = (id(arg), v)
                hit = self._regex_cache.get(key)
                if hit is None:
                    hit = self._regex_cache[key] = arg.search(self._strings[v]) is not None
                if not hit:
                    return False
        return True

    def _entry(self, key: tuple) -> tuple:
        """What a token with column values ``key`` gets from one-token rules, and which longer
        patterns start there: (one-token matches as (rule, k), longer candidates, writes)."""
        single, longer = [], []
        cols = [[v] for v in key]
        for sig, table in self.index.items():
            for k in table.get(tuple(key[c] for c in sig), ()):
                tests = self.patterns[k][0]
                if self._passes(tests[0], cols, 0):
                    (single if len(tests) == 1 else longer).append((self.rule_of[k], k))
        single.sort()
        return tuple(single), tuple(k for _, k in longer), _writes(self.patterns[k][2] for _, k in single)

    def writes(self, doc: Doc) -> list[tuple]:
        """Per token, the attribute writes of every rule that matches it, later rules winning."""
        n = len(doc)
        arr = doc.to_array(self.attr_ids)
        cols = [arr[:, j].tolist() for j in range(len(self.columns))]
        cache = self._entries
        entries = []
        for key in zip(*cols):
            e = cache.get(key)
            if e is None:
                e = cache[key] = self._entry(key)
            entries.append(e)
        # Patterns longer than one token are rare; their matches are merged in by rule order below.
        extra: dict[int, list] = {}
        for i, (_, longer, _) in enumerate(entries):
            for k in longer:
                tests, index, _ = self.patterns[k]
                length = len(tests)
                if i + length > n or not all(self._passes(tests[j], cols, i + j) for j in range(1, length)):
                    continue
                target = i + index if index >= 0 else i + length + index
                if not i <= target < i + length:
                    raise ValueError(f"attribute rule {self.rule_of[k]}: index {index} outside its match")
                extra.setdefault(target, []).append((self.rule_of[k], i, i + length, k))
        out = [e[2] for e in entries]
        for t, found in extra.items():
            # spaCy applies matches sorted by rule id, then span; a span that several alternatives
            # of one rule match counts once.
            found += [(rule, t, t + 1, k) for rule, k in entries[t][0]]
            found.sort()
            seen, ks = set(), []
            for rule, start, end, k in found:
                if (rule, start, end) not in seen:
                    seen.add((rule, start, end))
                    ks.append(k)
            out[t] = _writes(self.patterns[k][2] for k in ks)
        return out


def _writes(attr_dicts) -> tuple[tuple[tuple[int, int], ...], dict]:
    """Merge rule outputs in order: (bulk column, value) pairs and the other attributes."""
    merged: dict = {}
    for attrs in attr_dicts:
        merged.update(attrs)
    bulk = tuple((_BULK.index(a), v) for a, v in merged.items() if a in _BULK)
    return bulk, {a: v for a, v in merged.items() if a not in _BULK}


class TableAttributeRuler(AttributeRuler):
    """spaCy's AttributeRuler, applied by table lookup (same patterns, same result)."""

    _tables: _Tables | None = None
    _tables_for: int = -1

    def _compiled(self) -> _Tables | None:
        # Rebuilt whenever rules were added since the last document.
        if self._tables_for != len(self.attrs):
            try:
                self._tables = _Tables(self)
            except Unsupported:
                self._tables = None
            self._tables_for = len(self.attrs)
        return self._tables

    def __call__(self, doc: Doc) -> Doc:
        tables = self._compiled()
        if tables is None:
            return super().__call__(doc)
        if not len(doc):
            return doc
        arr = doc.to_array(list(_BULK))
        columns = [arr[:, j].tolist() for j in range(len(_BULK))]
        other = []
        for i, (bulk, rest) in enumerate(tables.writes(doc)):
            for j, v in bulk:
                columns[j][i] = v
            if rest:
                other.append((i, rest))
        doc.from_array(list(_BULK), np.array(columns, dtype=np.uint64).T)
        for i, rest in other:
            set_token_attrs(doc[i], rest)
        return doc


class TableLemmatizer(EnglishLemmatizer):
    """spaCy's English rule lemmatizer, answered from a table keyed by (orth, POS, morph).

    A new key is lemmatised by spaCy's own ``rule_lemmatize``, given the word index as sets: its
    lists (57,000 nouns) are searched with ``in`` once per candidate form, which is what made a
    first lookup cost ~150 microseconds. Membership, and so the answer, is the same.
    """

    def _set_lookups(self) -> Lookups:
        fast = self.__dict__.get("_set_index")
        if fast is None or fast[0] is not self.lookups:
            sets = Lookups()
            for name in self.lookups.tables:
                table = self.lookups.get_table(name)
                if name == "lemma_index":
                    sets.add_table(name, {k: frozenset(v) for k, v in table.items()})
                else:
                    sets.set_table(name, table)
            fast = self.__dict__["_set_index"] = (self.lookups, sets)
        return fast[1]

    def rule_lemmatize(self, token) -> list[str]:
        original = self.lookups
        self.lookups = self._set_lookups()
        try:
            return super().rule_lemmatize(token)
        finally:
            self.lookups = original

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule":
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables()
        n = len(doc)
        if n == 0:
            return doc
        arr = doc.to_array(["ORTH", "POS", "MORPH", "LEMMA"])
        table = self.__dict__.setdefault("_lemma_table", {})
        lemmas = arr[:, 3].tolist()
        strings = self.vocab.strings
        for i, key in enumerate(zip(arr[:, 0].tolist(), arr[:, 1].tolist(), arr[:, 2].tolist())):
            if lemmas[i] and not self.overwrite:
                continue
            h = table.get(key)
            if h is None:
                # The stock rule lemmatizer is a pure function of this key (its own cache uses it).
                h = table[key] = strings.add(self.lemmatize(doc[i])[0])
            lemmas[i] = h
        doc.from_array(["LEMMA"], np.asarray(lemmas, dtype=np.uint64).reshape(-1, 1))
        return doc


@Language.factory(
    "pw_attribute_ruler", default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}}
)
def make_table_attribute_ruler(nlp: Language, name: str, validate: bool, scorer):
    return TableAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)


@Language.factory(
    "pw_lemmatizer",
    assigns=["token.lemma"],
    default_config={
        "model": None,
        "mode": "rule",
        "overwrite": False,
        "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"},
    },
)
def make_table_lemmatizer(nlp: Language, model, name: str, mode: str, overwrite: bool, scorer):
    return TableLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)


def use_tables(nlp: Language) -> Language:
    """Swap the stock attribute ruler and English rule lemmatizer of ``nlp`` for the table versions.

    Patterns and lookup tables are carried over; the pipeline's output is unchanged. Components of
    another kind (or a non-English lemmatizer) are left as they are.
    """
    if "attribute_ruler" in nlp.pipe_names and type(nlp.get_pipe("attribute_ruler")) is AttributeRuler:
        old = nlp.get_pipe("attribute_ruler")
        new = nlp.replace_pipe("attribute_ruler", "pw_attribute_ruler")
        new.add_patterns(old.patterns)
    if "lemmatizer" in nlp.pipe_names and type(nlp.get_pipe("lemmatizer")) is EnglishLemmatizer:
        old = nlp.get_pipe("lemmatizer")
        if old.mode == "rule":
            new = nlp.replace_pipe("lemmatizer", "pw_lemmatizer", config={"overwrite": old.overwrite})
            new.lookups = old.lookups
            new._validated = False
    return nlp
