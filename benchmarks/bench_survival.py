"""Wall times of the trial's survival analysis: ours vs lifelines vs R's survival.

Workload per size n (simulated two-arm trial, 4 strata, fixed seed, times in months rounded
to 0.1 so that ties occur): Kaplan-Meier of both arms + stratified log-rank + stratified Cox
(arm only, Efron). Plus one Cox fit on 400 rows (mean over 200 fits).

"ours" validates and sorts once (``survival_frame``) and hands the frame to the three
analyses; "ours, df" passes the data frame to each (one validation and sort per call).
Best of --repeat runs. At the largest size: where the time goes (one timed run per step)
and the peak traced memory (tracemalloc) of the shared-frame workload, in arrays of n float64.

    python benchmarks/bench_survival.py [--sizes 10000 100000 1000000] [--lifelines-max 100000]

lifelines runs only up to --lifelines-max rows (its CoxPHFitter needs ~40 s at 1e6); R runs
when ``Rscript`` is on PATH (timed inside R with system.time, CSV reading excluded).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
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


def breakdown(d: pd.DataFrame) -> None:
    """Wall seconds of each step of the shared-frame workload (one run each)."""
    steps = []

    def step(label, fn):
        t0 = time.perf_counter()
        out = fn()
        steps.append((label, time.perf_counter() - t0))
        return out

    sf = step("validate + sort once (survival_frame)",
              lambda: survival_frame(d, "time", "event", group="arm", strata="stratum"))
    step("  group and stratum codes", lambda: (sf.group_codes("arm"), sf.strata_codes("stratum")))
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
    print(f"Where the time goes at n = {len(d)} (wall seconds; Newton: {res[7]} iterations, "
          f"{len(des.ev_rows)} events in {len(des.group_end)} tied-death groups):")
    for label, sec in steps:
        print(f"  {label:<40} {sec:7.3f}")


def peak_memory(d: pd.DataFrame) -> None:
    """Peak traced memory of the shared-frame workload (tracemalloc), overall and per step, in
    arrays of n float64; and the most arrays of n elements or more alive at once (numpy's
    buffers as traced blocks of >= n bytes, counted after every call returns)."""
    import sys
    import tracemalloc

    n = len(d)
    tracemalloc.start()
    most = [0]

    def count(frame, event, arg):  # after each call made in helpers/survival returns
        if event in ("return", "c_return") and "helpers/survival" in frame.f_code.co_filename:
            snapshot = tracemalloc.take_snapshot()
            most[0] = max(most[0], sum(1 for t in snapshot.traces if t.size >= n))

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
    sys.setprofile(count)
    try:
        workload(d)
    finally:
        sys.setprofile(None)
        tracemalloc.stop()
    unit = 8 * n
    print(f"Peak traced memory of the shared-frame workload at n = {n}: {peak / 1e6:.0f} MB "
          f"= {peak / unit:.1f} arrays of n float64 (held before -> peak in each step: "
          + ", ".join(f"{label} {b / unit:.1f} -> {p / unit:.1f}" for label, b, p in steps)
          + f"); at most {most[0]} arrays of >= n elements alive at once (goal <= 10)")


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
    args = ap.parse_args()

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
    print(f"(goal at 1e6 rows: ours <= 0.3 s on an idle core and >= 20x faster than R; load "
          f"average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: CPU seconds, the "
          f"second line, are less sensitive to other processes than wall seconds)")
    d = simulate(max(args.sizes))
    breakdown(d)
    profile(d)
    peak_memory(d)
    if max(args.sizes) > args.lifelines_max:
        print(f"(lifelines not run above {args.lifelines_max} rows: too slow)")
    print(f"one stratified Cox fit on 400 rows: {small_fit_time() * 1e3:.2f} ms (mean of 200)")


if __name__ == "__main__":
    main()
