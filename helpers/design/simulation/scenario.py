"""A simulated two-arm trial design: accrual, stratified randomisation, hazards per arm and
stratum, dropout, and when the analysis happens.

Times in months from the first randomisation (calendar) or from a patient's randomisation
(event times). Arm 0 is the control, arm 1 the experimental arm. Constructors for the
scenarios a statistician asks about: :func:`proportional_hazards`, :func:`subgroup_effect`,
:func:`delayed_effect`, :func:`crossing_hazards`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from .hazards import CellHazards, HazardModel, PiecewiseExponential, Weibull


@dataclass(frozen=True)
class Accrual:
    """Patients enter over ``duration`` months; the accrual rate rises linearly from 0 to its
    plateau over the first ``ramp_up`` months (0: uniform accrual)."""

    duration: float
    ramp_up: float = 0.0

    def __post_init__(self):
        if not self.duration > 0 or not 0 <= self.ramp_up <= self.duration:
            raise ValueError(f"accrual needs duration > 0 and 0 <= ramp_up <= duration, got "
                             f"{self.duration!r}, {self.ramp_up!r}")

    def entry_times(self, u: np.ndarray) -> np.ndarray:
        """Entry months from uniform draws ``u`` (inverse of the accrual distribution)."""
        ramp, mass = self.ramp_up, self.duration - self.ramp_up / 2
        x = u * mass
        if ramp == 0:
            return x
        return np.where(x < ramp / 2, np.sqrt(2 * ramp * x), x + ramp / 2)


@dataclass(frozen=True)
class Scenario:
    """Everything that defines one simulated trial.

    ``strata_shares``: probability of each randomisation stratum (sums to 1), ``strata``
    their labels. ``hazards[arm][stratum]``: event-time model of arm 0 (control) and arm 1
    (experimental) in each stratum. ``allocation``: probability of the experimental arm;
    stratified permuted blocks of ``block_size`` (``block_size * allocation`` must be a whole
    number; 1 = simple randomisation). ``dropout_per_month``: exponential loss-to-follow-up
    hazard (control, experimental). Analysis at the ``target_events``-th event (all
    events if fewer occur) or at month ``calendar_cut``: exactly one of the two.
    """

    name: str
    n_patients: int
    accrual: Accrual
    strata_shares: tuple[float, ...]
    hazards: tuple[tuple[HazardModel, ...], tuple[HazardModel, ...]]
    target_events: int | None = None
    calendar_cut: float | None = None
    dropout_per_month: tuple[float, float] = (0.0, 0.0)
    allocation: float = 0.5
    block_size: int = 4
    strata: tuple[str, ...] = field(default=())

    def __post_init__(self):
        shares = tuple(map(float, self.strata_shares))
        object.__setattr__(self, "strata_shares", shares)
        if not self.strata:
            object.__setattr__(self, "strata", tuple(f"stratum {i + 1}" for i in range(len(shares))))
        problems = []
        if not isinstance(self.n_patients, (int, np.integer)) or self.n_patients < 2:
            problems.append(f"n_patients must be an integer >= 2, got {self.n_patients!r}")
        if not shares or min(shares) < 0 or abs(sum(shares) - 1) > 1e-9:
            problems.append(f"strata_shares must be non-negative and sum to 1, got {shares}")
        if len(self.strata) != len(shares):
            problems.append(f"{len(self.strata)} strata labels for {len(shares)} shares")
        if len(self.hazards) != 2 or any(len(arm) != len(shares) for arm in self.hazards):
            problems.append("hazards must hold two arms with one model per stratum each")
        if (self.target_events is None) == (self.calendar_cut is None):
            problems.append("give exactly one of target_events and calendar_cut")
        if self.target_events is not None and not 0 < self.target_events <= self.n_patients:
            problems.append(f"target_events must be in 1..n_patients, got {self.target_events!r}")
        if self.calendar_cut is not None and not self.calendar_cut > 0:
            problems.append(f"calendar_cut must be positive, got {self.calendar_cut!r}")
        if len(self.dropout_per_month) != 2 or min(self.dropout_per_month) < 0:
            problems.append(f"dropout_per_month must be two hazards >= 0, got "
                            f"{self.dropout_per_month!r}")
        if not 0 < self.allocation < 1:
            problems.append(f"allocation must be in (0, 1), got {self.allocation!r}")
        if self.block_size < 1 or not math.isclose(self.block_size * self.allocation,
                                                    round(self.block_size * self.allocation)):
            problems.append(f"block_size * allocation must be a whole number, got "
                            f"{self.block_size} * {self.allocation}")
        if problems:
            raise ValueError(f"scenario {self.name!r}: " + "; ".join(problems))

    @cached_property
    def cell_hazards(self) -> CellHazards:
        """The hazards compiled for sampling (cell = arm * n_strata + stratum)."""
        return CellHazards([m for arm in self.hazards for m in arm])

    @cached_property
    def strata_bounds(self) -> np.ndarray:
        """Upper bounds of the strata on [0, 1): a uniform draw u is stratum
        ``searchsorted(strata_bounds, u, side="right")``."""
        return np.cumsum(self.strata_shares)[:-1]

    def __getstate__(self):  # the compiled hazards are rebuilt where they are needed
        state = dict(self.__dict__)
        state.pop("cell_hazards", None)
        state.pop("strata_bounds", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)

    def replace(self, **changes) -> Scenario:
        """A copy with ``changes`` (dataclasses.replace)."""
        return replace(self, **changes)


def _base_model(median: float, weibull_shape: float | None) -> HazardModel:
    if weibull_shape is None:
        return PiecewiseExponential.from_median(median)
    return Weibull.from_median(median, weibull_shape)


def proportional_hazards(
    name: str,
    median_control: float,
    hazard_ratio: float,
    n_patients: int,
    accrual: Accrual,
    strata_shares: Sequence[float] = (1.0,),
    target_events: int | None = None,
    calendar_cut: float | None = None,
    stratum_hazard_ratios: Sequence[float] | None = None,
    weibull_shape: float | None = None,
    **options,
) -> Scenario:
    """Control arm exponential (or Weibull with ``weibull_shape``) with ``median_control``
    months, times ``stratum_hazard_ratios[s]`` in stratum s (prognostic strata; default 1);
    the experimental arm has ``hazard_ratio`` times the control hazard in every stratum.
    ``options``: further :class:`Scenario` fields (dropout, allocation, block size, labels).
    """
    shares = tuple(strata_shares)
    prognostic = tuple(stratum_hazard_ratios) if stratum_hazard_ratios is not None else (
        (1.0,) * len(shares))
    if len(prognostic) != len(shares):
        raise ValueError("stratum_hazard_ratios needs one ratio per stratum")
    control = tuple(_base_model(median_control, weibull_shape).scaled(r) for r in prognostic)
    experimental = tuple(m.scaled(hazard_ratio) for m in control)
    return Scenario(name, n_patients, accrual, shares, (control, experimental), target_events,
                    calendar_cut, **options)


def subgroup_effect(base: Scenario, responsive: Sequence[bool], hazard_ratio: float,
                    name: str | None = None) -> Scenario:
    """``base`` with the experimental arm equal to control except in the ``responsive`` strata,
    where its hazard is ``hazard_ratio`` times the control's (an effect confined to subgroups)."""
    if len(responsive) != len(base.strata_shares) or not any(responsive):
        raise ValueError("responsive needs one flag per stratum, at least one True")
    control = base.hazards[0]
    experimental = tuple(m.scaled(hazard_ratio) if hit else m for m, hit in zip(control, responsive))
    return base.replace(name=name or f"{base.name}: effect in subgroups only",
                        hazards=(control, experimental))


def _piecewise_effect(base: Scenario, starts, ratios, name: str) -> Scenario:
    control = base.hazards[0]
    if not all(isinstance(m, PiecewiseExponential) for m in control):
        raise ValueError("time-varying hazard ratios need piecewise-exponential control hazards")
    experimental = tuple(m.with_hazard_ratios(starts, ratios) for m in control)
    return base.replace(name=name, hazards=(control, experimental))


def delayed_effect(base: Scenario, delay_months: float, hazard_ratio: float,
                   name: str | None = None) -> Scenario:
    """No difference for the first ``delay_months``, then ``hazard_ratio`` (control hazards of
    ``base`` must be piecewise exponential)."""
    return _piecewise_effect(base, (0.0, delay_months), (1.0, hazard_ratio),
                             name or f"{base.name}: delayed effect")


def crossing_hazards(base: Scenario, early_months: float, early_hazard_ratio: float,
                     late_hazard_ratio: float, name: str | None = None) -> Scenario:
    """Hazard ratio ``early_hazard_ratio`` (> 1: e.g. operative risk) for the first
    ``early_months``, ``late_hazard_ratio`` afterwards."""
    return _piecewise_effect(base, (0.0, early_months), (early_hazard_ratio, late_hazard_ratio),
                             name or f"{base.name}: crossing hazards")
