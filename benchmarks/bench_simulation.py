"""Throughput of the design simulation: simulated 410-patient trials per second.

Each trial: uniform accrual over 84 months, 8 randomisation strata, exponential survival
(median 20 months, HR 20/26), stratified permuted blocks, analysis at the 359th death with
the stratified log-rank test and the stratified Cox model (Efron) of the supplement.

Measured in one run, on this machine:
  * local backend, 1 process and all cores (``helpers.design.simulation.simulate``: the
    batched path, trials simulated and analysed as 2-D arrays, ``simulation.batch``);
  * side by side in this process, per CPU-second: the batched path and the per-trial path
    it replaced (``runner.simulate_batch_per_trial``; the same numbers bit for bit);
  * a Dask ``LocalCluster`` with one single-threaded worker process per core (same work;
    the cluster is started and warmed up before timing, each run connects a new client);
  * each Python backend ``--repeat`` times, interleaved, best and median shown (the host
    may be shared: its noise was +-25% between back-to-back runs here);
  * the same loop in R (survival: ``survdiff`` + ``coxph`` with ``strata()``, simulating
    in R too), one process and all cores (``parallel::mclapply``), when Rscript is present;
  * trials per CPU-second (the machine may be shared), peak memory for 200 vs 2000 trials;
  * where the time goes: a cProfile of one process, grouped into simulation, log-rank,
    Cox and the rest;
  * with ``--instructions``: CPU instructions per trial (valgrind's callgrind), a count that
    does not depend on the host's load, to compare code versions (batched and per-trial).

    python benchmarks/bench_simulation.py [--replicates 4000] [--r-replicates 1000]
                                         [--workers N] [--repeat 3] [--instructions]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from helpers.design.simulation import Accrual, Analysis, proportional_hazards, simulate
from helpers.design.simulation.runner import (CHUNK, default_workers, simulate_batch,
                                               simulate_batch_per_trial)

SHARES = (0.2, 0.1, 0.15, 0.05, 0.2, 0.1, 0.15, 0.05)
SCENARIO = proportional_hazards("bench", 20, 20 / 26, 410, Accrual(84), SHARES,
                                target_events=359)

R_CODE = r"""
suppressPackageStartupMessages({library(survival); library(parallel)})
shares <- c(0.2, 0.1, 0.15, 0.05, 0.2, 0.1, 0.15, 0.05)
one_trial <- function(i) {
  n <- 410
  entry <- sort(runif(n, 0, 84))
  stratum <- sample.int(8, n, replace = TRUE, prob = shares)
  arm <- integer(n)
  for (s in unique(stratum)) {  # permuted blocks of 4 within strata
    idx <- which(stratum == s)
    arm[idx] <- as.vector(replicate(ceiling(length(idx) / 4), sample(c(0L, 0L, 1L, 1L))))[seq_along(idx)]
  }
  t <- rexp(n, log(2) / 20 * ifelse(arm == 1, 20 / 26, 1))
  cal <- entry + t
  cut <- sort(cal)[359]
  keep <- entry < cut
  ev <- as.integer(cal <= cut)
  tt <- ifelse(ev == 1, t, cut - entry)
  d <- data.frame(tt = tt, ev = ev, arm = arm, stratum = stratum)[keep, ]
  lr <- survdiff(Surv(tt, ev) ~ arm + strata(stratum), data = d)
  fit <- coxph(Surv(tt, ev) ~ arm + strata(stratum), data = d)
  c(lr$chisq, coef(fit))
}
set.seed(1)
reps <- {reps}
t1 <- system.time(invisible(lapply(seq_len(reps), one_trial)))[["elapsed"]]
t2 <- system.time(invisible(mclapply(seq_len(reps), one_trial, mc.cores = {cores})))[["elapsed"]]
cat(reps / t1, reps / t2, "\n")
"""


def _cpu_seconds() -> float:
    """CPU time of this process and its reaped children (the local backend's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU_RATES: dict[str, float] = {}  # trials per CPU-second, by run label


def rate(replicates: int, label: str = "", **kwargs) -> float:
    """Trials per wall-clock second; also records trials per CPU-second under ``label``
    (local backend only: Dask workers are not children of this process)."""
    cpu, start = _cpu_seconds(), time.perf_counter()
    simulate(SCENARIO, replicates, seed=1, progress=False, **kwargs)
    wall = time.perf_counter() - start
    if label:
        CPU_RATES[label] = replicates / (_cpu_seconds() - cpu)
    return replicates / wall


def in_process_rates(replicates: int) -> dict[str, float]:
    """Trials per CPU-second of this process: the batched path and the per-trial path (same
    replicates, interleaved halves so that a slow spell of a shared host hits both)."""
    paths = {"batched (simulate_batch)": simulate_batch,
             "per trial (simulate_batch_per_trial)": simulate_batch_per_trial}
    cpu = dict.fromkeys(paths, 0.0)
    for path in paths.values():
        path(SCENARIO, Analysis(), 1, 0, 20)  # warm-up
    half = replicates // 2
    for start in (0, half):
        for label, path in paths.items():
            before = time.process_time()
            path(SCENARIO, Analysis(), 1, start, start + half)
            cpu[label] += time.process_time() - before
    return {label: 2 * half / seconds for label, seconds in cpu.items()}


def start_dask(workers: int):
    """A ``LocalCluster`` of ``workers`` single-threaded worker processes, warmed up (helpers
    imported on every worker) so that the timed runs measure simulation, not start-up."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=40)
    simulate(SCENARIO, 4 * workers, seed=1, backend="dask", address=cluster.scheduler_address,
             progress=False)
    return cluster


def r_rates(replicates: int, workers: int) -> tuple[float, float] | None:
    if shutil.which("Rscript") is None:
        return None
    code = R_CODE.replace("{reps}", str(replicates)).replace("{cores}", str(workers))
    out = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, check=True)
    one, many = map(float, out.stdout.split())
    return one, many


def peak_memory(replicates: int) -> float:
    """Peak traced Python memory (MB) of a one-process run of ``replicates`` trials."""
    import tracemalloc

    tracemalloc.start()
    simulate(SCENARIO, replicates, seed=1, workers=1, progress=False)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def profile(replicates: int) -> None:
    simulate_batch(SCENARIO, Analysis(), 1, 0, 20)  # warm-up
    prof = cProfile.Profile()
    prof.enable()
    simulate_batch(SCENARIO, Analysis(), 1, 0, replicates)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt
    groups = {"simulate_trials (draws, cut)": "simulate_trials",
              "  of which the per-trial draws": "_randomise",
              "logrank_cox_batch (analysis)": "logrank_cox_batch",
              "  of which sorting the trials' rows": "__init__",
              "  of which the log-rank test": "_logrank",
              "  of which Cox's Newton-Raphson": "_newton",
              "analyse_trial (ties: one at a time)": "analyse_trial",
              "replicate_rng (SeedSequence)": "replicate_rng"}
    print(f"\nWhere the time goes (cProfile, one process, {replicates} trials, "
          f"{1e3 * total / replicates:.2f} ms per trial with profiling overhead):")
    for label, func in groups.items():
        cum = sum(v[3] for k, v in stats.stats.items() if k[2] == func)
        print(f"  {label:<36} {100 * cum / total:5.1f}%")
    stats.sort_stats("tottime").print_stats(12)


INSTRUCTION_RUN = """
import sys
from benchmarks.bench_simulation import SCENARIO
from helpers.design.simulation import Analysis
from helpers.design.simulation import runner
path = getattr(runner, sys.argv[2])
path(SCENARIO, Analysis(), 1, 0, 5)  # code paths warm in both runs
path(SCENARIO, Analysis(), 1, 0, int(sys.argv[1]))
"""


def instructions_per_trial(replicates: int = 256, path: str = "simulate_batch") -> float | None:
    """CPU instructions per simulated trial, one process, counted by valgrind's callgrind:
    the same on every run whatever else the machine does (wall-clock rates on a shared host
    varied by a factor of 2 between runs here). The difference between a run of
    ``replicates`` trials and one of none, so start-up and imports cancel (256: one chunk of
    the batched path). ``path``: the ``runner`` function. None without valgrind."""
    if shutil.which("valgrind") is None:
        return None

    def count(n: int) -> int:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
             "-c", INSTRUCTION_RUN, str(n), path], capture_output=True, text=True, check=True,
            cwd=Path(__file__).resolve().parents[1])
        return int(re.search(r"Collected : (\d+)", out.stderr).group(1))

    return (count(replicates) - count(0)) / replicates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=4000)
    parser.add_argument("--r-replicates", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--instructions", action="store_true",
                        help="also count CPU instructions per trial with valgrind (about 5 min; "
                             "deterministic, for comparing code versions on a noisy host)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs of each Python backend, interleaved (the machine may "
                             "be shared: best and median are shown)")
    args = parser.parse_args()
    w, n = args.workers, args.replicates
    runs: dict[str, list[float]] = {"Python, 1 process": [],
                                    f"Python, local backend, {w} processes": [],
                                    f"Python, Dask LocalCluster, {w} workers": []}
    labels = list(runs)
    cluster = start_dask(w)
    try:
        for _ in range(args.repeat):  # interleaved: a slow spell of the host hits every backend
            runs[labels[0]].append(rate(n // 4, "1 process", workers=1))
            runs[labels[1]].append(rate(n, f"{w} processes", workers=w))
            runs[labels[2]].append(rate(n, backend="dask", address=cluster.scheduler_address))
    finally:
        cluster.close()
    best = {label: max(v) for label, v in runs.items()}
    median = {label: statistics.median(v) for label, v in runs.items()}
    rows = [(label, best[label], median[label]) for label in labels]
    r = r_rates(args.r_replicates, w)
    if r:
        rows += [("R survival, 1 process", r[0], None),
                 (f"R survival, mclapply {w} cores", r[1], None)]
    print(f"Simulated 410-patient trials per second (stratified log-rank + stratified Cox), "
          f"{w} cores, {n} replicates, best (median) of {args.repeat} interleaved runs:")
    for label, top, mid in rows:
        print(f"  {label:<40} {top:8.0f} trials/s" + (f"  ({mid:.0f})" if mid else ""))
    local, dask = labels[1], labels[2]
    print(f"  Dask / local backend: {best[dask] / best[local]:.0%} best, "
          f"{median[dask] / median[local]:.0%} median (goal >= 80%); goal >= 5000 trials/s on "
          f"2 idle cores: {best[local]:.0f} best, {median[local]:.0f} median (see per "
          f"CPU-second below on a shared host)")
    print(f"Per CPU-second (what {w} idle cores would give, times {w}; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; last run of each):")
    for label, value in CPU_RATES.items():
        print(f"  {label:<40} {value:8.0f} trials per CPU-second -> {w * value:6.0f} trials/s "
              f"on {w} idle cores")
    print("In this process, per CPU-second (the old per-trial path kept for comparison):")
    for label, value in in_process_rates(max(n // 4, 200)).items():
        print(f"  {label:<40} {value:8.0f} trials per CPU-second")
    small, large = peak_memory(200), peak_memory(2000)
    print(f"Peak traced memory, one process: {small:.2f} MB for 200 trials, {large:.2f} MB for "
          f"2000 (streamed batches of at most {CHUNK} trials analysed together: bounded "
          f"whatever the number of replicates; the batches are 25 and 250 trials here)")
    if args.instructions:
        for path in ("simulate_batch", "simulate_batch_per_trial"):
            per_trial = instructions_per_trial(path=path)
            print(f"Instructions per simulated trial (callgrind, one process, {path}): " + (
                f"{per_trial / 1e6:.2f} million (goal <= 2)" if per_trial
                else "valgrind not installed"))
    profile(500)


if __name__ == "__main__":
    main()
