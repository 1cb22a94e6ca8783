"""``propwatch train`` and ``propwatch classify-spans``: parse options, call the rhetoric library."""

from __future__ import annotations

from pathlib import Path

import typer

from ..errors import PropwatchError


def register(app: typer.Typer) -> None:
    """Add the rhetoric commands to the propwatch app."""

    @app.command("train")
    def train_cmd(
        config: Path = typer.Argument(..., help="Training config (TOML), e.g. configs/tfidf_linear.toml."),
        output: Path = typer.Option(..., "-o", "--output", help="Model folder to write, e.g. models/NAME."),
        overrides: list[str] = typer.Option([], "--set", help="Override a config key: --set params.epochs=2."),
        data_dir: Path | None = typer.Option(
            None, "--data-dir", help="Data folder (else data.data_dir of the config, else $PROPWATCH_DATA_DIR)."
        ),
        quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
    ) -> None:
        """Train a technique classifier from CONFIG and write a self-describing model folder."""
        import os

        from .train import load_train_config, train

        extra = list(overrides)
        if data_dir is not None:
            extra.append(f"data.data_dir={str(data_dir)!r}")
        elif os.environ.get("PROPWATCH_DATA_DIR") and not any(o.startswith("data.data_dir") for o in overrides):
            extra.append(f"data.data_dir={os.environ['PROPWATCH_DATA_DIR']!r}")
        try:
            cfg = load_train_config(config, extra)
            result = train(cfg, output, progress=not quiet)
        except (PropwatchError, OSError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None
        headline = ", ".join(f"{k}={v}" for k, v in _headline(result.output).items())
        typer.echo(f"{cfg.model} -> {result.output} in {result.seconds:.0f} s; {headline}", err=True)

    @app.command("classify-spans")
    def classify_spans_cmd(
        articles: Path = typer.Option(..., "--articles", help="Folder of article<ID>.txt files."),
        spans: Path = typer.Option(..., "--spans", help="SemEval TC template: id TAB ? TAB start TAB end."),
        output: Path = typer.Option(..., "-o", "--output", help="Predictions, same format as the template."),
        model: Path = typer.Option(..., "--model", help="Span-mode model folder, e.g. models/tfidf_linear."),
    ) -> None:
        """Name the technique of every span of a SemEval-2020 TC template."""
        from .apply import classify_spans

        try:
            n = classify_spans(articles, spans, output, model)
        except (PropwatchError, OSError) as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"{n} spans -> {output}", err=True)


def _headline(folder: Path) -> dict:
    import json

    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("metrics", {})
    except (OSError, ValueError):
        return {}
