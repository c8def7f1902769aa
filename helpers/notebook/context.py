"""Where a notebook writes its outputs: ``notebook_context`` gives the ``NotebookContext`` of a
notebook in a run (the injected staging directory under the runner, ``runs/interactive`` in
JupyterLab). Results are deterministic JSON, figures reproducible PNGs, tables deterministic
CSVs, each written atomically (``helpers.core.atomic``). The runner (``helpers.run``) moves
them into the run directory; notebooks do not import the runner."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.core.atomic import atomic_write_bytes, atomic_write_json, save_figure as _save_figure, save_table_csv
from helpers.core.errors import ParameterError
from helpers.config.params import resolve_path

__all__ = ["NotebookContext", "notebook_context"]


@dataclass(frozen=True)
class NotebookContext:
    """Where one notebook writes its outputs (a run or staging directory) and how."""

    output_dir: Path
    notebook: str

    @property
    def results_path(self) -> Path:
        return self.output_dir / "results" / f"{self.notebook}.json"

    @property
    def ard_path(self) -> Path:
        """The notebook's analysis results data (``docs/ard.md``), Parquet."""
        return self.output_dir / "ard" / f"{self.notebook}.parquet"

    def write_ard(self, ard: Any) -> None:
        """Write the notebook's ARD as Parquet, atomically (the runner combines them)."""
        import io

        buffer = io.BytesIO()
        ard.to_parquet(buffer, index=False)
        atomic_write_bytes(self.ard_path, buffer.getvalue())

    def figure_path(self, name: str) -> Path:
        """Path of figure ``name`` (``.png`` unless ``name`` has a suffix)."""
        return self.output_dir / "figures" / self.notebook / _with_suffix(name, ".png")

    def table_path(self, name: str) -> Path:
        """Path of table ``name`` (``.csv``)."""
        return self.output_dir / "tables" / self.notebook / _with_suffix(name, ".csv")

    def write_results(self, results: dict) -> None:
        """Write ``results`` as deterministic JSON (sorted keys, 12-digit floats), atomically.

        Returns None, so that a notebook cell ending in this call shows no (staging) path."""
        atomic_write_json(self.results_path, results)

    def save_figure(self, fig: Any, name: str, **savefig_kwargs: Any) -> None:
        """Save a matplotlib figure reproducibly and atomically (see helpers.core.atomic.save_figure)."""
        _save_figure(fig, self.figure_path(name), **savefig_kwargs)

    def save_table(self, df: Any, name: str, index: bool | None = None) -> None:
        """Save a DataFrame as deterministic CSV; the index is written unless it is a RangeIndex."""
        save_table_csv(df, self.table_path(name), index=index)


def _with_suffix(name: str, default: str) -> str:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ParameterError(f"output name must be a plain file name, got {name!r}")
    return name if Path(name).suffix else name + default


def notebook_context(output_dir: str | os.PathLike | None = None,
                     notebook: str | None = None) -> NotebookContext:
    """The output context of ``notebook`` (its file stem, e.g. ``"03_overall_survival"``).

    Under the runner ``output_dir`` is the injected staging directory; interactively it is
    the parameters cell's default (``runs/interactive``). Relative paths are taken relative
    to the repository root.
    """
    if not notebook or "/" in notebook:
        raise ParameterError(f"notebook_context: notebook must be the notebook's stem, got {notebook!r}")
    return NotebookContext(resolve_path(output_dir or "runs/interactive"), notebook)
