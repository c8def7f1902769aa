"""Simulated operating characteristics beside the analytic values: a table over scenarios and
a power curve over effect sizes (plotted by ``helpers.report.plots.power``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.design.simulation.analytic import analytic_power
from helpers.design.simulation.runner import simulate
from helpers.design.simulation.scenario import Scenario
from helpers.design.simulation.trial import Analysis


def operating_characteristics(scenarios: Mapping[str, Scenario], replicates: int, seed: int,
                              analysis: Analysis = Analysis(), **run) -> pd.DataFrame:
    """One row per scenario, indexed by its key: simulated rejection rate (power, or type I
    error without an effect) with its Monte-Carlo SE, Schoenfeld's value (``analytic``) where
    it applies, the mean Cox HR, events and analysis month (columns of
    :class:`~.summary.OperatingCharacteristics`). The ``i``-th scenario uses seed
    ``seed + i``; ``run``: options of :func:`~.runner.simulate` (backend, workers, address,
    progress)."""
    rows = {}
    for i, (key, scenario) in enumerate(scenarios.items()):
        oc, _ = simulate(scenario, replicates, seed + i, analysis, **run)
        rows[key] = {**oc.to_dict(), "analytic": analytic_power(scenario, analysis)}
    return pd.DataFrame.from_dict(rows, orient="index")


def simulated_power_curve(base: Scenario, hazard_ratios: Sequence[float], replicates: int,
                          seed: int, analysis: Analysis = Analysis(), **run) -> pd.DataFrame:
    """Simulated power of ``base`` with its experimental hazards set to ``hazard_ratios`` times
    the control's (proportional hazards), beside Schoenfeld's: columns hazard_ratio,
    rejection_rate, mc_se, analytic, z_vs_analytic (difference in Monte-Carlo SEs; NaN when
    the SE is 0)."""
    rows = []
    for i, hr in enumerate(hazard_ratios):
        control = base.hazards[0]
        scenario = base.replace(name=f"HR {hr:g}",
                                hazards=(control, tuple(m.scaled(hr) for m in control)))
        oc, _ = simulate(scenario, replicates, seed + i, analysis, **run)
        rows.append({"hazard_ratio": hr, "rejection_rate": oc.rejection_rate,
                     "mc_se": oc.mc_se, "analytic": analytic_power(scenario, analysis)})
    curve = pd.DataFrame(rows)
    se = curve["mc_se"].where(curve["mc_se"] > 0)
    curve["z_vs_analytic"] = (curve["rejection_rate"] - curve["analytic"]) / se
    return curve


def hazard_ratio_grid(planning_hr: float, low: float = 0.6, points: int = 5) -> np.ndarray:
    """``points`` hazard ratios from ``low`` to 1 including ``planning_hr``, rounded to 0.01."""
    grid = np.round(np.linspace(low, 1.0, points), 2)
    return np.unique(np.append(grid, round(planning_hr, 2)))
