"""Kaplan-Meier panels of several endpoints side by side (the secondary endpoints), each with its
numbers at risk and the medians (CI) per arm. Times in the analyses' unit (``time_unit``)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from helpers.analyses.endpoint import EndpointAnalysis
from helpers.report.format import format_median
from helpers.report.plots._style import PRINT_STYLE
from helpers.report.plots.km import KM_TAIL_MIN_AT_RISK, km_plot, tail_cut
from helpers.report.plots.time_axis import natural_ticks

__all__ = ["km_panels"]


def km_panels(analyses: Mapping[str, EndpointAnalysis], *, titles: Mapping[str, str] | None = None,
              panel_width: float = 6.6, height: float = 4.4, xmax: float | None = None,
              risk_step: float | None = None, annotations: Mapping[str, str] | None = None,
              tail_min_at_risk: float | None = KM_TAIL_MIN_AT_RISK, median_lines: bool = False):
    """Kaplan-Meier plots (``helpers.report.plots.km_plot``) of several endpoints one under the
    other, each with its numbers at risk (every ``risk_step`` in the analyses' unit; default 24
    months, or natural steps of another unit) and the medians (CI) per arm; each curve stops
    where fewer than ``tail_min_at_risk`` patients remain at risk, with median reference lines
    when ``median_lines`` (``km_plot``).
    ``analyses``: short name (the y-axis label, e.g. "MPFS") -> analysis; ``titles``: short
    name -> panel title; ``annotations``: short name -> the panel's annotation (e.g.
    ``helpers.report.endpoint.median_annotation`` from the ARD; default the medians of the
    analysis). ``xmax`` (months) defaults to the longest follow-up. Returns the Figure."""
    annotations = dict(annotations or {})
    titles = dict(titles or {})
    names = list(analyses)
    unit = next(iter(analyses.values())).time_unit if analyses else "months"
    if risk_step is None and unit == "months":
        risk_step = 24.0
    if xmax is None:  # the drawn curves' end, rounded up to the next step of the risk table
        last = max(float(tail_cut(c, tail_min_at_risk)["time"].max()) for an in analyses.values()
                   for c in an.curves().values())
        ticks = natural_ticks(last, unit, max_intervals=5)
        step = risk_step or (ticks[1] - ticks[0] if len(ticks) > 1 else last or 1.0)
        xmax = step * max(1.0, np.ceil(last / step - 1e-9))
    risk_times = (list(np.arange(0.0, xmax + 1e-9, risk_step)) if risk_step is not None
                  else natural_ticks(xmax, unit, max_intervals=5))
    with plt.rc_context(PRINT_STYLE):
        # one panel under the other at the book's text width: side by side, three panels
        # printed at 6.2 in would shrink the text below 7 pt
        n = len(names)
        fig, axes = plt.subplots(n, 1, figsize=(panel_width, height * n + 0.4), squeeze=False)
        fig.subplots_adjust(left=0.33, right=0.97, top=1 - 0.75 / (height * n + 0.4),
                            bottom=1.45 / (height * n + 0.4), hspace=1.45 / (height - 1.0))
    for ax, name in zip(axes[:, 0], names):
        an = analyses[name]
        km_plot(an.curves(), labels=an.curve_labels(), ax=ax, ylabel=name, title=titles.get(name), xmax=xmax,
                risk_times=risk_times, annotation=annotations.get(name) or _median_annotation(an),
                annotation_loc="upper right", tail_min_at_risk=tail_min_at_risk,
                time_unit=an.time_unit, median_lines=median_lines)
        ax.get_legend().remove()  # one legend for all panels, above them (long arm names)
    with plt.rc_context(PRINT_STYLE):
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False,
                   bbox_to_anchor=(0.5, 1.0), handlelength=1.8)
    return fig


def _median_annotation(an: EndpointAnalysis) -> str:
    lines = [f"Median, {an.time_unit} ({an.km_conf_level:.0%} CI)"]
    for row in an.medians.itertuples():
        lines.append(f"  {an.arm_labels.get(row.group, row.group)}: "
                     f"{format_median(row.median, row.median_lower, row.median_upper)}")
    return "\n".join(lines)
