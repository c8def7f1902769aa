"""Event-time distributions of a simulated trial: piecewise-exponential and Weibull hazards.

Times in months. Each model draws times by inverting its cumulative hazard at unit
exponential draws ``E`` (``T = H^{-1}(E)``). :class:`CellHazards` holds one model per
(arm, stratum) cell and draws all patients' times in one vectorised pass: numpy has no
piecewise-exponential sampler and lifelines none that is vectorised over cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PiecewiseExponential:
    """Hazard ``rates[j]`` (per month) on ``[starts[j], starts[j+1])``; ``starts[0] == 0``,
    the last rate holds for ever (a rate of 0 there gives a cured fraction)."""

    starts: tuple[float, ...]
    rates: tuple[float, ...]

    def __post_init__(self):
        starts, rates = tuple(map(float, self.starts)), tuple(map(float, self.rates))
        if not starts or starts[0] != 0 or len(starts) != len(rates):
            raise ValueError("starts must begin at 0 and have one rate each")
        if any(b <= a for a, b in zip(starts, starts[1:])):
            raise ValueError(f"starts must increase, got {starts}")
        if any(not math.isfinite(r) or r < 0 for r in rates):
            raise ValueError(f"rates must be finite and non-negative, got {rates}")
        object.__setattr__(self, "starts", starts)
        object.__setattr__(self, "rates", rates)

    @classmethod
    def from_median(cls, median: float) -> PiecewiseExponential:
        """Exponential survival with ``median`` months."""
        if median <= 0:
            raise ValueError(f"median must be positive, got {median!r}")
        return cls((0.0,), (math.log(2) / median,))

    def with_hazard_ratios(self, starts: Sequence[float], ratios: Sequence[float]):
        """This hazard multiplied by ``ratios[j]`` from month ``starts[j]`` on (``starts[0]``
        = 0): delayed effects (ratio 1 then < 1) and crossing hazards (> 1 then < 1)."""
        ratio_model = PiecewiseExponential(starts, ratios)
        grid = sorted(set(self.starts) | set(ratio_model.starts))
        return PiecewiseExponential(
            grid, [self.hazard(t) * ratio_model.hazard(t) for t in grid])

    def scaled(self, hazard_ratio: float) -> PiecewiseExponential:
        """Proportional hazards: every rate times ``hazard_ratio``."""
        return PiecewiseExponential(self.starts, [r * hazard_ratio for r in self.rates])

    def hazard(self, t: float) -> float:
        """The hazard at month ``t`` (right-continuous)."""
        return self.rates[int(np.searchsorted(self.starts, t, side="right")) - 1]

    def cumulative_hazard(self, t):
        """H(t), vectorised over ``t``."""
        t = np.asarray(t, dtype=float)
        starts, rates = np.asarray(self.starts), np.asarray(self.rates)
        widths = np.clip(t[..., None] - starts, 0, np.r_[np.diff(starts), np.inf])
        return (widths * rates).sum(axis=-1)


@dataclass(frozen=True)
class Weibull:
    """Weibull survival ``S(t) = exp(-(t / scale)^shape)``, ``scale`` in months."""

    shape: float
    scale: float

    def __post_init__(self):
        if not (self.shape > 0 and self.scale > 0):
            raise ValueError(f"shape and scale must be positive, got {self.shape}, {self.scale}")

    @classmethod
    def from_median(cls, median: float, shape: float) -> Weibull:
        """Weibull with the given median (months) and ``shape``."""
        return cls(shape, median / math.log(2) ** (1 / shape))

    def scaled(self, hazard_ratio: float) -> Weibull:
        """Proportional hazards: ``scale * hazard_ratio^(-1/shape)``."""
        return Weibull(self.shape, self.scale * hazard_ratio ** (-1 / self.shape))

    def cumulative_hazard(self, t):
        return (np.asarray(t, dtype=float) / self.scale) ** self.shape


HazardModel = PiecewiseExponential | Weibull


class CellHazards:
    """One hazard model per cell (cells numbered ``arm * n_strata + stratum``), compiled into
    arrays so that :meth:`sample` draws every patient's time in one pass."""

    def __init__(self, models: Sequence[HazardModel]):
        self.models = tuple(models)
        for m in self.models:
            if not isinstance(m, (PiecewiseExponential, Weibull)):
                raise TypeError(f"expected PiecewiseExponential or Weibull, got {m!r}")
        self.is_weibull = np.array([isinstance(m, Weibull) for m in self.models])
        pe = [m for m in self.models if isinstance(m, PiecewiseExponential)]
        grid = np.array(sorted({s for m in pe for s in m.starts}) or [0.0])
        # per cell: rates on the common grid and the cumulative hazard at its starts
        self.grid = grid
        self.rates = np.array([[m.hazard(t) for t in grid] if isinstance(m, PiecewiseExponential)
                               else np.ones(len(grid)) for m in self.models])
        self.cum = np.zeros_like(self.rates)
        self.cum[:, 1:] = np.cumsum(self.rates[:, :-1] * np.diff(grid), axis=1)
        self.shape = np.array([m.shape if isinstance(m, Weibull) else 1.0 for m in self.models])
        self.scale = np.array([m.scale if isinstance(m, Weibull) else 1.0 for m in self.models])
        self.any_weibull = bool(self.is_weibull.any())

    def sample(self, cell: np.ndarray, unit_exponential: np.ndarray) -> np.ndarray:
        """Event times (months) of patients in cells ``cell`` from unit-exponential draws."""
        e = unit_exponential
        with np.errstate(divide="ignore"):  # rate 0: never (inf)
            if len(self.grid) == 1:  # one piece: grid[0] = cum = 0, the general line below
                t = e / self.rates[cell, 0]  # without its exact no-ops (0 + (e - 0) / rate)
            else:
                cum = self.cum[cell]
                j = (e[:, None] >= cum[:, 1:]).sum(axis=1)
                t = self.grid[j] + (e - cum[np.arange(len(e)), j]) / self.rates[cell, j]
        if self.any_weibull:
            w = self.is_weibull[cell]
            t[w] = self.scale[cell[w]] * e[w] ** (1 / self.shape[cell[w]])
        return t
