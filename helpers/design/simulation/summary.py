"""Operating characteristics accumulated over streamed batches of simulated trials.

Only sums and counts are kept (memory flat in the number of replicates). Sums are left
folds over the replicates in replicate order (not numpy's pairwise sums per batch), so they
do not depend on the batch size, the backend or the number of workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from helpers.survival.results import JsonResult

from .trial import STATISTICS, Analysis

_COL = {name: i for i, name in enumerate(STATISTICS)}


@dataclass(frozen=True)
class OperatingCharacteristics(JsonResult):
    """Simulated operating characteristics of one scenario.

    ``rejection_rate``: share of trials whose stratified log-rank test rejects (power, or type
    I error under H0), ``mc_se`` its Monte-Carlo standard error ``sqrt(p (1 - p) / n)``;
    ``cox_ci_below_1``: share whose Cox CI (``conf_level``) lies below 1;
    ``mean_hr``: exp(mean log HR) of the Cox estimates; ``mean_events``,
    ``mean_analysis_month``: means over trials; ``target_missed``: trials with fewer events
    than targeted (analysed with all their events); ``failed``: trials without a test (NaN).
    """

    scenario: str
    replicates: int
    seed: int
    alpha: float
    sided: int
    conf_level: float
    rejections: int
    rejection_rate: float
    mc_se: float
    cox_ci_below_1: float
    mean_hr: float
    mean_events: float
    mean_analysis_month: float
    target_missed: int
    failed: int



def _fold(total: float, values: np.ndarray) -> float:
    """``total + v0 + v1 + ...`` left to right (independent of how replicates are batched)."""
    for value in values.tolist():
        total += value
    return total


class Accumulator:
    """Running sums of the per-replicate statistics (:data:`~.trial.STATISTICS` columns)."""

    def __init__(self, analysis: Analysis):
        self.analysis = analysis
        self.n = self.rejections = self.cox_below = self.missed = self.failed = 0
        self.sum_log_hr = self.sum_events = self.sum_month = 0.0
        self._n_log_hr = 0
        self._zq = float(ndtri((1 + analysis.conf_level) / 2))

    def add(self, stats: np.ndarray) -> None:
        """Add one batch (rows = replicates, in replicate order)."""
        z, log_hr, se = stats[:, _COL["z_logrank"]], stats[:, _COL["log_hr"]], stats[:, _COL["se_log_hr"]]
        self.n += len(stats)
        self.rejections += int(self.analysis.rejects(z).sum())
        with np.errstate(invalid="ignore"):
            self.cox_below += int((log_hr + self._zq * se < 0).sum())
        finite = np.isfinite(log_hr)
        self.sum_log_hr = _fold(self.sum_log_hr, log_hr[finite])
        self._n_log_hr += int(finite.sum())
        self.sum_events = _fold(self.sum_events, stats[:, _COL["events"]])
        self.sum_month = _fold(self.sum_month, stats[:, _COL["analysis_month"]])
        self.missed += int((stats[:, _COL["target_reached"]] == 0).sum())
        self.failed += int((~np.isfinite(z)).sum())

    def result(self, scenario: str, seed: int) -> OperatingCharacteristics:
        n = self.n
        rate = self.rejections / n if n else math.nan
        a = self.analysis
        return OperatingCharacteristics(
            scenario=scenario, replicates=n, seed=seed, alpha=a.alpha, sided=a.sided,
            conf_level=a.conf_level, rejections=self.rejections, rejection_rate=rate,
            mc_se=math.sqrt(rate * (1 - rate) / n) if n else math.nan,
            cox_ci_below_1=self.cox_below / n if n else math.nan,
            mean_hr=math.exp(self.sum_log_hr / self._n_log_hr) if self._n_log_hr else math.nan,
            mean_events=self.sum_events / n if n else math.nan,
            mean_analysis_month=self.sum_month / n if n else math.nan,
            target_missed=self.missed, failed=self.failed)
