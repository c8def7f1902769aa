"""Kaplan-Meier median reference lines (issue 19): an option, off by default, stated in the
figure's note when drawn, never under the annotation box or other text (layout check)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from helpers.config.params import SPECS  # noqa: E402
from helpers.report.plots import figure_notes  # noqa: E402
from helpers.report.plots.km import MEDIAN_LINES_NOTE, km_plot, median_time  # noqa: E402
from helpers.report.plots.layout import layout_problems  # noqa: E402


def _curve(scale: float, n: int = 200, seed: int = 1) -> pd.DataFrame:
    t = np.sort(np.random.default_rng(seed).exponential(scale, n))
    at_risk = np.arange(n, 0, -1)
    surv = np.cumprod(1 - 1 / at_risk)
    return pd.DataFrame({"time": t, "surv": surv, "lower": surv * 0.9,
                         "upper": np.minimum(1, surv * 1.1), "n_risk": at_risk, "n_censor": 0})


def _median_segments(fig) -> list[float]:
    ax = fig.axes[0]
    return sorted(float(line.get_xdata()[0]) for line in ax.get_lines()
                  if list(line.get_ydata()) == [0, 0.5])


def test_off_by_default_and_no_note():
    assert SPECS["km_median_lines"].default_value() is False
    fig = km_plot({"A": _curve(20), "B": _curve(50, seed=2)})
    assert _median_segments(fig) == []
    assert MEDIAN_LINES_NOTE not in figure_notes(fig)


@pytest.mark.parametrize("loc", ["lower left", "upper right"])
def test_drawn_at_each_arms_median_stated_and_clear_of_text(loc):
    curves = {"A": _curve(20), "B": _curve(50, seed=2)}
    fig = km_plot(curves, annotation="Median A 14.0\nMedian B 35.0\nHR 0.41 (0.32–0.52)",
                  annotation_loc=loc, median_lines=True)
    assert _median_segments(fig) == sorted(median_time(c) for c in curves.values())
    assert MEDIAN_LINES_NOTE in figure_notes(fig)
    assert layout_problems(fig) == []


def test_an_arm_whose_curve_stays_above_half_has_no_line():
    low = _curve(20)
    high = _curve(20, seed=3).assign(surv=lambda d: 0.6 + 0.4 * d["surv"])
    fig = km_plot({"A": low, "B": high}, median_lines=True)
    assert _median_segments(fig) == [median_time(low)]
    assert median_time(high) is None
