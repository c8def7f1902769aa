"""Shared fixtures. ``supplement_run`` executes the whole supplement once per test session on
the bundled data (pytest-xdist workers share it: the first builds it under a file lock, the
others find every notebook unchanged and reuse it)."""

from __future__ import annotations

import fcntl
import json
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the bundled ADaM (``adsl.csv``, ``adtte.csv``, ``adae.csv``) a test may edit."""
    out = tmp_path / "data"
    out.mkdir()
    for name in ("adsl.csv", "adtte.csv", "adae.csv"):
        shutil.copy(ROOT / "data" / name, out / name)
    return out


def edit_csv(data_dir: Path, table: str, change) -> None:
    """Apply ``change(frame)`` to ``<table>.csv`` read as text (row i is data row i + 1):
    ``change`` returns the new frame, or None after changing ``frame`` in place."""
    import pandas as pd

    path = data_dir / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = change(frame)
    (frame if changed is None else changed).to_csv(path, index=False, lineterminator="\n")


def run_supplement(run_dir: Path, extra: dict | None = None, notebooks=None, workers: int = 2):
    """Run the notebooks for params/default.yaml with ``output_dir`` = ``run_dir`` (plus
    ``extra`` parameters); returns the runner's report."""
    from helpers.run.execute import run

    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    params["parameters"].update({"output_dir": str(run_dir), "run_label": run_dir.name,
                                 **(extra or {})})
    run_dir.mkdir(parents=True, exist_ok=True)
    params_file = run_dir.parent / f"{run_dir.name}.yaml"
    params_file.write_text(yaml.safe_dump(params))
    return run(params_file, workers=workers, notebooks=notebooks, echo=lambda line: None)


@pytest.fixture(scope="session")
def supplement_run(tmp_path_factory) -> Path:
    """The run directory of the whole supplement on the bundled data (default parameters)."""
    shared = tmp_path_factory.getbasetemp().parent  # common to all xdist workers of a session
    run_dir = shared / "supplement-default"
    with open(shared / "supplement-default.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        report = run_supplement(run_dir)
    assert not report.failed, [f.error for f in report.failed]
    return run_dir


def _shared_run(tmp_path_factory, name: str, params_file: Path, data=None) -> Path:
    """A run of ``params_file`` shared by the xdist workers of a session (built once under a
    file lock; ``data(directory)`` writes its data first, then ``data_dir`` points there)."""
    from helpers.run.execute import run

    shared = tmp_path_factory.getbasetemp().parent
    run_dir = shared / f"supplement-{name}"
    with open(shared / f"supplement-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        params = yaml.safe_load(params_file.read_text())
        params["parameters"].update({"output_dir": str(run_dir), "run_label": name})
        if data is not None:
            data(shared / f"supplement-{name}-data")
            params["parameters"]["data_dir"] = str(shared / f"supplement-{name}-data")
        (shared / f"supplement-{name}.yaml").write_text(yaml.safe_dump(params))
        report = run(shared / f"supplement-{name}.yaml", workers=2, echo=lambda line: None)
    assert not report.failed, [f.error for f in report.failed]
    return run_dir


@pytest.fixture(scope="session")
def per_protocol_run(tmp_path_factory) -> Path:
    """The whole supplement on the bundled data, per-protocol population (params/per_protocol.yaml)."""
    return _shared_run(tmp_path_factory, "per_protocol", ROOT / "params" / "per_protocol.yaml")


@pytest.fixture(scope="session")
def colon_supplement_run(tmp_path_factory) -> Path:
    """The whole supplement of R's colon trial as ADaM (validation/colon_adam.py, params/colon.yaml)."""
    import sys

    sys.path.insert(0, str(ROOT / "validation"))
    import colon_adam

    return _shared_run(tmp_path_factory, "colon", ROOT / "params" / "colon.yaml",
                       data=lambda directory: colon_adam.write(directory))


def read_results(run_dir: Path, notebook: str) -> dict:
    return json.loads((run_dir / "results" / f"{notebook}.json").read_text())
