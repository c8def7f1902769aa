"""An executed notebook, after papermill: which cell failed (``_last_started_cell``, for the
runner's error message) and the published form of the notebook (``normalise_executed``:
timing metadata and staging paths removed, so reruns are byte-identical)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from helpers.config.params import REPO_ROOT


def _display_path(path: Path) -> str:
    """``path`` relative to the repository root when inside it (portable notebooks)."""
    with contextlib.suppress(ValueError):
        return path.relative_to(REPO_ROOT).as_posix()
    return str(path)




def _source_index(output: Path, cell_index: int) -> int:
    """Index in the source notebook of executed cell ``cell_index`` (skipping injected cells)."""
    try:
        cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return cell_index
    injected = sum("injected-parameters" in c.get("metadata", {}).get("tags", [])
                   for c in cells[:cell_index])
    return cell_index - injected


def _last_started_cell(source: Path, output: Path) -> str:
    """Describe the last cell that started executing in the partly executed ``output``."""
    try:
        cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return "before the first cell"
    # papermill stamps a cell's start_time when it starts it (before normalise_executed)
    started = [i for i, c in enumerate(cells)
               if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return "before the first cell"
    index = started[-1]
    cell = cells[index]
    text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return _describe_cell(source, text, cell["execution_count"], _source_index(output, index))


def _describe_cell(source: Path, cell_source: str, exec_count: Any, index: int) -> str:
    """``"cell 4 (In [5], notebooks/03_os.py:42: `fit = cox(...)`)"``; the cell is 1-based."""
    first = next((line for line in cell_source.splitlines() if line.strip()), "")
    location = _display_path(source)
    if first and source.suffix == ".py":
        lines = source.read_text(encoding="utf-8").splitlines()
        number = next((n for n, line in enumerate(lines, 1) if line.strip() == first.strip()), None)
        if number:
            location += f":{number}"
    return f"cell {index + 1} (In [{exec_count}], {location}: `{first.strip()}`)"


def normalise_executed(path: Path, source: Path, staging: Path, run_dir: Path) -> str:
    """The executed notebook at ``path`` without papermill's and nbclient's timing metadata.

    Removed: start/end times and durations (notebook and cells), nbclient's per-cell
    ``execution`` timestamps, and the notebook's input/output paths (replaced by the source
    path); random cell ids become ``cell-<index>``; the injected ``output_dir`` shows the run
    directory, where the outputs end up, rather than the staging directory. What remains
    differs between runs only where the notebook's own output does.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    staged, final = _display_path(staging), _display_path(run_dir)
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        meta.pop(key, None)
    if meta:
        meta["input_path"] = _display_path(source)
    if meta.get("parameters", {}).get("output_dir") == staged:
        meta["parameters"]["output_dir"] = final
    for index, cell in enumerate(nb.get("cells", [])):
        if "id" in cell:
            cell["id"] = f"cell-{index}"  # jupytext and papermill draw random ids
        cell_meta = cell.get("metadata", {})
        cell_meta.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell_meta.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell_meta.get("tags", []):
            lines = cell["source"] if isinstance(cell["source"], list) else [cell["source"]]
            cell["source"] = [line.replace(f"output_dir = {json.dumps(staged)}",
                                           f"output_dir = {json.dumps(final)}") for line in lines]
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
