"""Wall times of the trial's survival analysis: ours vs lifelines vs R's survival.

Workload per size n (simulated two-arm trial, 4 strata, fixed seed, times in months rounded
to 0.1 so that ties occur): Kaplan-Meier of both arms + stratified log-rank + stratified Cox
(arm only, Efron). Plus one Cox fit on 400 rows (mean over 200 fits).

    python benchmarks/bench_survival.py [--sizes 10000 100000 1000000] [--lifelines-max 100000]

lifelines runs only up to --lifelines-max rows (its CoxPHFitter needs ~40 s at 1e6); R runs
when ``Rscript`` is on PATH (timed inside R with system.time, CSV reading excluded).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.survival.cox import cox_fit, cox_hazard_ratio
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


def ours(d: pd.DataFrame) -> float:
    t0 = time.perf_counter()
    km_by_group(d, "time", "event", "arm")
    logrank_test(d, "time", "event", "arm", strata="stratum", experimental=1)
    cox_hazard_ratio(d, "time", "event", "arm", 1, strata="stratum")
    return time.perf_counter() - t0


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
cat(tm[['elapsed']], '\\n')
"""


def r_time(d: pd.DataFrame) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        d.to_csv(csv, index=False)
        out = subprocess.run(["Rscript", "-e", R_CODE.format(csv=csv)], capture_output=True,
                             text=True, check=True)
    return float(out.stdout.split()[-1])


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
    args = ap.parse_args()

    fmt = "{:>9} {:>9} {:>10} {:>9} {:>14} {:>9}"
    print("KM (both arms) + stratified log-rank + stratified Cox, wall seconds")
    print(fmt.format("n", "ours", "lifelines", "R", "lifelines/ours", "R/ours"))
    for n in args.sizes:
        d = simulate(n)
        ours(d.head(1000))  # warm-up (imports, caches)
        t_ours = ours(d)
        t_ll = lifelines_time(d) if n <= args.lifelines_max else None
        t_r = r_time(d)
        cell = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
        ratio = lambda v: "-" if v is None else f"{v / t_ours:.1f}"  # noqa: E731
        print(fmt.format(n, cell(t_ours), cell(t_ll), cell(t_r), ratio(t_ll), ratio(t_r)),
              flush=True)
    if max(args.sizes) > args.lifelines_max:
        print(f"(lifelines not run above {args.lifelines_max} rows: too slow)")
    print(f"one stratified Cox fit on 400 rows: {small_fit_time() * 1e3:.2f} ms (mean of 200)")


if __name__ == "__main__":
    main()
