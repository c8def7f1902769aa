"""The time axis of the Kaplan-Meier figures in the study's display unit: its title ("Days
since randomisation") and the times of the numbers-at-risk table at natural steps of the unit
(days 90/180/365/730, weeks 4/13/26/52, months 6/12/24, years 1/2/5)."""

from __future__ import annotations

import numpy as np

__all__ = ["NATURAL_STEPS", "natural_ticks", "probability_axes", "time_axis_label", "unit_title"]

#: Candidate steps of the numbers-at-risk times per display unit, smallest first.
NATURAL_STEPS = {
    "days": (30.0, 90.0, 180.0, 365.0, 730.0, 1825.0),
    "weeks": (4.0, 13.0, 26.0, 52.0, 104.0, 260.0),
    "months": (3.0, 6.0, 12.0, 24.0, 60.0),
    "years": (0.5, 1.0, 2.0, 5.0, 10.0),
}


def unit_title(unit: str) -> str:
    """"days" -> "Days" (the display unit as an axis or column title)."""
    return unit[:1].upper() + unit[1:]


def time_axis_label(unit: str) -> str:
    """"Days since randomisation" for ``unit`` "days"."""
    return f"{unit_title(unit)} since randomisation"


def natural_ticks(xmax: float, unit: str, max_intervals: int = 12) -> list[float]:
    """Times 0, s, 2s, ... <= ``xmax`` with the smallest natural step s of ``unit`` giving at
    most ``max_intervals`` intervals (months: every 12 up to 12 years of follow-up)."""
    steps = NATURAL_STEPS.get(unit)
    if steps is None:
        raise ValueError(f"unknown display unit {unit!r}; expected one of {', '.join(NATURAL_STEPS)}")
    step = next((s for s in steps if xmax / s <= max_intervals), steps[-1])
    return list(np.arange(0, xmax + 1e-9, step))


def probability_axes(ax, xmax: float, ticks, top: float, xlabel: str, ylabel: str) -> None:
    """The axes of a curve of probabilities over time (Kaplan-Meier, cumulative incidence):
    x from 0 to ``xmax`` with ticks at ``ticks`` (the numbers-at-risk times) labelled as plain
    numbers, y from 0 to ``top`` labelled in percent."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import PercentFormatter

    ax.set_xlim(0, xmax)
    ax.set_ylim(0, top)
    ax.set_xticks(ticks)
    ax.tick_params(axis="x", labelbottom=True)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
