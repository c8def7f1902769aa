"""The hazard-ratio axis of a forest plot: log scale, plain tick labels, a "favours" caption on
each side of HR = 1. Shared by the forest plots (helpers.report.plots.forest, helpers.report.plots.meta_forest)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, NullLocator

TICKS = (0.1, 0.125, 0.25, 0.5, 1, 2, 4, 8)


def hazard_ratio_axis(ax, xlim: tuple[float, float], xlabel: str, favours: tuple[str, str]) -> None:
    """Log x axis on ``xlim`` with ticks from ``TICKS``, no y axis or frame but the bottom,
    ``xlabel`` and ``favours`` (left, right of 1) under the axis."""
    ax.set_xscale("log")
    ax.set_xlim(xlim)
    ticks: list[float] = []
    for t in sorted((t for t in TICKS if xlim[0] <= t <= xlim[1]), reverse=True):
        if not ticks or ticks[-1] / t >= 1.5:  # 0.125 and 0.1 side by side: their labels touch
            ticks.append(t)
    ax.xaxis.set_major_locator(FixedLocator(sorted(ticks)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(xlabel)
    trans = ax.get_xaxis_transform()
    ax.annotate(f"← {favours[0]}", (1.0, 0), xycoords=trans, xytext=(-4, -22),
                textcoords="offset points", ha="right", va="top")
    ax.annotate(f"{favours[1]} →", (1.0, 0), xycoords=trans, xytext=(4, -22),
                textcoords="offset points", ha="left", va="top")
    ax.xaxis.labelpad = 20
