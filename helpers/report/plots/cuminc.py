"""Cumulative incidence curves of competing events by arm, with numbers at risk."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ._style import PRINT_STYLE, arm_colors
from .km import RISK_LABEL, draw_risk_table
from .time_axis import probability_axes

MAIN_LABEL = "cumulative incidence"
LINESTYLES = ("-", "--", ":", "-.")


def cuminc_plot(curves: Mapping[str, Mapping[str, pd.DataFrame]], at_risk: pd.DataFrame, *,
                labels: Mapping[str, str] | None = None, annotation: str | None = None,
                xlabel: str = "Months since randomisation",
                ylabel: str = "Cumulative incidence", xmax: float | None = None,
                figsize: tuple[float, float] = (7.0, 5.0)):
    """Step curves of the cumulative incidence (0-1, from 0 at time 0) of each event type
    (``curves``: event code -> arm -> table with ``time``, ``estimate``; the first event type
    solid, the others dashed/dotted) by arm (one colour per arm; the legend, above the axes in two
    columns, names the arms' colours and the event types' line styles), and the numbers at risk
    (``at_risk``: index arms, columns times; the x ticks; values drawn as given, e.g. the
    ARD's ``stat_fmt``) under the axis. ``labels``: arm ->
    name shown in the legend and the risk table. Returns the Figure; its main Axes has label
    ``"cumulative incidence"`` and the table's ``"numbers at risk"``; ``annotation`` (plain
    text, drawn literally) is set at the top of the figure, above the legend."""
    shown = dict(labels or {})
    arms = list(at_risk.index)
    colors = arm_colors(arms)
    times = [float(t) for t in at_risk.columns]
    if xmax is None:
        xmax = max(times)
    with plt.rc_context(PRINT_STYLE):
        fig, (ax, risk_ax) = plt.subplots(
            2, 1, sharex=True, figsize=figsize, layout="constrained",
            gridspec_kw={"height_ratios": [4.0, 0.3 * (len(arms) + 1)], "hspace": 0.06})
        ax.set_label(MAIN_LABEL)
        top = 0.0
        for i, (code, by_arm) in enumerate(curves.items()):
            for arm in arms:
                table = by_arm.get(arm)
                t = np.concatenate(([0.0], [] if table is None else table["time"].to_numpy(float)))
                f = np.concatenate(([0.0], [] if table is None else table["estimate"].to_numpy(float)))
                t, f = np.append(t, xmax), np.append(f, f[-1])
                top = max(top, float(f.max()))
                ax.step(t, f, where="post", color=colors[arm], lw=1.6,
                        ls=LINESTYLES[i % len(LINESTYLES)])
        probability_axes(ax, xmax, times, min(1.0, max(0.1, top * 1.15)), xlabel, ylabel)
        # above the axes, right: arms by colour, event types by line style (no curve covered)
        handles = [Line2D([], [], color=colors[arm], lw=1.6, label=shown.get(arm, arm))
                   for arm in arms]
        handles += [Line2D([], [], color="0.2", lw=1.6, ls=LINESTYLES[i % len(LINESTYLES)],
                           label=str(code)) for i, code in enumerate(curves)]
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.02), frameon=False,
                  handlelength=2.4, borderaxespad=0.0, ncol=2)
        if annotation:  # at the top, above the legend: curves leave no free corner for it
            fig.suptitle(annotation, x=0.02, ha="left", fontsize=PRINT_STYLE["font.size"] - 1,
                         linespacing=1.3)
        draw_risk_table(risk_ax, {arm: [(t, str(n)) for t, n in zip(times, at_risk.loc[arm])]
                                  for arm in arms}, colors, shown)
    return fig
