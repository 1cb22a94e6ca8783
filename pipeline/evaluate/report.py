"""Writers of an evaluation report folder: ``metrics.json``, ``report.md`` and PNG plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..io import atomic_write
from . import plots
from .compare import METRICS_FILE


def _f(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _ci(h: dict[str, float]) -> str:
    if h["low"] == h["high"]:
        return _f(h["value"])
    return f"{h['value']:.3f} [{h['low']:.3f}, {h['high']:.3f}]"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *["| " + " | ".join(r) + " |" for r in rows]]


def render_markdown(m: dict[str, Any], plot_files: dict[str, str]) -> str:
    """The human-readable report: headline table with intervals, then each stage in detail."""
    lines = [
        f"# propwatch evaluation ({m['split']} split)",
        "",
        f"propwatch {m['propwatch_version']}, {m['created']}. Intervals are 95% bootstrap intervals over "
        f"articles ({m['n_resamples']} resamples). Models: "
        + ", ".join(f"`{k}` ({v.get('registry_name')})" for k, v in m["systems"]["techniques"].items())
        + (f"; voice model `{m['systems']['voice_model']}`" if m["systems"].get("voice_model") else "")
        + ". Baselines: `majority` (the most frequent label of the training split for every item), `rules`"
        " (attribution rules alone), `always` (every sentence attributed).",
        "",
        "## Headline metrics",
        "",
        *_table(["metric", "value [95% CI]"], [[k, _ci(v)] for k, v in sorted(m["headline"].items())]),
    ]
    voice = m.get("voice")
    if voice:
        lines += ["", "## Voice (seed article and North Korean annotated articles)", ""]
        rows = []
        for name, r in voice["systems"].items():
            for src, sc in [("pooled", r["pooled"]), *sorted(r["per_source"].items())]:
                rows.append(
                    [name, src, str(sc["n"]), _f(sc["accuracy"]), _f(sc["macro_f1"])]
                    + [_f(sc["per_label"][lab]["f1"]) for lab in sc["labels"]]
                )
        labels = next(iter(voice["systems"].values()))["pooled"]["labels"]
        lines += _table(["system", "source", "sentences", "accuracy", "macro-F1", *[f"F1 {x}" for x in labels]], rows)
        rows = []
        for name, r in voice["systems"].items():
            for part in ("speaker", "cue"):
                if part not in r:
                    continue
                for src, sc in [("pooled", r[part]["pooled"]), *sorted(r[part]["per_source"].items())]:
                    rows.append(
                        [name, part, src, str(sc["n"]), str(sc["predicted"]), _f(sc["exact"]), _f(sc["overlap"])]
                    )
        if rows:
            lines += [
                "",
                "Speaker and cue per sentence, over the sentences whose gold names one: `exact` = the found span",
                "has the gold offsets, `overlap` = it shares a character with a gold span (the guidelines take the",
                'full noun phrase, "The respected Comrade Kim Jong Un"; finding "Kim Jong Un" overlaps).',
                "",
            ]
            lines += _table(["system", "part", "source", "sentences", "found", "exact", "overlap"], rows)
        for name in voice["systems"]:
            if f"voice_confusion_{name}" in plot_files:
                lines += ["", f"![confusion matrix, {name}]({plot_files[f'voice_confusion_{name}']})"]
    att = m.get("attribution")
    if att:
        lines += ["", f"## Attribution (PolNeAR dev, {att['articles']} articles)", ""]
        rows = []
        for name, r in att["systems"].items():
            sc = r["sentence"]
            rows.append(
                [
                    name,
                    str(sc["n"]),
                    _f(sc["accuracy"]),
                    _f(sc["macro_f1"]),
                    _f(sc["mcc"]),
                    _f(sc["f1_positive"]),
                    _f(r["speaker_char"]["f1"]) if name != "always" else "–",
                ]
            )
        lines += _table(
            ["system", "sentences", "accuracy", "macro-F1", "MCC", "F1 attributed", "speaker char F1"], rows
        )
    tech = m.get("techniques", {})
    if tech.get("sentence"):
        lines += ["", "## Techniques, sentence level", ""]
        rows = []
        for src, systems in tech["sentence"].items():
            for name, r in systems.items():
                rows.append(
                    [
                        src,
                        name,
                        str(r["n"]),
                        _ci({"value": r["micro"]["f1"], **_lh(r["micro_f1_ci"])}),
                        _ci({"value": r["macro_f1"], **_lh(r["macro_f1_ci"])}),
                        _f(r["any_technique"]["f1"]),
                    ]
                )
        lines += _table(["source", "system", "sentences", "micro-F1", "macro-F1", "any-technique F1"], rows)
        for key, fname in sorted(plot_files.items()):
            if key.startswith("technique_f1_"):
                lines += ["", f"![per-technique F1, {key[13:]}]({fname})"]
    if tech.get("tc"):
        lines += ["", "## Techniques, span level (TC on gold spans)", ""]
        rows = []
        for src, systems in tech["tc"].items():
            for name, r in systems.items():
                rows.append([src, name, str(r["n_gold"]), _ci({"value": r["micro"]["f1"], **_lh(r["micro_f1_ci"])})])
        lines += _table(["source", "system", "spans", "micro-F1"], rows)
    if tech.get("si"):
        lines += ["", "## Span identification (SemEval-2020 partial-overlap F1; sentences predicted as spans)", ""]
        rows = [
            [src, name, _f(r["precision"]), _f(r["recall"]), _f(r["f1"])]
            for src, systems in tech["si"].items()
            for name, r in systems.items()
        ]
        lines += _table(["source", "system", "precision", "recall", "F1"], rows)
    if tech.get("calibration"):
        lines += ["", "## Calibration of technique scores", ""]
        rows = [
            [name, src, _f(r["ece"]), str(r["n"])] for name, by in tech["calibration"].items() for src, r in by.items()
        ]
        lines += _table(["model", "source", "ECE", "scores"], rows)
        for key, fname in sorted(plot_files.items()):
            if key.startswith("reliability_"):
                lines += ["", f"![reliability diagram, {key[12:]}]({fname})"]
    if m.get("slices"):
        lines += [
            "",
            "## Slices: techniques by voice and by data set",
            "",
            "Voice is the gold voice where annotated (seed, NK), else the rules' prediction (PTC).",
            "",
        ]
        rows = []
        for name, sl in m["slices"].items():
            for kind in ("by_voice", "by_dataset"):
                for key, r in sl[kind].items():
                    rows.append(
                        [
                            name,
                            kind[3:],
                            key,
                            str(r["n"]),
                            _f(r["micro_f1"]),
                            _f(r["gold_any_rate"]),
                            _f(r["pred_any_rate"]),
                        ]
                    )
        lines += _table(
            [
                "model",
                "slice",
                "value",
                "sentences",
                "micro-F1",
                "gold: share with technique",
                "predicted: share with technique",
            ],
            rows,
        )
    lines += ["", f"Timings (s): {m.get('timings_seconds')}", ""]
    return "\n".join(lines)


def _lh(ci: dict[str, float]) -> dict[str, float]:
    return {"low": ci["low"], "high": ci["high"]}


def write_report(metrics: dict[str, Any], out_dir: str | Path) -> Path:
    """Write ``metrics.json``, the PNG plots and ``report.md`` into ``out_dir``; returns the folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    for name, r in metrics.get("voice", {}).get("systems", {}).items():
        fname = f"voice_confusion_{name.replace('+', '_')}.png"
        plots.confusion_png(r["pooled"], out / fname, f"voice: {name}")
        files[f"voice_confusion_{name}"] = fname
    for src, systems in metrics.get("techniques", {}).get("sentence", {}).items():
        fname = f"technique_f1_{src}.png"
        plots.technique_f1_png(
            {k: v["per_label"] for k, v in systems.items()}, out / fname, f"per-technique F1 ({src})"
        )
        files[f"technique_f1_{src}"] = fname
    calib = metrics.get("techniques", {}).get("calibration", {})
    for src in sorted({src for by in calib.values() for src in by}):
        fname = f"reliability_{src}.png"
        plots.reliability_png({k: v[src] for k, v in calib.items() if src in v}, out / fname, f"reliability ({src})")
        files[f"reliability_{src}"] = fname
    with atomic_write(out / METRICS_FILE) as f:
        json.dump(metrics, f, indent=1, sort_keys=False)
    with atomic_write(out / "report.md") as f:
        f.write(render_markdown(metrics, files))
    return out
