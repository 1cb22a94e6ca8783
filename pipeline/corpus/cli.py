"""``propwatch corpus build | stats | validate | agreement``: thin wrappers over the corpus library."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer

from ..errors import PropwatchError

corpus_app = typer.Typer(help="Build, describe and check the labeled sentence corpus.", no_args_is_help=True)

DEFAULT_DATA_DIR = "../shared/data"
DEFAULT_OUT = Path("out/corpus")

_DATA_DIR = typer.Option(None, "--data-dir", help="Data directory (default: $PROPWATCH_DATA_DIR, else ../shared/data).")
_ANNOTATIONS = typer.Option(Path("corpus/annotations"), "--annotations", help="Folder of the annotation JSONL files.")
_SEED_DIR = typer.Option(Path("corpus/seed"), "--seed-dir", help="Folder of the seed article.")
_OUT = typer.Option(DEFAULT_OUT, "--out", help="Cache and output folder of the built corpus.")
_SOURCES = typer.Option(None, "--source", help="Only these sources (nk, seed, ptc, polnear); repeatable.")
_SEED = typer.Option(13, "--seed", help="Seed of the article-level split.")


def _data_dir(value: Path | None) -> Path:
    return value if value is not None else Path(os.environ.get("PROPWATCH_DATA_DIR", DEFAULT_DATA_DIR))


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _build(data_dir, annotations, seed_dir, out, sources, seed, strict=True):
    import datasets

    from .builder import SOURCES, build

    # One progress line per source is printed instead of datasets' per-step bars.
    datasets.disable_progress_bars()

    try:
        return build(
            _data_dir(data_dir),
            annotations,
            seed_dir,
            seed,
            sources=tuple(sources or SOURCES),
            cache_dir=out / "cache",
            strict=strict,
            progress=lambda m: typer.echo(m, err=True),
        )
    except PropwatchError as e:
        _fail(str(e))


@corpus_app.command("build")
def build_cmd(
    data_dir: Path = _DATA_DIR,
    annotations: Path = _ANNOTATIONS,
    seed_dir: Path = _SEED_DIR,
    out: Path = _OUT,
    source: list[str] = _SOURCES,
    seed: int = _SEED,
) -> None:
    """Build the corpus DatasetDict into OUT/dataset (and the span table into OUT/spans)."""
    import time

    from .builder import save_build

    t0 = time.perf_counter()
    result = _build(data_dir, annotations, seed_dir, out, source, seed)
    save_build(result, out)
    sizes = ", ".join(f"{k}={len(v)}" for k, v in result.corpus.items())
    typer.echo(f"{sizes} sentences -> {out / 'dataset'} ({time.perf_counter() - t0:.1f} s)", err=True)


@corpus_app.command("stats")
def stats_cmd(
    data_dir: Path = _DATA_DIR,
    annotations: Path = _ANNOTATIONS,
    seed_dir: Path = _SEED_DIR,
    out: Path = _OUT,
    source: list[str] = _SOURCES,
    seed: int = _SEED,
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON instead of tables."),
) -> None:
    """Counts per source, split and label (builds or loads the cached corpus)."""
    from .builder import corpus_stats, format_stats

    result = _build(data_dir, annotations, seed_dir, out, source, seed)
    stats = corpus_stats(result.corpus)
    if as_json:
        typer.echo(json.dumps({"stats": stats, "build": result.report.to_dict()}, indent=1, default=str))
    else:
        typer.echo(format_stats(stats, result.report))


@corpus_app.command("validate")
def validate_cmd(
    data_dir: Path = _DATA_DIR,
    annotations: Path = _ANNOTATIONS,
    seed_dir: Path = _SEED_DIR,
    out: Path = _OUT,
    source: list[str] = typer.Option(
        None, "--source", help="Sources whose built splits are checked for leaks (default: all)."
    ),
    seed: int = _SEED,
) -> None:
    """Check every annotation record and the splits; one line per problem, exit 1 if any."""
    import datasets

    from .builder import SOURCES
    from .validate import validate_corpus

    datasets.disable_progress_bars()

    try:
        problems = validate_corpus(
            annotations,
            _data_dir(data_dir),
            seed_dir,
            split_sources=tuple(source or SOURCES),
            cache_dir=out / "cache",
            seed=seed,
        )
    except PropwatchError as e:
        _fail(str(e))
    for p in problems:
        typer.echo(str(p))
    typer.echo(f"{len(problems)} problem(s)", err=True)
    raise typer.Exit(1 if problems else 0)


@corpus_app.command("agreement")
def agreement_cmd(
    annotations: Path = _ANNOTATIONS,
    pass1: Path = typer.Option(None, "--pass1", help="First pass (default: ANNOTATIONS/nk.pass1.jsonl)."),
    pass2: Path = typer.Option(None, "--pass2", help="Second pass (default: ANNOTATIONS/nk.pass2.jsonl)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON instead of Markdown."),
) -> None:
    """Print inter-annotator agreement (Cohen's kappa, Krippendorff's alpha, span F1) of two passes."""
    from .agreement import agreement_from_files, agreement_markdown

    try:
        report = agreement_from_files(pass1 or annotations / "nk.pass1.jsonl", pass2 or annotations / "nk.pass2.jsonl")
    except PropwatchError as e:
        _fail(str(e))
    typer.echo(json.dumps(report, indent=1) if as_json else agreement_markdown(report))


def register(app: typer.Typer) -> None:
    """Add the ``corpus`` command group to the propwatch app."""
    app.add_typer(corpus_app, name="corpus")
