"""Where the time of a supplement run goes: cold run, warm rerun after a prose edit, and what
every notebook pays, phase by phase, side by side.

- cold: every notebook executed (``jcog1017-run PARAMS --workers N --force``) into a fresh
  temporary run directory; wall and CPU seconds (the runner and everything it started), per
  notebook the runner's seconds (kernel start to last cell), and the runner's own time before
  the first notebook starts (preflight: the data loaded and checked once; plan; workers) and
  after the last one ends (ARD combined, run record, publishing), from its time-stamped lines;
- warm: one notebook's Markdown cell edited (``--edit``, default 03_overall_survival), then the
  same command without ``--force``: only that notebook re-executes (checked), the others are
  skipped by their content keys;
- phases: each notebook's code cells executed in a fresh interpreter that has imported and read
  what the runner's zygote preloads (``benchmarks/notebook_phases.py --preloaded``: modules and
  the run's trial data): imports, data load (what is left: the data cut, the sources),
  analyses, figure checks, figure files, ARD; the runner's seconds minus these are the kernel
  start, papermill and the executed notebook's writing;
- kernel start: a ``python3`` Jupyter kernel until it answers, as a fresh interpreter and as
  the runner starts it (forked from its zygote, ``helpers.run.zygote``);
- session import: a fresh interpreter importing ``helpers.notebook.session`` (what a kernel
  would pay without the zygote), with the heaviest packages of ``python -X importtime``.

Goals on an idle 2-core machine: cold <= 15 s, warm <= 5 s. The notebooks are copied to the
temporary directory and edited there (the runner's ``--notebooks-dir``): the repository and
runs/ are left alone. The load average is printed: other jobs on the machine slow every row
(the CPU seconds less than the wall seconds).

    python benchmarks/bench_report.py [--params params/default.yaml] [--workers 2] [--edit NAME]
                                      [--no-phases]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


@dataclass
class Timed:
    """One runner invocation: wall and CPU seconds, the runner's seconds per executed notebook,
    (executed, unchanged), and when (seconds from the start) its output lines came."""

    seconds: float
    cpu: float
    per_notebook: dict[str, float]
    counts: tuple[int, int]
    first_start: float  # the first "start" line: preflight, plan and worker start before it
    last_done: float  # the last "done" line: ARD combining, run record, publishing after it


def timed_run(command: list[str]) -> Timed:
    """Run the runner, time-stamping its output lines as they arrive."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, bufsize=1)
    lines = []
    for line in process.stdout:
        lines.append((time.perf_counter() - start, line.rstrip("\n")))
    stderr = process.stderr.read()
    returncode = process.wait()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stdout = "\n".join(text for _, text in lines)
    if returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({returncode}):\n{stdout}\n{stderr}")
    per_notebook = {m.group(1): float(m.group(2)) for m in map(DONE.match, stdout.splitlines()) if m}
    summary = SUMMARY.search(stdout)
    counts = (int(summary.group(1)), int(summary.group(2))) if summary else (-1, -1)
    starts = [at for at, text in lines if text.lstrip().startswith("start ")]
    dones = [at for at, text in lines if DONE.match(text)]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Timed(seconds, cpu, per_notebook, counts, starts[0] if starts else float("nan"),
                 dones[-1] if dones else float("nan"))


def edit_prose(source: Path) -> None:
    """Add a sentence to the first Markdown cell of a percent-format notebook (after its title)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("# # "):  # the chapter title, in the first markdown cell
            lines.insert(index + 1, "#\n# A sentence added by benchmarks/bench_report.py.\n")
            source.write_text("".join(lines), encoding="utf-8")
            return
    sys.exit(f"{source}: no Markdown title line ('# # ...') to edit after")


def kernel_start_seconds(repeat: int = 3, forked: bool = False) -> float:
    """Best of ``repeat``: start a python3 kernel and wait until it answers kernel_info; with
    ``forked`` as the runner's workers do, forked from a zygote (``helpers.run.zygote``) that
    has imported the notebook session already (started, and waited for, before the clock)."""
    import asyncio

    from helpers.run.process_death import kernel_manager_class

    if forked:
        from helpers.run.execute import KERNEL_ENV
        from helpers.run.zygote import start_zygote

        os.environ.update(KERNEL_ENV)  # as in the runner's workers (one BLAS thread: forkable)
        zygote = start_zygote(ROOT / "notebooks", "python3")
        if zygote is None:
            return float("nan")
        zygote.ready()

    async def once() -> float:
        manager = kernel_manager_class()(kernel_name="python3")
        start = time.perf_counter()
        await manager.start_kernel(cwd=str(ROOT / "notebooks"), stderr=subprocess.DEVNULL)
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        seconds = time.perf_counter() - start
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
        return seconds

    try:
        return min(asyncio.run(once()) for _ in range(repeat))
    finally:
        if forked:
            zygote.stop()
            import helpers.run.zygote as module

            module._zygote = None


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


def notebook_phases(names: list[str], params: str) -> dict[str, dict[str, float]]:
    """``benchmarks/notebook_phases.py --preloaded`` of each notebook (one after the other)."""
    out = {}
    for name in names:
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "notebook_phases.py"),
                               "--preloaded", name, params], cwd=ROOT, capture_output=True,
                              text=True)
        if done.returncode != 0:
            sys.exit(f"notebook_phases.py {name} failed:\n{done.stderr}")
        out[name] = json.loads(done.stdout.splitlines()[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params/default.yaml")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--edit", default="03_overall_survival",
                        help="notebook whose prose is edited before the warm run")
    parser.add_argument("--no-phases", action="store_true",
                        help="leave out the per-notebook phases (about a minute)")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
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
        cold = timed_run(base + ["--force"])
        edit_prose(notebooks / f"{args.edit}.py")
        warm = timed_run(base)
    load = os.getloadavg()[0]
    kernel, forked = kernel_start_seconds(), kernel_start_seconds(forked=True)
    session, bare, heavy = session_import()
    phases = {} if args.no_phases else notebook_phases(sorted(cold.per_notebook), args.params)

    cpus = os.cpu_count() or 1
    print(f"jcog1017-run {args.params}: {len(cold.per_notebook)} notebooks, {args.workers} workers, "
          f"{cpus} CPUs, load average {load_before:.1f} before, {load:.1f} after the runs"
          + ("  (NOT idle: times are inflated)" if max(load, load_before) > 0.5 * cpus else ""))
    for name, timed in (("cold", cold), ("warm", warm)):
        verdict = "ok" if timed.seconds <= GOALS[name] else "SLOWER than the goal"
        print(f"  {name:<5} {timed.seconds:6.2f} s wall, {timed.cpu:5.1f} s CPU  ({timed.counts[0]} "
              f"executed, {timed.counts[1]} unchanged; goal <= {GOALS[name]:g} s: {verdict})")
    if warm.counts[0] != 1 or args.edit not in warm.per_notebook:
        print(f"  WARNING: the warm run executed {sorted(warm.per_notebook)}, not only {args.edit}")
    print("  runner outside the notebooks (wall): before the first notebook starts (parameters, "
          "data checked by the preflight, plan, workers) "
          f"cold {cold.first_start:.2f} s, warm {warm.first_start:.2f} s; after the last notebook "
          f"(ARD combined, run record, publishing) cold {cold.seconds - cold.last_done:.2f} s, "
          f"warm {warm.seconds - warm.last_done:.2f} s")

    columns = ("imports", "data load", "analyses", "figure checks", "figure files", "ARD")
    print("\nwhere each notebook's seconds go (runner: its seconds in the cold run; kernel+papermill:"
          "\nrunner seconds minus the phases, i.e. kernel start, papermill, writing the executed "
          "notebook;\nphases: benchmarks/notebook_phases.py --preloaded, one notebook at a time, "
          "in a fresh\ninterpreter that has imported and read what the zygote preloads):")
    head = "".join(f"{c[:10]:>11}" for c in columns)
    print(f"  {'notebook':<22} {'runner':>7} {'warm':>6} {'kernel+pm':>10}{head}")
    sums = dict.fromkeys(("runner", "kernel", *columns), 0.0)
    for name in sorted(cold.per_notebook):
        runner = cold.per_notebook[name]
        warm_text = f"{warm.per_notebook[name]:6.1f}" if name in warm.per_notebook else f"{'skip':>6}"
        phase = phases.get(name)
        sums["runner"] += runner
        if phase is None:
            print(f"  {name:<22} {runner:7.1f} {warm_text}")
            continue
        rest = runner - phase["total"]
        sums["kernel"] += rest
        for c in columns:
            sums[c] += phase[c]
        print(f"  {name:<22} {runner:7.1f} {warm_text} {rest:10.2f}"
              + "".join(f"{phase[c]:11.2f}" for c in columns))
    print(f"  {'sum':<22} {sums['runner']:7.1f} {'':>6} "
          + (f"{sums['kernel']:10.2f}" + "".join(f"{sums[c]:11.2f}" for c in columns)
             if phases else "")
          + f"\n  (over {args.workers} workers: >= {sums['runner'] / args.workers:.1f} s wall)")
    print(f"\nkernel start (python3, until kernel_info): {kernel:.2f} s as a fresh interpreter, "
          f"{forked:.2f} s forked from the runner's zygote (helpers.run.zygote)")
    print(f"session import (fresh interpreter; the zygote pays it once per worker): {session:.2f} s, "
          f"of which interpreter start {bare:.2f} s; heaviest (cumulative, nested so not additive;"
          f" -X importtime, one run):")
    for name, seconds in heavy:
        print(f"  {name:<28} {seconds:5.2f} s")


if __name__ == "__main__":
    main()
