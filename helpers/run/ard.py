"""The run's analysis results data: every notebook's ARD combined into ``RUN/ard.parquet`` and
``RUN/ard.csv`` when a run is complete (written into the generation before its run record, so
they are published with the run, all or nothing). The combined ARD is validated as a whole
(``helpers.ard.combine``: no statistic's key used twice across notebooks)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from helpers.ard import combine
from helpers.core.atomic import atomic_write_bytes, atomic_write_text

__all__ = ["write_run_ard", "read_run_ard"]


def write_run_ard(generation: Path, notebooks: list[str]) -> pd.DataFrame:
    """Combine ``generation/ard/<notebook>.parquet`` of ``notebooks`` (in their order) into
    ``ard.parquet`` and ``ard.csv`` (floats as their shortest exact text, Python's ``repr``:
    ``0.9``, ``0.86672838137817``; read back to the same double by R and pandas) and return it.
    A run whose notebooks wrote no ARD still gets its (empty) ``ard`` directory, so the published
    ``RUN/ard`` link never dangles."""
    (generation / "ard").mkdir(exist_ok=True)
    frames = []
    for name in notebooks:
        path = generation / "ard" / f"{name}.parquet"
        if path.exists():
            frames.append(pd.read_parquet(path))
    ard = combine(frames, source=f"the run's ARD ({generation.name})")
    buffer = io.BytesIO()
    ard.to_parquet(buffer, index=False)
    atomic_write_bytes(generation / "ard.parquet", buffer.getvalue())
    atomic_write_text(generation / "ard.csv", ard.to_csv(index=False, lineterminator="\n"))
    return ard


def read_run_ard(run_dir: Path) -> pd.DataFrame:
    """The published ARD of a run directory (``RUN/ard.parquet``)."""
    return pd.read_parquet(Path(run_dir) / "ard.parquet")
