"""Where the time of a supplement run goes: cold run, warm rerun after a prose edit, and what
every notebook pays before its first analysis (kernel start, session imports), side by side.

- cold: every notebook executed (``jcog1017-run PARAMS --workers N --force``) into a fresh
  temporary run directory; per notebook the runner's seconds (kernel start to last cell);
- warm: one notebook's Markdown cell edited (``--edit``, default 03_overall_survival), then the
  same command without ``--force``: only that notebook re-executes (checked), the others are
  skipped by their content keys;
- kernel start: a fresh ``python3`` Jupyter kernel until it answers (what papermill waits for);
- session import: a fresh interpreter importing ``helpers.notebook.session`` (what the first
  code cell pays), with the heaviest packages of ``python -X importtime``.

Goals on an idle 2-core machine: cold <= 15 s, warm <= 5 s. The notebooks are copied to the
temporary directory and edited there (the runner's ``--notebooks-dir``): the repository and
runs/ are left alone. The load average is printed: other jobs on the machine slow every row.

Every notebook loads the trial data (pandas, pandera schemas) and runs survival analyses
(scipy), so importing them lazily in ``helpers.notebook.session`` would move their cost to
the first cell that needs them, not remove it; the import line shows what each kernel pays.

    python benchmarks/bench_report.py [--params params/default.yaml] [--workers 2] [--edit NAME]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"cold": 15.0, "warm": 5.0}
#: Packages whose import time the report names (cumulative, as first imported).
HEAVY = ("pandas", "numpy", "scipy", "scipy.stats", "scipy.special", "pandera", "matplotlib",
         "matplotlib.pyplot", "statsmodels", "lifelines", "IPython", "pyarrow", "helpers.survival",
         "helpers.data.trial_data", "helpers.analyses.endpoint", "helpers.ard")
DONE = re.compile(r"^\s+done\s+(\S+)\s+([0-9.]+) s$")
SUMMARY = re.compile(r"(\d+) executed, (\d+) unchanged, (\d+) failed")


def runner_command() -> list[str]:
    script = Path(sys.executable).with_name("jcog1017-run")
    return [str(script)] if script.exists() else [sys.executable, "-m", "helpers.run"]


def timed_run(command: list[str]) -> tuple[float, dict[str, float], tuple[int, int]]:
    """Wall seconds, the runner's seconds per executed notebook, (executed, unchanged)."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    per_notebook = {m.group(1): float(m.group(2))
                    for m in map(DONE.match, done.stdout.splitlines()) if m}
    summary = SUMMARY.search(done.stdout)
    counts = (int(summary.group(1)), int(summary.group(2))) if summary else (-1, -1)
    return seconds, per_notebook, counts


def edit_prose(source: Path) -> None:
    """Add a sentence to the first Markdown cell of a percent-format notebook (after its title)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("# # "):  # the chapter title, in the first markdown cell
            lines.insert(index + 1, "#\n# A sentence added by benchmarks/bench_report.py.\n")
            source.write_text("".join(lines), encoding="utf-8")
            return
    sys.exit(f"{source}: no Markdown title line ('# # ...') to edit after")


def kernel_start_seconds(repeat: int = 3) -> float:
    """Best of ``repeat``: start a python3 kernel and wait until it answers kernel_info."""
    from jupyter_client.manager import start_new_kernel

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT),
                                           stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return best


def session_import(repeat: int = 3) -> tuple[float, float, list[tuple[str, float]]]:
    """Best wall seconds of a fresh interpreter importing the notebook session, of a bare
    interpreter, and the heaviest packages (cumulative seconds) by ``-X importtime``."""
    def wall(code: str) -> float:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
            best = min(best, time.perf_counter() - start)
        return best

    session, bare = wall("import helpers.notebook.session"), wall("pass")
    trace = subprocess.run([sys.executable, "-X", "importtime", "-c",
                            "import helpers.notebook.session"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stderr
    cumulative = {}
    for line in trace.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            cumulative.setdefault(parts[2].strip(), int(parts[1]) / 1e6)
    heavy = sorted(((name, cumulative[name]) for name in HEAVY if name in cumulative),
                   key=lambda item: -item[1])
    return session, bare, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params/default.yaml")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--edit", default="03_overall_survival",
                        help="notebook whose prose is edited before the warm run")
    args = parser.parse_args()

    config = yaml.safe_load((ROOT / args.params).read_text())
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        notebooks = Path(tmp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", notebooks,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        config["parameters"]["output_dir"] = str(Path(tmp) / "run")
        params = Path(tmp) / "params.yaml"
        params.write_text(yaml.safe_dump(config, sort_keys=False))
        base = runner_command() + [str(params), "--workers", str(args.workers),
                                   "--notebooks-dir", str(notebooks)]
        cold, cold_nb, cold_counts = timed_run(base + ["--force"])
        edit_prose(notebooks / f"{args.edit}.py")
        warm, warm_nb, warm_counts = timed_run(base)
    kernel = kernel_start_seconds()
    session, bare, heavy = session_import()

    load = os.getloadavg()[0]
    print(f"jcog1017-run {args.params}: {len(cold_nb)} notebooks, {args.workers} workers, "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at the end"
          + ("  (NOT idle: times are inflated)" if load > 0.5 * (os.cpu_count() or 1) else ""))
    for name, seconds, counts in (("cold", cold, cold_counts), ("warm", warm, warm_counts)):
        verdict = "ok" if seconds <= GOALS[name] else "SLOWER than the goal"
        print(f"  {name:<5} {seconds:6.2f} s  ({counts[0]} executed, {counts[1]} unchanged; "
              f"goal <= {GOALS[name]:g} s: {verdict})")
    if warm_counts[0] != 1 or args.edit not in warm_nb:
        print(f"  WARNING: the warm run executed {sorted(warm_nb)}, not only {args.edit}")
    overhead = kernel + session - bare
    print(f"\nper notebook (runner seconds, cold; each pays kernel start {kernel:.2f} s + "
          f"session import {session - bare:.2f} s = {overhead:.2f} s before its first analysis):")
    print(f"  {'notebook':<24} {'cold s':>7} {'warm s':>7} {'after start+import':>19}")
    for name in sorted(cold_nb):
        warm_text = f"{warm_nb[name]:7.1f}" if name in warm_nb else f"{'skip':>7}"
        print(f"  {name:<24} {cold_nb[name]:7.1f} {warm_text} {cold_nb[name] - overhead:19.1f}")
    total = sum(cold_nb.values())
    print(f"  {'sum':<24} {total:7.1f}   (over {args.workers} workers: >= {total / args.workers:.1f} s "
          f"wall; start+import {overhead * len(cold_nb):.1f} s of it)")
    print(f"\nkernel start (python3, until kernel_info): {kernel:.2f} s")
    print(f"session import (fresh interpreter): {session:.2f} s, of which interpreter start "
          f"{bare:.2f} s; heaviest (cumulative, nested so not additive; -X importtime, one run):")
    for name, seconds in heavy:
        print(f"  {name:<28} {seconds:5.2f} s")


if __name__ == "__main__":
    main()
