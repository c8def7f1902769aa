"""Shared fixtures. ``supplement_run`` executes the whole supplement once per test session on
the bundled data (pytest-xdist workers share it: the first builds it under a file lock, the
others find every notebook unchanged and reuse it)."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


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


def read_results(run_dir: Path, notebook: str) -> dict:
    return json.loads((run_dir / "results" / f"{notebook}.json").read_text())
