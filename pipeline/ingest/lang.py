"""A cheap English-or-not check, so non-English pages are reported instead of segmented as noise."""

from __future__ import annotations

import re

from ..errors import UnsupportedLanguageError

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Function words are the most stable signal of a language; a few dozen cover most English text.
_EN_FUNCTION = frozenset(
    "the of and to a in is that for on with as was by it at from be are this an have has had not "
    "but or which their they he she his her its were been will would said who more than also we".split()
)


def english_evidence(text: str) -> tuple[float, float]:
    """Return ``(latin_share, function_word_share)`` of the text's letters and words."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0, 0.0
    latin = sum(1 for c in letters if c.isascii()) / len(letters)
    words = [w.lower() for w in _WORD.findall(text)]
    ascii_words = [w for w in words if w.isascii()]
    fw = sum(1 for w in ascii_words if w in _EN_FUNCTION) / max(1, len(ascii_words))
    return latin, fw


def check_english(text: str, path: str) -> None:
    """Raise :class:`UnsupportedLanguageError` when the text is clearly not English.

    Short texts (under 20 words) are let through on the letter test alone, since too few
    function words appear in them to judge.
    """
    latin, fw = english_evidence(text)
    if latin < 0.6:
        raise UnsupportedLanguageError(
            path,
            f"text is not English ({latin:.0%} of letters are Latin); propwatch supports English only",
        )
    n_words = len(_WORD.findall(text))
    if n_words >= 20 and fw < 0.08:
        raise UnsupportedLanguageError(
            path,
            f"text does not look like English (function words are {fw:.0%} of words); propwatch supports English only",
        )
