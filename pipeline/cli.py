"""The ``propwatch`` command line: each command parses its options and calls one library function."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import typer

from . import __version__

app = typer.Typer(
    help="propwatch: who is speaking, and which propaganda techniques the words use.",
    no_args_is_help=True,
    add_completion=False,
)

DEFAULT_DATA_DIR = "../shared/data"


def data_dir_option() -> Path:
    """The data directory: --data-dir, else $PROPWATCH_DATA_DIR, else ../shared/data."""
    return Path(os.environ.get("PROPWATCH_DATA_DIR", DEFAULT_DATA_DIR))


def report_errors(errors) -> None:
    """Print one line per failed input on stderr."""
    for e in errors:
        typer.echo(f"error: {e}", err=True)


@app.command()
def version() -> None:
    """Print the propwatch version."""
    typer.echo(__version__)


@app.command()
def segment(
    paths: list[str] = typer.Argument(..., help="Files, directories, globs, or - for standard input."),
    output: Path = typer.Option(..., "-o", "--output", help="Output JSONL, one object per sentence."),
) -> None:
    """Split articles into sentences with exact character offsets and quotation state."""
    from .batch import segment_files

    result = segment_files(paths, output)
    report_errors(result.errors)
    typer.echo(
        f"{result.articles} articles, {result.sentences} sentences -> {output}"
        + (f"; {len(result.errors)} inputs failed" if result.errors else ""),
        err=True,
    )
    raise typer.Exit(1 if result.errors else 0)


# Each area adds its own commands through register(app), so the areas stay independent.
for _area in ("corpus", "voice", "rhetoric", "evaluate", "analysis"):
    try:
        _mod = importlib.import_module(f"pipeline.{_area}.cli")
    except ModuleNotFoundError as _e:
        if _e.name != f"pipeline.{_area}.cli" and _e.name != f"pipeline.{_area}":
            raise
        continue
    _mod.register(app)


def main() -> None:
    """Entry point of the ``propwatch`` console script and ``python -m pipeline``."""
    try:
        app()
    except BrokenPipeError:
        sys.exit(1)
