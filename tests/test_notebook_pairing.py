"""Every notebook's percent .py and its .ipynb hold the same cells (types and sources);
outputs and metadata are ignored. Editing one without syncing the other fails here."""

from __future__ import annotations

import shutil
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PY_FILES = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def cells(path: Path) -> list[tuple[str, str]]:
    nb = jupytext.read(path)
    return [(cell.cell_type, cell.source.strip()) for cell in nb.cells]


def unpaired_difference(py: Path) -> str | None:
    """None when ``py`` and its .ipynb agree, else a description of the first difference."""
    ipynb = py.with_suffix(".ipynb")
    if not ipynb.is_file():
        return f"{py.name} has no paired {ipynb.name}"
    a, b = cells(py), cells(ipynb)
    if len(a) != len(b):
        return f"{py.name}: {len(a)} cells, {ipynb.name}: {len(b)} cells"
    for i, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            return f"{py.name} and {ipynb.name} differ in cell {i}: {x[1][:60]!r} vs {y[1][:60]!r}"
    return None


def test_there_are_notebooks():
    assert PY_FILES


@pytest.mark.parametrize("py", PY_FILES, ids=lambda p: p.stem)
def test_py_and_ipynb_are_in_sync(py):
    assert unpaired_difference(py) is None, (unpaired_difference(py)
                                            + f" (run: jupytext --sync notebooks/{py.name})")


def test_an_edit_of_one_side_is_detected(tmp_path):
    py = next(p for p in PY_FILES if p.with_suffix(".ipynb").is_file())
    copy = tmp_path / py.name
    shutil.copy(py, copy)
    shutil.copy(py.with_suffix(".ipynb"), copy.with_suffix(".ipynb"))
    assert unpaired_difference(copy) is None
    copy.write_text(copy.read_text(encoding="utf-8") + "\n# %%\nprint('edited')\n", encoding="utf-8")
    assert "cells" in unpaired_difference(copy)
    shutil.copy(py, copy)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("nb = start(", "nb  = start(", 1), encoding="utf-8")
    assert "differ in cell" in unpaired_difference(copy)
    copy.with_suffix(".ipynb").unlink()
    assert "no paired" in unpaired_difference(copy)
