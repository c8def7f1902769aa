"""Subgroup forest plot: HR with CI on a log axis, n and events per arm, interaction p."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from mpl_toolkits.axes_grid1 import make_axes_locatable

from helpers.report.format import format_p
from ._style import add_figure_note
from .hr_axis import hazard_ratio_axis
from ._style import PRINT_STYLE

REQUIRED = ["variable", "level", "n_control", "n_experimental", "events_control",
            "events_experimental", "hr", "lower", "upper"]
OVERALL = {"all patients", "all", "overall"}
#: Subgroup labels longer than this (characters) wrap onto more lines of their row.
LABEL_WIDTH = 26


def overall_note(conf_level: float, strata, primary: Mapping | None) -> str | None:
    """A note when the forest plot's overall row may not be the primary analysis: it is
    stratified otherwise or at another CI level. ``primary``: ``conf_level`` and, when known,
    ``strata``, ``hr``, ``lower``, ``upper`` and ``where`` (e.g. "@tbl-os-cox") of the primary
    analysis; without ``strata`` the rows are assumed to differ. None: no note."""
    if primary is None:
        return None
    strata = list(strata or [])
    known = "strata" in primary
    primary_strata = list(primary.get("strata") or [])
    if known and strata == primary_strata and math.isclose(conf_level, primary["conf_level"]):
        return None
    how = f"stratified by {', '.join(strata)}" if strata else "unstratified"
    details = [f"{primary['conf_level']:.0%} CI"]
    if known:
        details.insert(0, f"stratified by {', '.join(primary_strata)}" if primary_strata
                       else "unstratified")
    result = (f" gives HR {primary['hr']:.2f} ({primary['lower']:.2f}–{primary['upper']:.2f})"
              if "hr" in primary else "")
    where = f"; {primary['where']}" if primary.get("where") else ""
    return (f"All patients: {how} Cox model, {conf_level:.0%} CI; not the primary analysis "
            f"({', '.join(details)}{where}){result}.")


def _fmt_p(p) -> str:
    """The interaction p as in the tables (``format_p``); blank when there is none."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return format_p(p)


def _given(row: dict, column: str, default: str) -> str:
    """The printed text of ``column`` when the table gives it, else ``default``."""
    value = row.get(column)
    return value if isinstance(value, str) and value else default


def forest_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Layout rows of the forest plot, top to bottom: the overall row first (variable or level
    "All patients"), then per variable a header row (with its ``p_interaction``) and one row
    per level. Columns: kind ("overall", "header", "level"), text, the input columns."""
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"forest table lacks columns {missing}")
    is_overall = table["variable"].astype(str).str.lower().isin(OVERALL) | table["level"].astype(
        str).str.lower().isin(OVERALL)
    rows = []
    for _, r in table[is_overall].iterrows():
        label = r.get("label")
        rows.append({**r.to_dict(), "kind": "overall",
                     "text": label if isinstance(label, str) and label else "All patients"})
    for variable, group in table[~is_overall].groupby("variable", sort=False):
        p = group["p_interaction"].dropna().iloc[0] if "p_interaction" in group and group[
            "p_interaction"].notna().any() else np.nan
        title = group["label"].iloc[0] if "label" in group and pd.notna(group["label"].iloc[0]) \
            else variable
        header = {"variable": variable, "kind": "header", "text": str(title), "p_interaction": p,
                  "hr": np.nan}
        if "p_text" in group:  # the printed p (report layer, from the ARD)
            header["p_text"] = group["p_text"].iloc[0]
        rows.append(header)
        for _, r in group.iterrows():
            rows.append({**r.to_dict(), "kind": "level", "text": f"   {r['level']}"})
    out = pd.DataFrame(rows)
    out["text"] = [textwrap.fill(t, LABEL_WIDTH, subsequent_indent="   " if t.startswith("   ") else "")
                   for t in out["text"]] if len(out) else out.get("text")
    return out


def forest_plot(
    table: pd.DataFrame,
    *,
    ax=None,
    conf_level: float = 0.95,
    xlabel: str = "Hazard ratio (arm B vs arm A)",
    arm_labels: tuple[str, str] = ("Arm A", "Arm B"),
    favours: tuple[str, str] = ("Favours arm B", "Favours arm A"),
    xlim: tuple[float, float] | None = None,
    strata=None,
    primary: Mapping | None = None,
):
    """Forest plot of subgroup hazard ratios (experimental vs control) with ``conf_level`` CIs.

    ``table`` columns: variable, level, n_control, n_experimental, events_control,
    events_experimental, hr, lower, upper, and optionally p_interaction (one value per
    variable, repeated on its rows) and label (display name of the variable), as
    ``helpers.survival.subgroup_analysis(...).table``. A row whose variable or level is "All patients" is drawn
    first. Squares have area proportional to the subgroup's n; whiskers beyond ``xlim`` end in
    arrows; rows with NaN HR show "NE". Text columns: events/n per arm (left), HR (CI) and
    interaction p (right). Returns the forest Axes (label ``"forest"``); its figure holds the
    text Axes ``"forest text left"`` and ``"forest text right"``.
    Optional printed-text columns (the report layer's, from the ARD) replace the numbers'
    own formatting: ``hr_text`` ("0.87 (0.70–1.08)" or "NE"), ``p_text`` (the interaction p),
    ``text_control`` / ``text_experimental`` (events/n). The overall row shows its ``label``.
    Levels keep the order of ``table``; labels longer than ``LABEL_WIDTH`` characters wrap
    and their row grows. ``strata``: the overall row's stratification (None or empty:
    unstratified); with ``primary`` (hr, lower, upper, conf_level, strata of the primary
    analysis) a note under the plot says when the overall row differs from it.
    """
    rows = forest_rows(table)
    # per-arm medians (``median_text_*``, printed values): "events/n, median" in a wider panel
    with_median = "median_text_control" in rows
    x_arm = (0.56, 0.84) if with_median else (0.68, 0.9)
    left_width = 4.2 if with_median else 3.4
    heights = np.array([t.count("\n") + 1 for t in rows["text"]], float) if len(rows) else np.array([])
    y = np.cumsum(heights) - heights + (heights - 1) / 2
    n_rows = float(heights.sum())
    finite = rows[rows["hr"].notna()]
    if xlim is None:
        lo = np.nanmin(finite[["lower", "hr"]].to_numpy(float)) if len(finite) else 0.5
        hi = np.nanmax(finite[["upper", "hr"]].to_numpy(float)) if len(finite) else 2.0
        lo = max(min(lo, 0.5) * 0.9, 0.1)
        hi = min(max(hi, 2.0) * 1.1, 10.0)
        xlim = (lo, hi)

    with plt.rc_context(PRINT_STYLE):
        height = 0.27 * (n_rows + 2) + 1.0
        note = overall_note(conf_level, strata, primary)
        created = ax is None
        if ax is None:
            fig, (left, ax, right) = plt.subplots(
                1, 3, sharey=True, figsize=(7.4 + left_width - 3.4, height),
                gridspec_kw={"width_ratios": [left_width, 2.1, 1.9], "wspace": 0.0},
            )
            fig.subplots_adjust(left=0.02, right=0.98, bottom=0.95 / height, top=1 - 0.1 / height)
        else:
            divider = make_axes_locatable(ax)
            left = divider.append_axes("left", size=left_width, pad=0.0, sharey=ax)
            right = divider.append_axes("right", size=2.3, pad=0.0, sharey=ax)
        fig = ax.figure
        ax.set_label("forest")
        left.set_label("forest text left")
        right.set_label("forest text right")
        for text_ax in (left, right):
            text_ax.set_axis_off()

        n_max = np.nanmax(pd.concat([rows["n_control"], rows["n_experimental"]], axis=1)
                          .sum(axis=1, min_count=1).to_numpy(float)) if n_rows else 1.0
        for yi, r in zip(y, rows.itertuples(index=False)):
            bold = "bold" if r.kind in ("overall", "header") else "normal"
            left.text(0.0, yi, r.text, ha="left", va="center", fontweight=bold)
            printed = r._asdict()
            if r.kind == "header":
                p_text = printed.get("p_text")
                right.text(0.98, yi, p_text if isinstance(p_text, str) else _fmt_p(r.p_interaction),
                           ha="right", va="center")
                continue
            for x, side, events, n in ((x_arm[0], "control", r.events_control, r.n_control),
                                       (x_arm[1], "experimental", r.events_experimental,
                                        r.n_experimental)):
                cell = _given(printed, f"text_{side}", f"{int(events)}/{int(n)}")
                if with_median:
                    cell += f", {_given(printed, f'median_text_{side}', 'NE')}"
                left.text(x, yi, cell, ha="center", va="center")
            if not np.isfinite(r.hr):
                right.text(0.04, yi, "NE", ha="left", va="center")
                continue
            right.text(0.04, yi, _given(printed, "hr_text",
                                        f"{r.hr:.2f} ({r.lower:.2f}–{r.upper:.2f})"),
                       ha="left", va="center")
            color = "black" if r.kind == "overall" else "#1f4e79"
            lo_c, hi_c = max(r.lower, xlim[0]), min(r.upper, xlim[1])
            ax.hlines(yi, lo_c, hi_c, color=color, lw=1.2)
            for end, clipped, side in ((lo_c, r.lower < xlim[0], "<"), (hi_c, r.upper > xlim[1], ">")):
                if clipped:
                    ax.plot(end, yi, marker=side, color=color, ms=4)
            size = 15 + 85 * (r.n_control + r.n_experimental) / n_max
            marker = "D" if r.kind == "overall" else "s"
            ax.scatter([r.hr], [yi], s=size, marker=marker, color=color, zorder=3, lw=0)

        header_y = -1.5 if with_median else -1.2
        left.text(0.0, header_y, "Subgroup", ha="left", va="center", fontweight="bold")
        counts = "events/n,\nmedian" if with_median else "events/n"
        left.text(x_arm[0], header_y, f"{arm_labels[0]}\n{counts}", ha="center", va="center",
                  fontweight="bold")
        left.text(x_arm[1], header_y, f"{arm_labels[1]}\n{counts}", ha="center", va="center",
                  fontweight="bold")
        right.text(0.04, header_y, f"HR ({conf_level:.0%} CI)", ha="left", va="center",
                   fontweight="bold")
        right.text(0.98, header_y, "p for\ninteraction", ha="right", va="center", fontweight="bold")
        left.set_xlim(0, 1)
        right.set_xlim(0, 1)

        ax.vlines(1.0, -0.6, n_rows - 0.4, color="0.3", lw=0.9, zorder=1)
        hazard_ratio_axis(ax, xlim, xlabel, favours)
        ax.set_ylim(n_rows - 0.5, -2.6 if with_median else -2.0)
        if note:  # printed under the figure (its note), never drawn over it
            add_figure_note(fig, note)
    return ax
