"""What every renderer of a run shares: the error type, the run's executed notebooks, titles."""

from __future__ import annotations

import re
from pathlib import Path

_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*(\{#[^}]*\})?\s*$", re.MULTILINE)


class RenderError(RuntimeError):
    """The run cannot be rendered (nothing executed yet, a tool missing or failing)."""


def require_complete(run_dir: Path, generation: Path | None = None) -> dict | None:
    """The run record, or RenderError unless ``run_dir`` holds a complete run (its run record;
    see ``helpers.run.record``): a publication never mixes results of two runs or of failed
    ones. ``generation``: the generation to check (default: the published one)."""
    from helpers.run.record import IncompleteRunError, require_complete_run

    try:
        return require_complete_run(run_dir, generation)
    except IncompleteRunError as exc:
        raise RenderError(f"not rendered: {exc}") from None


def pinned_generation(run_dir: Path) -> Path:
    """The generation a render reads, resolved from ``RUN/current`` once, and checked complete.

    A run may publish a newer generation while a book is rendered: reading everything through
    the returned path (``GEN/notebooks/...``), never through ``RUN/notebooks``, keeps the
    book to one generation. (A run directory made by hand without generations is read as is.)
    """
    from helpers.run.layout import current_generation

    generation = current_generation(run_dir)
    require_complete(run_dir, generation)
    return generation if generation is not None else run_dir


def executed_notebooks(run_dir: Path) -> list[Path]:
    """The executed notebooks of a complete run in reading order, all from one generation
    (``pinned_generation``); error when the run is not complete or has none."""
    notebooks = sorted((pinned_generation(run_dir) / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise RenderError(f"{run_dir}: no executed notebooks; run `python -m helpers.run PARAMS.yaml` first")
    return notebooks


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


def notebook_title(nb: dict, fallback: str) -> str:
    """The first markdown heading of a notebook, without a Quarto label (``{#sec-...}``)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        match = _HEADING.search(cell_source(cell))
        if match:
            return match.group(1)
    return fallback


def read_notebook(path: Path):
    """An executed notebook (nbformat v4 node); RenderError naming the file when unreadable."""
    import nbformat

    try:
        return nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except (OSError, ValueError) as exc:
        raise RenderError(f"{path}: not a readable notebook ({exc})") from None
