"""``propwatch analyze``: the full pipeline over files, folders, globs or standard input."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def analyze(
        paths: list[str] = typer.Argument(..., help="Files, directories, globs, or - for standard input."),
        outdir: Path = typer.Option(..., "-o", "--output", help="Output folder."),
        model: Path | None = typer.Option(
            None, "--model", help="Sentence-mode technique model folder (default models/tfidf_linear_sentence_nk)."
        ),
        voice_model: Path | None = typer.Option(None, "--voice-model", help="Voice model folder."),
        workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
        resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run in OUTDIR."),
        threshold: float | None = typer.Option(
            None, "--threshold", min=0.0, max=1.0, help="One technique threshold instead of the model's own."
        ),
        progress: bool = typer.Option(True, "--progress/--no-progress"),
        engine: str = typer.Option("local", "--engine", help="local (processes on this machine) or ray."),
        address: str | None = typer.Option(None, "--address", help="Ray cluster address (with --engine ray)."),
    ) -> None:
        """Who is speaking and which techniques are used, per sentence; writes JSONL files and report.html."""
        from ..errors import ModelError
        from .runner import REPORT, run_analyze

        try:
            result = run_analyze(
                paths,
                outdir,
                model_dir=model,
                voice_model_dir=voice_model,
                workers=workers,
                resume=resume,
                threshold=threshold,
                progress=progress,
                engine=engine,
                address=address,
            )
        except ModelError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        for e in result.errors:
            typer.echo(f"error: {e}", err=True)
        typer.echo(
            f"{result.articles} articles, {result.sentences} sentences"
            + (f", {len(result.errors)} inputs failed (see {outdir / 'errors.jsonl'})" if result.errors else "")
        )
        typer.echo(f"report: {outdir / REPORT}")
        raise typer.Exit(1 if result.errors else 0)
