"""Error classes whose messages name the input, where in it, and what to do about it."""

from __future__ import annotations


class PropwatchError(Exception):
    """Base class: every error the library raises on purpose derives from it."""


class InputError(PropwatchError):
    """An input file cannot be read as an article.

    Args:
        path: The file (or ``"-"`` for standard input).
        problem: What is wrong, in words a user can act on.
        line: 1-based line number for line-oriented formats, when known.
    """

    def __init__(self, path: str, problem: str, line: int | None = None):
        self.path = str(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


class UnsupportedLanguageError(InputError):
    """The text is not English, so the English models would only produce noise."""


class ModelError(PropwatchError):
    """A model folder is missing, incomplete, or from an incompatible version."""


class CorpusError(PropwatchError):
    """An annotation record does not agree with the text or label set it refers to."""


class ConfigError(PropwatchError):
    """A configuration file or ``--set`` override is invalid."""
