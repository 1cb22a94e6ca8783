"""``propwatch evaluate``: the harness over the corpus, and ``--compare`` as a regression gate."""

from __future__ import annotations

import os
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def evaluate(
        model: list[Path] = typer.Option([], "--model", help="Technique model folder; repeat for several."),
        voice_model: Path | None = typer.Option(None, "--voice-model", help="Voice model folder."),
        data_dir: Path = typer.Option(
            Path(os.environ.get("PROPWATCH_DATA_DIR", "../shared/data")), "--data-dir", help="Third-party data."
        ),
        split: str = typer.Option("test", "--split", help="train, validation or test."),
        output: Path | None = typer.Option(None, "-o", "--output", help="Report folder."),
        compare: list[Path] = typer.Option(
            [], "--compare", help="Two report folders: print deltas, exit 1 on a regression."
        ),
        floors: Path | None = typer.Option(None, "--floors", help="JSON of headline floors; exit 1 below any."),
        resamples: int = typer.Option(1000, "--resamples", help="Bootstrap resamples for the intervals."),
        polnear_limit: int | None = typer.Option(None, "--polnear-limit", help="Only the first N PolNeAR articles."),
        engine: str = typer.Option("local", "--engine", help="local, or ray for the PolNeAR attribution stage."),
        address: str | None = typer.Option(None, "--address", help="Ray cluster address (with --engine ray)."),
        workers: int = typer.Option(2, "--workers", min=1, help="Ray actors (with --engine ray)."),
    ) -> None:
        """Accuracy and F1 of voice, attribution and technique models, with baselines and intervals."""
        import json

        from ..errors import PropwatchError
        from .compare import check_floors, compare_metrics, format_deltas, read_metrics

        try:
            if compare:
                if len(compare) != 2:
                    raise PropwatchError("--compare takes exactly two report folders: BEFORE AFTER")
                deltas = compare_metrics(read_metrics(compare[0]), read_metrics(compare[1]))
                typer.echo(format_deltas(deltas))
                bad = [d.name for d in deltas if d.regressed]
                if bad:
                    typer.echo(f"regressed beyond the confidence interval: {', '.join(bad)}", err=True)
                raise typer.Exit(1 if bad else 0)
            if output is None:
                raise PropwatchError("give -o REPORT_DIR (or --compare A B)")
            from .harness import EvalSettings
            from .harness import evaluate as run
            from .report import write_report

            models = list(model) or _default_models()
            vm = voice_model or _default_voice_model()
            settings = EvalSettings(
                data_dir=data_dir,
                models=models,
                voice_model=vm,
                split=split,
                n_resamples=resamples,
                polnear_limit=polnear_limit,
                engine=engine,
                address=address,
                workers=workers,
            )
            metrics = run(settings, progress=lambda msg: typer.echo(msg, err=True))
            write_report(metrics, output)
            typer.echo(f"report: {output / 'report.md'}")
            if floors is not None:
                problems = check_floors(metrics, json.loads(floors.read_text(encoding="utf-8")))
                for p in problems:
                    typer.echo(f"below floor: {p}", err=True)
                raise typer.Exit(1 if problems else 0)
        except PropwatchError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None


def _default_models() -> list[Path]:
    from ..analysis.core import REPO_ROOT

    return sorted(p.parent for p in (REPO_ROOT / "models").glob("*/meta.json") if not p.parent.name.startswith("voice"))


def _default_voice_model() -> Path | None:
    from ..analysis.core import DEFAULT_VOICE_MODEL

    return DEFAULT_VOICE_MODEL if DEFAULT_VOICE_MODEL.exists() else None
