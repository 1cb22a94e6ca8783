"""The analysis notebooks: committed without outputs, and (slow) run top to bottom headless."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_four_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == [
        "01_corpus.ipynb",
        "02_models.ipynb",
        "03_state_media.ipynb",
        "04_seed_article.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear outputs before committing"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless(path, data_dir):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["PROPWATCH_DATA_DIR"] = str(data_dir)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    print(f"{path.name}: {time.perf_counter() - t0:.0f} s")
