"""Time the whole supplement run: `jcog1017-run PARAMS` cold and warm.

Cold: a fresh run directory and --force (every notebook executed). Warm: the same command
again with nothing changed (every notebook skipped; no pandas/matplotlib/papermill import).
Targets on 2 cores: cold < 15 s, warm < 1 s. The run goes to a temporary directory, so
runs/default is left alone.

    python benchmarks/bench_report.py [--params params/default.yaml] [--workers N] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cold": 15.0, "warm": 1.0}


def runner_command() -> list[str]:
    script = Path(sys.executable).with_name("jcog1017-run")
    return [str(script)] if script.exists() else [sys.executable, "-m", "helpers.run"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params/default.yaml")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--repeat", type=int, default=3, help="warm repetitions (best is shown)")
    args = parser.parse_args()

    config = yaml.safe_load((ROOT / args.params).read_text())
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        config["parameters"]["output_dir"] = str(Path(tmp) / "run")
        params = Path(tmp) / "params.yaml"
        params.write_text(yaml.safe_dump(config, sort_keys=False))
        base = runner_command() + [str(params), "--workers", str(args.workers)]
        cold = timed(base + ["--force"])
        warm = min(timed(base) for _ in range(args.repeat))
        notebooks = len(list((Path(tmp) / "run" / "notebooks").glob("*.ipynb")))
    print(f"jcog1017-run {args.params}: {notebooks} notebooks, {args.workers} workers, "
          f"{os.cpu_count()} CPUs")
    for name, seconds in (("cold", cold), ("warm", warm)):
        verdict = "ok" if seconds < TARGETS[name] else "SLOWER than target"
        print(f"  {name}: {seconds:6.2f} s   (target < {TARGETS[name]:g} s: {verdict})")


if __name__ == "__main__":
    main()
