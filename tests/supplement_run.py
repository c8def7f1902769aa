"""Test utility: run every notebook for params/default.yaml into a temporary run, render it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def run_and_render(tmp: Path, mode: str) -> Path:
    """Run the notebooks into ``tmp/run`` (2 workers), then ``python -m helpers.render MODE``;
    returns the run directory. Fails the test with the commands' output when one fails."""
    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    params["parameters"]["output_dir"] = str(tmp / "run")
    params_file = tmp / "default.yaml"
    params_file.write_text(yaml.safe_dump(params, sort_keys=False))
    runner = Path(sys.executable).with_name("jcog1017-run")
    run_cmd = [str(runner)] if runner.exists() else [sys.executable, "-m", "helpers.run"]
    for cmd in (run_cmd + [str(params_file), "--workers", "2"],
                [sys.executable, "-m", "helpers.render", mode, str(params_file)]):
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}):\n"
                        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return tmp / "run"
