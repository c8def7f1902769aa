"""Many simulated trials at once: :func:`~.trial.simulate_trial` and
:func:`~.trial.analyse_trial` for a batch of replicates on 2-D arrays (one row per trial).

Each replicate still draws from its own generator (``runner.replicate_rng``), the same
numbers in the same order as :func:`~.trial.simulate_trial`: per trial only the draws
(``random``, ``permuted``, ``standard_exponential``, into rows of preallocated arrays);
everything computed from them (entry order, strata, blocks, event and dropout times, the
cut at the analysis) is one numpy call for the whole batch, and the analysis is
``helpers.survival.lean_batch`` (the trials it does not handle: :func:`analyse_trial`).
The statistics are those of the per-trial path bit for bit (tests/test_simulation_batch.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.survival.lean_batch import logrank_cox_batch

from .scenario import Scenario
from .trial import STATISTICS, Analysis, TrialData, analyse_trial


@dataclass(frozen=True)
class TrialBatch:
    """Simulated trials, all patients of each (rows: trials; ``keep``: randomised by the
    analysis, the rows of :class:`~.trial.TrialData`)."""

    time: np.ndarray
    event: np.ndarray  # bool
    arm: np.ndarray  # int64 0/1
    stratum: np.ndarray  # int64
    keep: np.ndarray  # bool
    analysis_month: np.ndarray
    target_reached: np.ndarray  # bool

    def trial(self, i: int) -> TrialData:
        """Trial ``i`` as :func:`~.trial.simulate_trial` returns it."""
        k = self.keep[i]
        return TrialData(self.time[i][k], self.event[i][k].astype(np.int64), self.arm[i][k],
                         self.stratum[i][k], float(self.analysis_month[i]),
                         bool(self.target_reached[i]))


def _templates(scenario: Scenario):
    b = scenario.block_size
    template = np.zeros(b, dtype=np.int64)
    template[: round(b * scenario.allocation)] = 1
    cache: dict[int, np.ndarray] = {}

    def rows(r: int) -> np.ndarray:  # permuted() copies its input: one array per size
        if r not in cache:
            cache[r] = template[None].repeat(r, axis=0)
        return cache[r]
    return rows


def simulate_trials(scenario: Scenario, rngs: list[np.random.Generator]) -> TrialBatch:
    """One trial of ``scenario`` per generator, as ``simulate_trial(scenario, rng)``."""
    n, n_trials = scenario.n_patients, len(rngs)
    n_strata = len(scenario.strata_shares)
    uniform = np.empty((n_trials, 2 * n))
    for rng, row in zip(rngs, uniform):  # random(n) twice = random(2 n): the same stream
        rng.random(out=row)
    entry = np.sort(scenario.accrual.entry_times(uniform[:, :n]), axis=1)
    stratum = np.searchsorted(scenario.strata_bounds, uniform[:, n:], side="right").astype(
        np.int64, copy=False)
    expo = np.empty((n_trials, 2 * n))
    # permuted blocks (Scenario rejects block_size 1: 1 * allocation is never whole)
    arm = _randomise(scenario, stratum, rngs, expo)
    event_time = scenario.cell_hazards.sample((arm * n_strata + stratum).ravel(),
                                              expo[:, :n].ravel()).reshape(n_trials, n)
    drop_rate = np.asarray(scenario.dropout_per_month)[arm]
    with np.errstate(divide="ignore"):
        dropout = expo[:, n:] / drop_rate
    observable = event_time <= dropout
    event_calendar = np.where(observable, entry + event_time, np.inf)
    if scenario.target_events is not None:
        k = scenario.target_events
        n_observable = observable.sum(axis=1)
        reached = n_observable >= k
        cut = np.partition(event_calendar, k - 1, axis=1)[:, k - 1]
        for i in (~reached).nonzero()[0]:  # fewer events than targeted: the last one
            kk = int(n_observable[i])
            cut[i] = (np.partition(event_calendar[i], kk - 1)[kk - 1] if kk
                      else entry[i].max())
    else:
        cut = np.full(n_trials, float(scenario.calendar_cut))
        reached = np.ones(n_trials, dtype=bool)
    keep = entry < cut[:, None]
    event = observable & (event_calendar <= cut[:, None])
    time = np.where(event, event_time, np.minimum(dropout, cut[:, None] - entry))
    return TrialBatch(time, event, arm, stratum, keep, cut, reached)


def _randomise(scenario: Scenario, stratum: np.ndarray, rngs, expo: np.ndarray) -> np.ndarray:
    """``trial._randomise`` of every trial (stratified permuted blocks in entry order); draws
    each trial's blocks and then its exponential times (``expo`` rows), in that order."""
    n_trials, n = stratum.shape
    n_strata, b = len(scenario.strata_shares), scenario.block_size
    counts = np.bincount((np.arange(n_trials)[:, None] * n_strata + stratum).ravel(),
                         minlength=n_trials * n_strata).reshape(n_trials, n_strata)
    per_stratum = -(-counts.max(axis=1) // b)  # blocks per stratum
    rows = _templates(scenario)
    blocks = []
    for rng, r, e_row in zip(rngs, (n_strata * per_stratum).tolist(), expo):
        blocks.append(rng.permuted(rows(r), axis=1).reshape(-1))
        rng.standard_exponential(out=e_row)
    sizes = n_strata * per_stratum * b
    offset = np.cumsum(sizes) - sizes
    # rank of each patient in its stratum's entry order (rows in entry order): a stable
    # (radix) sort of the stratum codes, then position minus the stratum's first position
    base = (np.arange(n_trials) * n)[:, None]
    codes = stratum.astype(np.int8) if n_strata < 128 else stratum
    by_stratum = np.argsort(codes, axis=1, kind="stable") + base
    first = (np.cumsum(counts, axis=1) - counts).ravel()
    rank = np.empty_like(stratum)
    np.put(rank, by_stratum, np.arange(n) - first.take(
        stratum.take(by_stratum) + (np.arange(n_trials) * n_strata)[:, None]))
    index = offset[:, None] + stratum * (per_stratum * b)[:, None] + rank
    return np.concatenate(blocks).take(index)


def analyse_trials(trials: TrialBatch, analysis: Analysis) -> np.ndarray:
    """The :data:`~.trial.STATISTICS` of each trial (rows), as :func:`analyse_trial`."""
    keep = trials.keep
    n_trials = len(keep)
    events = (trials.event & keep).sum(axis=1)
    n_analysed = keep.sum(axis=1)
    on_arm = (trials.arm.astype(bool) & keep).sum(axis=1)
    out = np.full((n_trials, len(STATISTICS)), np.nan)
    out[:, 3], out[:, 4], out[:, 5] = events, trials.analysis_month, n_analysed
    out[:, 6] = trials.target_reached
    test = ((events > 0) & (on_arm > 0) & (on_arm < n_analysed)).nonzero()[0]
    if analysis.stratified:
        stratum, n_strata = trials.stratum[test], int(trials.stratum.max(initial=0)) + 1
    else:
        stratum, n_strata = np.zeros_like(trials.stratum[test]), 1
    observed, expected, variance, coef, se, handled = logrank_cox_batch(
        trials.time[test], trials.event[test], trials.arm[test], stratum, keep[test], n_strata)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(variance > 0, (observed - expected) / np.sqrt(variance), np.nan)
    out[test, 0], out[test, 1], out[test, 2] = z, coef, se
    for i in test[~handled]:  # ties or a zero information: one at a time
        out[i] = analyse_trial(trials.trial(int(i)), analysis)
    return out
