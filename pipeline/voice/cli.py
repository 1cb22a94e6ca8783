"""``propwatch voice`` and ``propwatch voice-train``: parse options, call one library function."""

from __future__ import annotations

from pathlib import Path

import typer

DEFAULT_MODEL = "models/voice-attribution"


def register(app: typer.Typer) -> None:
    """Add the voice commands to the ``propwatch`` app."""

    @app.command("voice")
    def voice(
        paths: list[str] = typer.Argument(..., help="Files, directories, globs, or - for standard input."),
        output: Path = typer.Option(..., "-o", "--output", help="Output JSONL, one object per sentence."),
        model: str = typer.Option(
            None,
            "--model",
            help=f"Model folder (default: {DEFAULT_MODEL} when it exists, else rules alone).",
        ),
        rules_only: bool = typer.Option(False, "--rules-only", help="Use the rules alone, no learned model."),
        registry: Path = typer.Option(None, "--registry", help="Outlet/speaker registry TOML (default: packaged)."),
    ) -> None:
        """Who is speaking in every sentence: voice, score, speaker and cue."""
        from ..errors import PropwatchError
        from .run import voice_files

        try:
            result, used = voice_files(
                paths, output, model=model, default_model=DEFAULT_MODEL, rules_only=rules_only, registry=registry
            )
        except PropwatchError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None
        for e in result.errors:
            typer.echo(f"error: {e}", err=True)
        typer.echo(
            f"{result.articles} articles, {result.sentences} sentences -> {output} (model: {used or 'rules only'})"
            + (f"; {len(result.errors)} inputs failed" if result.errors else ""),
            err=True,
        )
        raise typer.Exit(1 if result.errors else 0)

    @app.command("voice-train")
    def voice_train(
        config: Path = typer.Option(None, "--config", "-c", help="Training config TOML (configs/voice_*.toml)."),
        set_: list[str] = typer.Option([], "--set", help="Override a config value: key=value (repeatable)."),
        data_dir: Path = typer.Option(None, "--data-dir", help="Data directory holding polnear/."),
        output: Path = typer.Option(Path(DEFAULT_MODEL), "-o", "--output", help="Model folder to write."),
    ) -> None:
        """Train the voice attribution model on PolNeAR train; evaluate on dev."""
        from ..cli import data_dir_option
        from ..errors import PropwatchError
        from .train import load_train_config, train_voice_model

        try:
            cfg = load_train_config(config, set_)
            _, meta = train_voice_model(
                cfg, data_dir or data_dir_option(), output, log=lambda m: typer.echo(m, err=True)
            )
        except PropwatchError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(1) from None
        dev = meta["metrics"].get("polnear_dev")
        if dev:
            typer.echo(
                f"dev macro-F1 {dev['rules_plus_model']['macro_f1']:.3f} "
                f"(rules {dev['rules']['macro_f1']:.3f}); speaker char F1 "
                f"{dev['speaker_char_rules_plus_model']['f1']:.3f}",
                err=True,
            )
