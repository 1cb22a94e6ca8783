"""CI runs the corpus commands on the real data directory: build, then validate and stats."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _propwatch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )


@pytest.mark.slow
def test_corpus_build_validate_stats_on_real_data(data_dir):
    build = _propwatch("corpus", "build", "--data-dir", str(data_dir))
    assert build.returncode == 0, build.stderr[-3000:]
    validate = _propwatch("corpus", "validate", "--data-dir", str(data_dir))
    assert validate.returncode == 0, validate.stdout[-3000:] + validate.stderr[-3000:]
    stats = _propwatch("corpus", "stats", "--data-dir", str(data_dir))
    assert stats.returncode == 0, stats.stderr[-3000:]
    out = stats.stdout
    for source in ("nk", "seed", "ptc", "polnear"):
        assert source in out
    print(out)
