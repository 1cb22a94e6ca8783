"""Compare two evaluation reports, and check headline metrics against recorded floors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PropwatchError

METRICS_FILE = "metrics.json"


def read_metrics(path: str | Path) -> dict[str, Any]:
    """Read ``metrics.json`` from a report folder (or the file itself)."""
    p = Path(path)
    if p.is_dir():
        p = p / METRICS_FILE
    if not p.is_file():
        raise PropwatchError(f"{p}: no evaluation report here; run `propwatch evaluate -o {p.parent}` first")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise PropwatchError(f"{p}: not valid JSON ({e.msg} at line {e.lineno})") from None


@dataclass(frozen=True)
class Delta:
    """One headline metric in two reports."""

    name: str
    before: float
    after: float
    margin: float

    @property
    def delta(self) -> float:
        return self.after - self.before

    @property
    def regressed(self) -> bool:
        return self.delta < -self.margin


def compare_metrics(before: dict[str, Any], after: dict[str, Any]) -> list[Delta]:
    """Deltas of every headline metric present in both reports.

    A metric regresses when it falls by more than the half-width of the earlier report's 95%
    bootstrap interval (the noise expected from which articles happen to be in the test split).
    """
    out = []
    a_head, b_head = before.get("headline", {}), after.get("headline", {})
    for name in sorted(set(a_head) & set(b_head)):
        a, b = a_head[name], b_head[name]
        margin = (a.get("high", a["value"]) - a.get("low", a["value"])) / 2
        out.append(Delta(name, float(a["value"]), float(b["value"]), float(margin)))
    return out


def format_deltas(deltas: list[Delta]) -> str:
    """A Markdown table of deltas, regressions marked."""
    lines = ["| metric | before | after | delta | CI half-width | |", "|---|---:|---:|---:|---:|---|"]
    for d in deltas:
        flag = "REGRESSED" if d.regressed else ""
        lines.append(f"| {d.name} | {d.before:.4f} | {d.after:.4f} | {d.delta:+.4f} | {d.margin:.4f} | {flag} |")
    return "\n".join(lines)


def check_floors(metrics: dict[str, Any], floors: dict[str, float]) -> list[str]:
    """Messages for every headline metric below its floor, or missing from the report."""
    head = metrics.get("headline", {})
    problems = []
    for name, floor in sorted(floors.items()):
        if name not in head:
            problems.append(f"{name}: missing from the report (floor {floor})")
        elif head[name]["value"] < floor:
            problems.append(f"{name}: {head[name]['value']:.4f} is below its floor {floor}")
    return problems
