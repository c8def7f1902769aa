"""Kaplan-Meier plot with a numbers-at-risk table aligned under the time axis."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.offsetbox import AnchoredText
from mpl_toolkits.axes_grid1 import make_axes_locatable

from ._style import PRINT_STYLE, add_figure_note, arm_colors
from .time_axis import NATURAL_STEPS, natural_ticks, probability_axes, time_axis_label

MAIN_LABEL = "km"
RISK_LABEL = "numbers at risk"
#: Tail rule: a curve is not drawn beyond the last time at which at least this many patients
#: of its arm are at risk (a value below 1 is a share of the arm's patients). An estimate
#: resting on a handful of patients swings on each event and is read with false confidence.
KM_TAIL_MIN_AT_RISK = 10


def tail_cut(curve: pd.DataFrame, min_at_risk: float | None) -> pd.DataFrame:
    """The rows of a survfit-style table (``time``, ``n_risk``) that the tail rule keeps: those
    with at least ``min_at_risk`` patients at risk (below 1: that share of the patients at
    risk at the first time). ``None`` or 0 keeps every row."""
    if not min_at_risk or "n_risk" not in curve.columns or len(curve) == 0:
        return curve
    table = curve.sort_values("time")
    threshold = min_at_risk * float(table["n_risk"].iloc[0]) if min_at_risk < 1 else min_at_risk
    return table[table["n_risk"].to_numpy(float) >= threshold]


def tail_note(min_at_risk: float | None) -> str | None:
    """The sentence stating the tail rule, for the figure's note; None without a rule."""
    if not min_at_risk:
        return None
    if min_at_risk < 1:
        return (f"Each curve stops where fewer than {min_at_risk:.0%} of its arm's patients "
                "remain at risk.")
    return f"Each curve stops where fewer than {min_at_risk:g} patients remain at risk in its arm."


#: The note a figure with median reference lines carries (its caption states them).
MEDIAN_LINES_NOTE = ("Dashed grey lines mark each arm's median (where its curve reaches 50%), "
                     "drawn for the arms whose median is reached within the drawn curve.")
#: Where the annotation box may go, in order, when median lines would run under it.
_ANNOTATION_PLACES = ("lower left", "lower center", "lower right", "center right", "center left")


def median_time(curve: pd.DataFrame) -> float | None:
    """The first time the curve's ``surv`` is at or below one half (the Kaplan-Meier median as
    drawn), None when the drawn curve does not reach it."""
    reached = curve.sort_values("time")
    reached = reached[reached["surv"].to_numpy(float) <= 0.5]
    return float(reached["time"].iloc[0]) if len(reached) else None


def draw_median_lines(ax, curves: Mapping[str, pd.DataFrame]) -> list[float]:
    """Dashed grey reference lines at 50% survival up to the last median reached and, from
    there down to the axis, at each arm's median (``median_time`` of the drawn curves); the
    medians drawn, in the order of ``curves``."""
    medians = [m for m in (median_time(c) for c in curves.values() if len(c)) if m is not None]
    style = {"color": "0.45", "lw": 0.8, "ls": (0, (4, 3)), "zorder": 1.5}
    if medians:
        ax.plot([0, max(medians)], [0.5, 0.5], **style)
        for m in medians:
            ax.plot([m, m], [0, 0.5], **style)
    return medians


def numbers_at_risk(curve: pd.DataFrame, times) -> pd.Series:
    """Numbers at risk at ``times`` (months) from a survfit-style table with ``time`` and
    ``n_risk`` (one row per distinct time): n_risk of the first row at or after t, 0 after the
    last time."""
    table = curve.sort_values("time")
    t = table["time"].to_numpy(float)
    n = table["n_risk"].to_numpy()
    idx = np.searchsorted(t, np.asarray(times, float), side="left")
    values = np.where(idx < len(t), n[np.minimum(idx, len(t) - 1)], 0)
    return pd.Series(values.astype(int), index=list(times))


def _step_data(curve: pd.DataFrame) -> pd.DataFrame:
    table = curve.sort_values("time").reset_index(drop=True)
    if len(table) == 0 or table["time"].iloc[0] > 0:
        start = pd.DataFrame({"time": [0.0], "surv": [1.0], "lower": [1.0], "upper": [1.0]})
        table = pd.concat([start, table], ignore_index=True)
    return table


def km_plot(
    curves: Mapping[str, pd.DataFrame],
    at_risk: pd.DataFrame | None = None,
    *,
    ax=None,
    colors: Mapping[str, object] | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str = "Overall survival",
    annotation: str | None = None,
    risk_times=None,
    xmax: float | None = None,
    show_ci: bool = True,
    annotation_loc: str = "lower left",
    figsize: tuple[float, float] = (7.0, 5.0),
    tail_min_at_risk: float | None = KM_TAIL_MIN_AT_RISK,
    time_unit: str | None = None,
    median_lines: bool = False,
):
    """Kaplan-Meier step curves per arm with censor marks (+), optional pointwise CI bands,
    a numbers-at-risk table under the time axis, and an annotation box.

    ``curves``: label -> survfit-style table with columns ``time`` (months), ``surv``,
    ``lower``, ``upper`` (CI at whatever level the caller computed), ``n_censor`` and, when
    ``at_risk`` is None, ``n_risk``. Curves start at (0, 1).
    ``at_risk``: DataFrame, index = curve labels, columns = times (months), values = numbers
    at risk; None computes it from ``n_risk`` at ``risk_times`` (default: natural steps of
    the unit, ``helpers.report.plots.time_axis.natural_ticks``: every 12 months, 180 days ...).
    ``time_unit``: the unit of ``time`` (default: the curves' ``attrs["time_unit"]``, set by
    ``EndpointAnalysis.curves()``, else months); ``xlabel`` defaults to "<Unit> since
    randomisation".
    ``labels``: curve key -> the name shown in the legend and the numbers-at-risk table (e.g.
    the arms' names, ``EndpointAnalysis.curve_labels()``); keys not in it show themselves.
    ``annotation``: text (e.g. medians, HR with CI, p), drawn in a box at ``annotation_loc``.
    ``tail_min_at_risk``: each curve stops at its last time with at least this many patients
    at risk (a value below 1: that share of the arm); ``None`` draws every curve to its end.
    The rule is attached to the figure as a note (``figure_notes``) for its caption.
    ``median_lines``: dashed reference lines at each arm's median (``draw_median_lines``; off
    by default, as journals print KM curves: the medians are in the annotation and the
    tables), stated in the figure's note; the annotation box moves to the first place of
    ``_ANNOTATION_PLACES`` (from ``annotation_loc``) where it covers no line.
    Draws on ``ax`` when given (the risk table is appended below it), else on a new
    ``figsize`` figure. Returns the Figure; its main Axes has label ``"km"`` and the
    numbers-at-risk Axes ``"numbers at risk"``.
    """
    shown = dict(labels or {})
    labels = list(curves)
    if time_unit is None:
        time_unit = next((c.attrs["time_unit"] for c in curves.values() if "time_unit" in c.attrs),
                         "months")
    if xlabel is None:
        xlabel = time_axis_label(time_unit)
    colors = dict(colors) if colors is not None else arm_colors(labels)
    full = curves
    curves = {label: tail_cut(curve, tail_min_at_risk) for label, curve in curves.items()}
    if xmax is None:
        last = max(float(c["time"].max()) if len(c) else 0.0 for c in curves.values())
        # the next natural step of the unit (months: the next whole year)
        steps = NATURAL_STEPS.get(time_unit, (1.0,))
        step = next((s for s in steps if max(last, steps[0]) / s <= 12), steps[-1])
        xmax = step * max(1.0, np.ceil(last / step - 1e-9))
    if at_risk is not None:
        risk_times = [float(t) for t in at_risk.columns]
    elif risk_times is None:
        risk_times = natural_ticks(xmax, time_unit)
    if at_risk is None:
        at_risk = pd.DataFrame({label: numbers_at_risk(full[label], risk_times) for label in labels}).T
    at_risk = at_risk.loc[[label for label in labels if label in at_risk.index]]

    with plt.rc_context(PRINT_STYLE):
        n_rows = len(at_risk)
        risk_ax = None
        if ax is None:
            fig, (ax, risk_ax) = plt.subplots(
                2, 1, sharex=True, figsize=figsize, layout="constrained",
                gridspec_kw={"height_ratios": [4.0, 0.3 * (n_rows + 1)], "hspace": 0.06},
            )
        fig = ax.figure
        ax.set_label(MAIN_LABEL)
        if tail_note(tail_min_at_risk):
            add_figure_note(fig, tail_note(tail_min_at_risk))
        for label in labels:
            steps = _step_data(curves[label])
            color = colors[label]
            ax.step(steps["time"], steps["surv"], where="post", color=color, lw=1.6,
                    label=shown.get(label, label))
            if show_ci and {"lower", "upper"} <= set(steps.columns):
                ax.fill_between(steps["time"], steps["lower"], steps["upper"], step="post",
                                color=color, alpha=0.15, lw=0)
            if "n_censor" in steps.columns:
                cens = steps[steps["n_censor"].fillna(0) > 0]
                ax.plot(cens["time"], cens["surv"], ls="none", marker="+", ms=6, mew=1.1,
                        color=color)
        probability_axes(ax, xmax, risk_times, 1.02, xlabel, ylabel)
        if title:
            ax.set_title(title, loc="left")
        ax.legend(loc="upper right", frameon=False, handlelength=1.8)
        if median_lines and draw_median_lines(ax, curves):
            add_figure_note(fig, MEDIAN_LINES_NOTE)
        if annotation:
            from .layout import layout_problems

            places = [annotation_loc, *[p for p in _ANNOTATION_PLACES if p != annotation_loc]]
            before = set(layout_problems(fig)) if median_lines else set()
            for place in places if median_lines else places[:1]:
                box = AnchoredText(annotation, loc=place, frameon=True, borderpad=0.6,
                                   prop={"size": PRINT_STYLE["font.size"] - 1})
                box.patch.set(edgecolor="0.6", facecolor="white", alpha=0.9,
                              boxstyle="round,pad=0.3")
                ax.add_artist(box)
                if not median_lines or not set(layout_problems(fig)) - before:
                    break
                if place != places[-1]:  # nowhere free: the last place stays (reported)
                    box.remove()

        if risk_ax is None:
            risk_ax = make_axes_locatable(ax).append_axes(
                "bottom", size=0.22 * (n_rows + 1), pad=0.6, sharex=ax
            )
        draw_risk_table(risk_ax, {label: [(t, f"{int(n)}") for t, n in
                                          zip(risk_times, at_risk.loc[label]) if t <= xmax]
                                  for label in at_risk.index}, colors, shown)
    return fig


def draw_risk_table(risk_ax, cells: Mapping[str, list[tuple[float, str]]],
                    colors: Mapping[str, object], shown: Mapping[str, str]) -> None:
    """The "Number at risk" table under a curve plot (KM here, cumulative incidence in
    ``cuminc``): one row per curve label of ``cells`` (label -> (time, printed count)), in the
    curve's colour, labelled by ``shown``; no ticks or frame."""
    labels = list(cells)
    risk_ax.set_label(RISK_LABEL)
    risk_ax.set_ylim(len(labels) - 0.5, -0.5)
    for row, label in enumerate(labels):
        for t, text in cells[label]:
            risk_ax.text(t, row, text, ha="center", va="center", color=colors.get(label, "black"))
    risk_ax.set_yticks(range(len(labels)), [shown.get(label, label) for label in labels])
    for tick, label in zip(risk_ax.get_yticklabels(), labels):
        tick.set_color(colors.get(label, "black"))
    risk_ax.tick_params(axis="both", length=0, labelbottom=False)
    risk_ax.tick_params(axis="y", pad=14)
    for spine in risk_ax.spines.values():
        spine.set_visible(False)
    risk_ax.set_title("Number at risk", loc="left", fontsize=PRINT_STYLE["font.size"],
                      fontweight="bold", pad=3)
