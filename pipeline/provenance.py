"""What a saved model or report records about where it came from: library versions, git commit."""

from __future__ import annotations

import platform
import subprocess
from pathlib import Path

from . import __version__


def library_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """Python, propwatch and the installed version of each named distribution (missing ones left out)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "propwatch": __version__}
    for pkg in packages:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def git_commit(repo: str | Path | None = None) -> str | None:
    """The checkout's commit, with ``-dirty`` when tracked files have uncommitted changes; None outside git."""
    cwd = str(repo or Path(__file__).resolve().parents[1])
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
