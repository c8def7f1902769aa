"""One simulated trial: patients, their data at the analysis, and its analysis.

:func:`simulate_trial` draws entry, stratum, arm, event and dropout times and cuts the data
at the analysis; :func:`analyse_trial` analyses it exactly as the supplement analyses the
real trial: the stratified log-rank test (``helpers.survival.logrank``) and the stratified
Cox model (``helpers.survival.cox``), through their array-level cores on one sort of the
rows (``helpers.survival.lean``). ``batch`` does the same for many trials at once (the
simulation's path); these per-trial functions are its reference and its fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from helpers.survival.lean import logrank_cox

from .scenario import Scenario

#: Per-replicate statistics, in this column order (see :func:`analyse_trial`).
STATISTICS = ("z_logrank", "log_hr", "se_log_hr", "events", "analysis_month", "n_analysed",
              "target_reached")


@dataclass(frozen=True)
class Analysis:
    """How each simulated trial is analysed and when it counts as positive.

    ``alpha`` is the level of a ``sided`` (1 or 2) stratified log-rank test; one-sided tests
    reject when the experimental arm has fewer events than expected (z < -z_{1-alpha}).
    ``ties`` of the Cox model ("efron" or "breslow"); ``conf_level`` of its Wald CI (the
    CI excludes 1 in favour of the experimental arm is reported as ``cox_ci_below_1``);
    ``stratified``: analyse with the randomisation strata (log-rank and Cox).
    """

    alpha: float = 0.05
    sided: int = 1
    ties: str = "efron"
    conf_level: float = 0.90
    stratified: bool = True

    def __post_init__(self):
        if self.sided not in (1, 2) or not 0 < self.alpha < 1:
            raise ValueError(f"analysis needs sided 1 or 2 and alpha in (0, 1), got "
                             f"{self.sided!r}, {self.alpha!r}")
        if self.ties not in ("efron", "breslow") or not 0 < self.conf_level < 1:
            raise ValueError(f"analysis needs ties 'efron'/'breslow' and conf_level in (0, 1), "
                             f"got {self.ties!r}, {self.conf_level!r}")

    @property
    def z_critical(self) -> float:
        return float(ndtri(1 - self.alpha / self.sided))

    def rejects(self, z: np.ndarray) -> np.ndarray:
        """True where the log-rank z rejects H0 (NaN never rejects)."""
        crit = self.z_critical
        with np.errstate(invalid="ignore"):
            return (z < -crit) if self.sided == 1 else (np.abs(z) > crit)


@dataclass(frozen=True)
class TrialData:
    """A simulated trial cut at its analysis: one row per patient randomised by then."""

    time: np.ndarray  # months from randomisation to event or censoring
    event: np.ndarray  # 1 event, 0 censored (int64)
    arm: np.ndarray  # 0 control, 1 experimental (int64)
    stratum: np.ndarray  # stratum codes 0..S-1 (int64)
    analysis_month: float  # calendar month of the analysis
    target_reached: bool  # False when fewer events than targeted ever occur


def _randomise(scenario: Scenario, stratum: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Arms by stratified permuted blocks in order of entry (rows already sorted by entry)."""
    n, b = len(stratum), scenario.block_size
    if b == 1:
        return (rng.random(n) < scenario.allocation).astype(np.int64)
    by_stratum = np.argsort(stratum, kind="stable")
    counts = np.bincount(stratum, minlength=len(scenario.strata_shares))
    first = np.repeat(counts.cumsum() - counts, counts)
    rank = np.empty(n, dtype=np.int64)
    rank[by_stratum] = np.arange(n) - first  # position in its stratum's entry order
    blocks_per_stratum = -(-counts.max() // b)
    template = np.zeros(b, dtype=np.int64)
    template[: round(b * scenario.allocation)] = 1
    rows = len(counts) * blocks_per_stratum  # permuted() copies its input (repeat: the
    blocks = rng.permuted(template[None].repeat(rows, axis=0), axis=1)  # rows, ~10 us faster
    # than np.broadcast_to's Python wrapper)
    # row stratum * blocks_per_stratum + rank // b, column rank % b of the row-major blocks
    return blocks.reshape(-1)[stratum * (blocks_per_stratum * b) + rank]


def simulate_trial(scenario: Scenario, rng: np.random.Generator) -> TrialData:
    """Draw one trial of ``scenario`` and cut it at its analysis.

    Entry from the accrual distribution; stratum with ``strata_shares``; arm by stratified
    permuted blocks; event time from the (arm, stratum) hazard; dropout exponential. An
    event counts when it precedes dropout and the analysis; the target-events analysis is at
    the calendar month of the ``target_events``-th such event (of the last one if fewer).
    """
    n = scenario.n_patients
    entry = np.sort(scenario.accrual.entry_times(rng.random(n)))
    stratum = np.searchsorted(scenario.strata_bounds, rng.random(n), side="right").astype(
        np.int64, copy=False)
    arm = _randomise(scenario, stratum, rng)
    n_strata = len(scenario.strata_shares)
    event_time = scenario.cell_hazards.sample(arm * n_strata + stratum,
                                              rng.standard_exponential(n))
    drop_rate = np.asarray(scenario.dropout_per_month)[arm]
    with np.errstate(divide="ignore"):
        dropout = rng.standard_exponential(n) / drop_rate  # rate 0: never (inf)
    observable = event_time <= dropout
    event_calendar = np.where(observable, entry + event_time, np.inf)
    reached = True
    if scenario.target_events is not None:
        k = scenario.target_events
        n_observable = int(observable.sum())
        reached = n_observable >= k
        k = min(k, n_observable)
        cut = float(np.partition(event_calendar, k - 1)[k - 1]) if k else float(entry.max())
    else:
        cut = float(scenario.calendar_cut)
    keep = entry < cut
    event = observable & (event_calendar <= cut)
    time = np.where(event, event_time, np.minimum(dropout, cut - entry))
    return TrialData(time[keep], event[keep].astype(np.int64), arm[keep], stratum[keep], cut,
                     reached)


def analyse_trial(data: TrialData, analysis: Analysis) -> np.ndarray:
    """The statistics of :data:`STATISTICS` for one trial.

    ``z_logrank``: (O - E)/sqrt(V) of the experimental arm from the (stratified) log-rank
    test (negative favours it); ``log_hr``/``se_log_hr``: the (stratified) Cox model of arm
    with ``analysis.ties``. NaN where the data allow no test (no events, one arm only).
    """
    stratum = data.stratum if analysis.stratified else np.zeros_like(data.stratum)
    events = int(data.event.sum())
    z = log_hr = se = np.nan
    if events > 0 and 0 < data.arm.sum() < len(data.arm):
        # logrank_components and the coefficient and std. error of cox_fit (bit for bit),
        # from one sort of the rows, without the tests, CIs and result objects
        observed, expected, variance, coef, se = logrank_cox(
            data.time, data.event, data.arm, stratum if analysis.stratified else None,
            analysis.ties)
        if variance[1, 1] > 0:
            z = (observed[1] - expected[1]) / np.sqrt(variance[1, 1])
        log_hr, se = float(coef[0]), float(se[0])
    return np.array([z, log_hr, se, events, data.analysis_month, len(data.time),
                     float(data.target_reached)])
