"""Forest plot of the trials' hazard ratios with the pooled estimate (log axis).

Every trial is drawn with its CI at the chapter's level (``conf_level``, 95%) whatever level
it published: the CI is rebuilt from log HR ± z·SE, the SE from the published CI
(:func:`helpers.meta.trials.se_from_ci`). Squares have area proportional to the trial's weight
in the pooled estimate; rows not pooled (uncertain versions; this trial's published value beside
this run's) are drawn hollow and grey. Below: the pooled diamond and its prediction interval.
The subgroup forest plot (helpers.report.plots.forest) has another layout (events/n per arm,
interaction p), hence this separate function.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import norm

from helpers.meta.forest import NOT_POOLED, POOLED, forest_table, trial_weights  # noqa: F401 (re-exported)
from helpers.meta.pooling import PooledEstimate
from helpers.meta.trials import TrialTable
from helpers.report.plots._style import PRINT_STYLE
from helpers.report.plots.hr_axis import hazard_ratio_axis
from helpers.report.tables.meta import version_label



def trial_forest_plot(table: pd.DataFrame, result: PooledEstimate, *, conf_level: float = 0.95,
                      xlabel: str = "Hazard ratio of death (experimental vs control)",
                      favours: tuple[str, str] = ("Favours experimental", "Favours control"),
                      ax=None, data: TrialTable | None = None):
    """Draw :func:`forest_table` rows and the pooled ``result`` (diamond: CI; line beneath:
    prediction interval); versions named from the trial table ``data``. Returns the Axes
    (label ``"meta forest"``)."""
    n = len(table)
    with plt.rc_context(PRINT_STYLE):
        if ax is None:
            fig, ax = plt.subplots(figsize=(7.6, 0.3 * (n + 4) + 1.0))
        fig = ax.figure
        ax.set_label("meta forest")
        lows = [*table["lower"], result.hr_lower, float(np.exp(result.pi_lower))]
        highs = [*table["upper"], result.hr_upper, float(np.exp(result.pi_upper))]
        xlim = (max(min(min(lows), 0.5) * 0.85, 0.05), min(max(max(highs), 2.0) * 1.15, 20.0))
        for y, r in enumerate(table.itertuples(index=False)):
            pooled = r.status == POOLED
            color = "#1f4e79" if pooled else "0.55"
            ax.hlines(y, max(r.lower, xlim[0]), min(r.upper, xlim[1]), color=color, lw=1.2)
            size = 20 + 4 * r.weight if pooled else 30
            ax.scatter([r.hr], [y], s=size, marker="s", zorder=3,
                       facecolors=color if pooled else "white", edgecolors=color)
            name = f"{r.label} {r.year} ({version_label(r.version, data)})"
            ax.text(-0.02, y, name, transform=ax.get_yaxis_transform(), ha="right", va="center",
                    color="black" if pooled else "0.4")
            weight = f"{r.weight:.1f}%" if pooled else f"{r.status} ({r.reason})" if r.reason else r.status
            ax.text(1.02, y, f"{r.hr:.2f} ({r.lower:.2f}–{r.upper:.2f})   {weight}",
                    transform=ax.get_yaxis_transform(), ha="left", va="center",
                    color="black" if pooled else "0.4")
        yd = n + 0.6
        diamond = np.array([[result.hr_lower, yd], [result.hr, yd - 0.35],
                            [result.hr_upper, yd], [result.hr, yd + 0.35]])
        ax.fill(diamond[:, 0], diamond[:, 1], color="black", zorder=3)
        ax.hlines(yd + 0.75, float(np.exp(result.pi_lower)), float(np.exp(result.pi_upper)),
                  color="black", lw=2.5)
        ax.text(-0.02, yd, f"Pooled: {result.label} (k = {result.k})",
                transform=ax.get_yaxis_transform(), ha="right", va="center", fontweight="bold")
        ax.text(-0.02, yd + 0.75, f"{conf_level:.0%} prediction interval",
                transform=ax.get_yaxis_transform(), ha="right", va="center")
        ax.text(1.02, yd, f"{result.hr:.2f} ({result.hr_lower:.2f}–{result.hr_upper:.2f})",
                transform=ax.get_yaxis_transform(), ha="left", va="center", fontweight="bold")
        ax.text(1.02, yd + 0.75, f"{np.exp(result.pi_lower):.2f}–{np.exp(result.pi_upper):.2f}",
                transform=ax.get_yaxis_transform(), ha="left", va="center")
        ax.text(1.02, -1.1, f"HR ({conf_level:.0%} CI)   weight", transform=ax.get_yaxis_transform(),
                ha="left", va="center", fontweight="bold")
        ax.vlines(1.0, -0.6, yd + 1.0, color="0.3", lw=0.9, zorder=1)
        hazard_ratio_axis(ax, xlim, xlabel, favours)
        ax.set_ylim(yd + 1.3, -1.6)
        fig.subplots_adjust(left=0.42, right=0.68, bottom=1.0 / fig.get_figheight(), top=0.95)
    return ax
