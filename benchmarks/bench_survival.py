"""Wall times of the trial's survival analysis: ours vs lifelines vs R's survival.

Workload per size n (simulated two-arm trial, 4 strata, fixed seed, times in months rounded
to 0.1 so that ties occur): Kaplan-Meier of both arms + stratified log-rank + stratified Cox
(arm only, Efron). Plus one Cox fit on 400 rows (mean over 200 fits).

"ours" validates and sorts once (``survival_frame``) and hands the frame to the three
analyses; "ours, df" passes the data frame to each (one validation and sort per call).
Best of --repeat runs, wall and CPU seconds (CPU: of all threads of the process; a BLAS
thread spinning on a second core after a threaded call counts, which is why the two once
differed 2x: the Cox information's dot product over the events was such a call, no longer).
"one core": the shared-frame workload again in a child process pinned to one CPU with one
BLAS/OpenMP thread (OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1).

At the largest size: where the time goes (CPU and wall seconds of each step, best of
--repeat), a cProfile, and the memory of the shared-frame workload (tracemalloc traces
numpy's buffers): the peak traced memory, overall and per step, in arrays of n float64
(exact: temporaries inside numpy and pandas calls included), and the most traced blocks of
>= n bytes (an array of n elements of any dtype, or a part of n float64) alive at once,
counted after every call in helpers/survival returns (with --count-lines also after every
line executed there: slow, ~1 minute at 1e6 rows).

    python benchmarks/bench_survival.py [--sizes 10000 100000 1000000] [--lifelines-max 100000]

lifelines runs only up to --lifelines-max rows (its CoxPHFitter needs ~40 s at 1e6); R runs
when ``Rscript`` is on PATH (timed inside R with system.time, CSV reading excluded).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.survival.cox import _design, _newton, cox_fit, cox_hazard_ratio
from helpers.survival.frame import survival_frame
from helpers.survival.km import km_by_group
from helpers.survival.logrank import logrank_test


def simulate(n: int, seed: int = 20170) -> pd.DataFrame:
    """Two arms (HR 0.75), 4 strata with different baseline hazards, ~30% censored."""
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    stratum = rng.integers(0, 4, n)
    t_event = rng.exponential(30 / np.exp(np.log(0.75) * arm + 0.25 * stratum))
    t_cens = rng.uniform(6, 90, n)
    t = np.maximum(np.round(np.minimum(t_event, t_cens), 1), 0.1)
    return pd.DataFrame({"time": t, "event": (t_event <= t_cens).astype(int), "arm": arm,
                         "stratum": stratum})


def workload(d: pd.DataFrame, shared: bool = True) -> None:
    if shared:
        d = survival_frame(d, "time", "event", group="arm", strata="stratum")
    km_by_group(d, "time", "event", "arm")
    logrank_test(d, "time", "event", "arm", strata="stratum", experimental=1)
    cox_hazard_ratio(d, "time", "event", "arm", 1, strata="stratum")


CPU: dict[str, float] = {}  # CPU seconds of the last timed runs (best), by label


def ours(d: pd.DataFrame, shared: bool = True, repeat: int = 1) -> float:
    """Best wall seconds of ``repeat`` runs (their best CPU seconds in ``CPU``)."""
    best = cpu = float("inf")
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        workload(d, shared)
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    CPU["shared" if shared else "df"] = cpu
    return best


def breakdown(d: pd.DataFrame, repeat: int = 3) -> None:
    """CPU and wall seconds of each step of the shared-frame workload (best of ``repeat``)."""
    steps = []

    def step(label, fn):
        cpu = wall = float("inf")
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            out = fn()
            wall = min(wall, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        steps.append((label, cpu, wall))
        return out

    sf = step("validate + sort once (survival_frame)",
              lambda: survival_frame(d, "time", "event", group="arm", strata="stratum"))
    step("  group and stratum codes", lambda: (sf._codes.clear(), sf.group_codes("arm"),
                                               sf.strata_codes("stratum")))
    step("Kaplan-Meier, both arms", lambda: km_by_group(sf, "time", "event", "arm"))
    step("stratified log-rank", lambda: logrank_test(sf, "time", "event", "arm", "stratum", 1))
    step("stratified Cox (all)", lambda: cox_hazard_ratio(sf, "time", "event", "arm", 1,
                                                          strata="stratum"))
    x = d[["arm"]].to_numpy(float)
    codes = sf.strata_codes("stratum")[0]
    des = step("  of which the design (order, ties)", lambda: _design(
        sf.data.time, sf.data.event, x, None, "efron", scode=codes, time_sort=sf.sort))
    with np.errstate(all="ignore"):
        res = step("  of which Newton-Raphson", lambda: _newton(des, np.zeros(1)))
    layout = "in chunks (coxchunks)" if des.lean else "whole arrays"
    print(f"Where the time goes at n = {len(d)} (best of {repeat}; Cox: {res[7]} Newton "
          f"iterations, {des.n_events} events in {len(des.group_end)} tied-death groups, "
          f"{layout}):")
    print(f"  {'':<40} {'CPU s':>7} {'wall s':>7}")
    for label, cpu, wall in steps:
        print(f"  {label:<40} {cpu:7.3f} {wall:7.3f}")


def peak_memory(d: pd.DataFrame, lines: bool = False) -> None:
    """Peak traced memory of the shared-frame workload (tracemalloc), overall and per step, in
    arrays of n float64; and the most traced blocks of >= n bytes (numpy's buffers, pandas'
    hash tables) alive at once, counted after every call made in helpers/survival returns
    (``lines``: also after every line executed there)."""
    import sys
    import tracemalloc

    n = len(d)
    tracemalloc.start()
    most = [0, ""]

    def count(frame):
        alive = sum(1 for t in tracemalloc.take_snapshot().traces if t.size >= n)
        if alive > most[0]:
            most[:] = [alive, f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}"]

    def on_call(frame, event, arg):  # after each call made in helpers/survival returns
        if event in ("return", "c_return") and "helpers/survival" in frame.f_code.co_filename:
            count(frame)

    def on_line(frame, event, arg):
        if "helpers/survival" not in frame.f_code.co_filename:
            return None
        if event == "line":
            count(frame)
        return on_line

    steps = []
    sf = None
    for label, fn in (
            ("survival_frame", lambda: survival_frame(d, "time", "event", group="arm",
                                                      strata="stratum")),
            ("Kaplan-Meier", lambda: km_by_group(sf, "time", "event", "arm")),
            ("log-rank", lambda: logrank_test(sf, "time", "event", "arm", "stratum", 1)),
            ("Cox", lambda: cox_hazard_ratio(sf, "time", "event", "arm", 1, strata="stratum"))):
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        out = fn()
        steps.append((label, before, tracemalloc.get_traced_memory()[1]))
        sf = out if sf is None else sf
    peak = max(p for _, _, p in steps)
    del sf, out
    tracemalloc.stop()
    tracemalloc.start()
    sys.setprofile(on_call)
    if lines:
        sys.settrace(on_line)
    try:
        workload(d)
    finally:
        sys.setprofile(None)
        sys.settrace(None)
        tracemalloc.stop()
    unit = 8 * n
    print(f"Peak traced memory of the shared-frame workload at n = {n}: {peak / 1e6:.0f} MB "
          f"= {peak / unit:.1f} arrays of n float64 (goal <= 10; held before -> peak in each "
          f"step: " + ", ".join(f"{label} {b / unit:.1f} -> {p / unit:.1f}"
                                for label, b, p in steps) + ")")
    print(f"At most {most[0]} arrays (traced blocks) of >= n bytes alive at once (goal <= 10), after "
          f"{'every line and call' if lines else 'every call'} in helpers/survival (at "
          f"{most[1]})")


def profile(d: pd.DataFrame, top: int = 12) -> None:
    """Where the time goes, by function (cProfile of one shared-frame workload, CPU time)."""
    import cProfile
    import pstats

    prof = cProfile.Profile(time.process_time)
    prof.enable()
    workload(d)
    prof.disable()
    stats = pstats.Stats(prof)
    print(f"cProfile of the shared-frame workload at n = {len(d)} ({stats.total_tt:.3f} CPU s "
          f"with profiling), the {top} functions of most own time:")
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]
    for (file, line, func), (_, calls, own, cum, _) in rows:
        where = f"{Path(file).name}:{line}({func})" if line else func
        print(f"  {own:7.3f} s own {cum:7.3f} s cum {calls:6d} calls  {where}")


ONE_CORE_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def one_core(n: int, repeat: int) -> tuple[float, float] | None:
    """(wall, CPU) best seconds of the shared-frame workload at ``n`` rows in a child process
    pinned to one CPU with one BLAS/OpenMP thread; None where pinning is not available."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    out = subprocess.run([sys.executable, __file__, "--one-core-child", str(n), str(repeat)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, **ONE_CORE_ENV})
    wall, cpu = map(float, out.stdout.split()[-2:])
    return wall, cpu


def _one_core_child(n: int, repeat: int) -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    d = simulate(n)
    ours(d.head(1000))
    wall = ours(d, repeat=repeat)
    print(wall, CPU["shared"])


def lifelines_time(d: pd.DataFrame) -> float:
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import logrank_test as ll_logrank

    t0 = time.perf_counter()
    for arm in (0, 1):
        dd = d[d.arm == arm]
        KaplanMeierFitter().fit(dd.time, dd.event)
    # lifelines has no stratified log-rank: sum of per-stratum tests is not equivalent, so
    # the unstratified test is timed (a lower bound of the work)
    ll_logrank(d.time[d.arm == 0], d.time[d.arm == 1], d.event[d.arm == 0], d.event[d.arm == 1])
    CoxPHFitter().fit(d[["time", "event", "arm", "stratum"]], "time", "event", strata=["stratum"])
    return time.perf_counter() - t0


R_CODE = """
suppressPackageStartupMessages(library(survival)); d <- read.csv('{csv}')
tm <- system.time({{
  survfit(Surv(time, event) ~ arm, data = d)
  survdiff(Surv(time, event) ~ arm + strata(stratum), data = d)
  coxph(Surv(time, event) ~ arm + strata(stratum), data = d)
}})
cat(tm[['elapsed']], tm[['user.self']] + tm[['sys.self']], '\\n')
"""


def r_time(d: pd.DataFrame) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        d.to_csv(csv, index=False)
        out = subprocess.run(["Rscript", "-e", R_CODE.format(csv=csv)], capture_output=True,
                             text=True, check=True)
    elapsed, cpu = map(float, out.stdout.split()[-2:])
    CPU["R"] = cpu
    return elapsed


def small_fit_time(reps: int = 200) -> float:
    d = simulate(400, seed=1)
    t, e, s = d.time.to_numpy(), d.event.to_numpy(), d.stratum.to_numpy()
    x = d[["arm"]].to_numpy(float)
    cox_fit(t, e, x, strata=s)
    t0 = time.perf_counter()
    for _ in range(reps):
        cox_fit(t, e, x, strata=s)
    return (time.perf_counter() - t0) / reps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--lifelines-max", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of ours; the best is shown")
    ap.add_argument("--count-lines", action="store_true",
                    help="count the arrays alive after every line too (slow)")
    ap.add_argument("--one-core-child", type=int, nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one_core_child:
        _one_core_child(*args.one_core_child)
        return

    fmt = "{:>9} {:>9} {:>9} {:>10} {:>9} {:>14} {:>9}"
    print(f"KM (both arms) + stratified log-rank + stratified Cox, wall seconds (ours: best of "
          f"{args.repeat})")
    print(fmt.format("n", "ours", "ours, df", "lifelines", "R", "lifelines/ours", "R/ours"))
    for n in args.sizes:
        d = simulate(n)
        ours(d.head(1000))  # warm-up (imports, caches)
        t_ours = ours(d, repeat=args.repeat)
        t_df = ours(d, shared=False, repeat=args.repeat)
        t_ll = lifelines_time(d) if n <= args.lifelines_max else None
        t_r = r_time(d)
        cell = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        ratio = lambda v: "-" if v is None else f"{v / t_ours:.1f}"  # noqa: E731
        print(fmt.format(n, cell(t_ours), cell(t_df), cell(t_ll), cell(t_r), ratio(t_ll),
                         ratio(t_r)), flush=True)
        print(fmt.format("  CPU s", cell(CPU["shared"]), cell(CPU["df"]), "-",
                         cell(CPU.get("R") if t_r else None), "-",
                         "-" if not t_r else f"{CPU['R'] / CPU['shared']:.1f}"), flush=True)
        single = one_core(n, args.repeat)
        if single:
            print(fmt.format("  one core", f"{single[0]:.3f}", "-", "-", "-", "-",
                             "-" if not t_r else f"{t_r / single[0]:.1f}")
                  + f"   (CPU {single[1]:.3f} s; wall and R/ours)", flush=True)
    print(f"(goal at 1e6 rows: ours <= 0.3 s on an idle core and >= 20x faster than R; load "
          f"average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: CPU seconds, the "
          f"second line, are less sensitive to other processes than wall seconds)")
    d = simulate(max(args.sizes))
    breakdown(d, args.repeat)
    profile(d)
    peak_memory(d, args.count_lines)
    if max(args.sizes) > args.lifelines_max:
        print(f"(lifelines not run above {args.lifelines_max} rows: too slow)")
    print(f"one stratified Cox fit on 400 rows: {small_fit_time() * 1e3:.2f} ms (mean of 200)")


if __name__ == "__main__":
    main()
