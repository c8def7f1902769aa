"""Each notebook runs top to bottom as JupyterLab runs it: the paired .ipynb as committed,
kernel in notebooks/, the defaults of its parameters cell (outputs go to runs/interactive/,
which is ignored by git)."""

from __future__ import annotations

import time

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from helpers.run.execute import KERNEL_START_ATTEMPTS, KERNEL_START_FAILURE

pytestmark = pytest.mark.slow

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_with_its_default_parameters(path):
    started = time.time()
    for attempt in range(KERNEL_START_ATTEMPTS):  # as the runner: a kernel dead at start retries
        nb = nbformat.read(path, as_version=4)
        try:
            NotebookClient(nb, kernel_name="python3", timeout=600,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            break
        except RuntimeError as exc:
            if KERNEL_START_FAILURE not in str(exc) or attempt == KERNEL_START_ATTEMPTS - 1:
                raise
    results = ROOT / "runs" / "interactive" / "results" / f"{path.stem}.json"
    assert results.is_file() and results.stat().st_mtime >= started - 1
