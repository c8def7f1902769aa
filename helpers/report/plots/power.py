"""The design's power curve (Schoenfeld, ``helpers.design.sample_size.power_for_events``) against
the true hazard ratio, and simulated power points on top of it
(``helpers.analyses.design_simulation.simulated_power_curve``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from helpers.design.sample_size import PLANNING_HR, power_for_events
from helpers.report.plots._style import PRINT_STYLE

__all__ = ["add_simulated_power", "power_curve_plot"]

PLOT_STYLE = {**PRINT_STYLE, "legend.fontsize": 8.5}  # the supplement's print style


def power_curve_plot(
    events: int = 359,
    observed_hr: float | None = None,
    observed_events: int | None = None,
    ax=None,
    alpha: float = 0.05,
    planning_hr: float = PLANNING_HR,
    hr_range: tuple[float, float] = (0.55, 1.0),
    labels: dict[str, str] | None = None,
    xlabel: str = "Hazard ratio assumed true (experimental vs control arm)",
    events_word: str = "events",
):
    """Power (one-sided ``alpha``) against the true HR for ``events`` events.

    Marks the planning HR with its power, the observed HR (vertical line), and, when
    ``observed_events`` is given, the power curve at the observed number of events with the
    power at the planning HR. The HR axis increases left to right; power falls towards HR 1,
    so the labels sit above and right of the design point and below and left of the observed
    one, clear of the curves. ``labels`` ("design", "observed", "observed_hr") replaces the
    annotations' texts (e.g. ``helpers.report.design.power_labels``: the numbers of the run's
    ARD); ``events_word``: what the events are ("deaths"), in the curves' legend. Returns the
    Axes.
    """
    labels = labels or {}
    with plt.rc_context(PLOT_STYLE):
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 4.2), layout="constrained")
        grid = np.linspace(hr_range[0], hr_range[1], 301)
        # the points' values are in the legend (above the plot), never written over the curves
        p_plan = power_for_events(planning_hr, events, alpha)
        ax.plot(grid, power_for_events(grid, events, alpha), color="#1f4e79", lw=1.8,
                label=f"{events} {events_word} (design)")
        ax.plot([planning_hr], [p_plan], "o", color="#1f4e79", ms=6, zorder=3,
                label=labels.get("design", f"planning HR {planning_hr:g}: power {p_plan:.0%}"))
        if observed_events is not None:
            ax.plot(grid, power_for_events(grid, observed_events, alpha), color="#b35806", lw=1.5,
                    ls="--", label=f"{observed_events} {events_word} (observed)")
            p_obs = power_for_events(planning_hr, observed_events, alpha)
            ax.plot([planning_hr], [p_obs], "s", color="#b35806", ms=6, zorder=3,
                    label=labels.get("observed", f"power {p_obs:.0%} at HR {planning_hr:g} with "
                                                 f"{observed_events} {events_word}"))
        if observed_hr is not None:
            ax.axvline(observed_hr, color="0.35", lw=1, ls=":")
            # the label where the curves are not: at the top when they are low at the observed
            # HR, else at the bottom
            low = power_for_events(observed_hr, events, alpha) < 0.5
            ax.annotate(labels.get("observed_hr", f"observed HR {observed_hr:.2f}"),
                        (observed_hr, 0.98 if low else 0.02), xytext=(4, 0),
                        textcoords="offset points", ha="left", va="top" if low else "bottom",
                        color="0.25")
        ax.axhline(0.8, color="0.75", lw=0.8, zorder=0)
        ax.set_xlim(hr_range)
        ax.set_ylim(0, 1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"Power (one-sided alpha {alpha:g})")
        ax.yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
        _legend_above(ax)
    return ax


def _legend_above(ax) -> None:
    """The legend in two columns above the plot area, where it covers nothing."""
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=2, frameon=False,
              borderaxespad=0.0, handlelength=1.8)



def add_simulated_power(ax, curve: pd.DataFrame, label: str = "simulated (± 2 MC SE)"):
    """Simulated power points with ± 2 Monte-Carlo SE bars on an existing power-curve Axes
    (e.g. :func:`helpers.design.sample_size.power_curve_plot`); returns the Axes."""
    ax.errorbar(curve["hazard_ratio"], curve["rejection_rate"], yerr=2 * curve["mc_se"],
                fmt="D", color="#2d7f3e", ms=4.5, capsize=2.5, lw=1, zorder=4, label=label)
    _legend_above(ax)
    return ax
