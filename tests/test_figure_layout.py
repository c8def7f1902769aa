"""Figures as a journal prints them (issue 19): nothing overlaps (matplotlib's text extents),
text at least 7 pt at the book's print width, the Kaplan-Meier tail rule stated in the note,
vector files with their text kept as text.

Every figure builder of the supplement is drawn from the bundled data as its chapter draws it;
``layout_problems`` must find nothing and ``min_print_font_pt`` must be at least 7 pt. The
checker itself is tested on figures that do overlap (it must not pass everything).
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from helpers.report.plots import figure_notes, km_plot
from helpers.report.plots.km import tail_cut, tail_note
from helpers.report.plots.layout import MIN_PRINT_FONT_PT, layout_problems, min_print_font_pt

ROOT = Path(__file__).resolve().parents[1]
PRINT_WIDTH_IN = 6.2


@pytest.fixture(scope="module")
def analyses():
    from helpers.analyses.endpoint import analyse_endpoint
    from helpers.data.trial_data import analysis_frame, load_trial_data

    data = load_trial_data(ROOT / "data")
    return {code: analyse_endpoint(analysis_frame(data, code), paramcd=code)
            for code in ("OS", "LRFS", "MPFS", "PTRFS")}


def _clean(fig) -> None:
    try:
        assert layout_problems(fig) == []
        assert min_print_font_pt(fig, PRINT_WIDTH_IN) >= MIN_PRINT_FONT_PT - 0.05
    finally:
        plt.close(fig)


def test_the_checker_finds_overlapping_texts_and_text_on_a_line():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "on the line")
    ax.text(0.1, 0.9, "first label")
    ax.text(0.12, 0.9, "second label")
    problems = layout_problems(fig)
    plt.close(fig)
    assert any("'on the line' covers line" in p for p in problems)
    assert any("'first label' overlaps text 'second label'" in p for p in problems)


def test_the_checker_finds_a_legend_over_the_data_and_small_print():
    fig, ax = plt.subplots(figsize=(12, 3))
    ax.plot(np.linspace(0, 1, 50), np.full(50, 0.95), label="a curve along the top")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")
    assert any("legend covers line" in p for p in layout_problems(fig))
    assert min_print_font_pt(fig, PRINT_WIDTH_IN) < MIN_PRINT_FONT_PT  # 12 in printed at 6.2 in
    plt.close(fig)


def test_km_tail_rule_stops_curves_and_says_so(analyses):
    curve = analyses["OS"].curves()
    label = next(iter(curve))
    kept = tail_cut(curve[label], 10)
    assert kept["n_risk"].min() >= 10 and kept["time"].max() < curve[label]["time"].max()
    share = tail_cut(curve[label], 0.1)
    assert share["n_risk"].min() >= 0.1 * curve[label]["n_risk"].iloc[0]
    assert tail_cut(curve[label], None) is curve[label]
    fig = km_plot(curve, labels=analyses["OS"].curve_labels(), tail_min_at_risk=10)
    main = next(a for a in fig.axes if a.get_label() == "km")
    drawn_end = max(max(line.get_xdata()) for line in main.get_lines() if line.get_drawstyle() != "default")
    assert drawn_end <= max(float(tail_cut(c, 10)["time"].max()) for c in curve.values())
    assert figure_notes(fig) == [tail_note(10)]
    assert "fewer than 10 patients remain at risk" in tail_note(10)
    assert "10%" in tail_note(0.1)
    plt.close(fig)
    assert figure_notes(km_plot(curve, tail_min_at_risk=None)) == []
    plt.close("all")


def test_km_os_figure_is_clean(analyses):
    an = analyses["OS"]
    _clean(km_plot(an.curves(), labels=an.curve_labels(), annotation="Median (95% CI)\n  A: 40.1\n  B: 41.2"))


def test_km_panels_are_clean(analyses):
    from helpers.report.plots.km_panels import km_panels

    _clean(km_panels({"MPFS": analyses["MPFS"], "PTRFS": analyses["PTRFS"]},
                     titles={"MPFS": "Progression-free survival at metastatic sites",
                             "PTRFS": "Primary tumour resection-free survival"}))


def test_power_curves_are_clean():
    from helpers.report.plots.power import add_simulated_power, power_curve_plot

    for observed_hr, deaths in ((0.867, 218), (0.92, 200), (0.7, 300)):  # default, per-protocol, ...
        _clean(power_curve_plot(359, observed_hr=observed_hr, observed_events=deaths).figure)
    ax = power_curve_plot(359, hr_range=(0.55, 1.02))
    curve = pd.DataFrame({"hazard_ratio": [0.6, 0.7, 0.77, 0.9, 1.0],
                          "rejection_rate": [1.0, 0.95, 0.81, 0.28, 0.07],
                          "mc_se": [0.0, 0.02, 0.04, 0.045, 0.025]})
    add_simulated_power(ax, curve)
    _clean(ax.figure)


def test_subgroup_forest_is_clean():
    from test_plots import _forest_table

    from helpers.report.plots import forest_plot

    table = _forest_table(["Visceral and bone and brain metastases at registration", "Bone only"])
    table.loc[0, "label"] = "All patients, unstratified"
    _clean(forest_plot(table, conf_level=0.95, strata=[],
                       primary={"hr": 0.87, "lower": 0.7, "upper": 1.08, "conf_level": 0.9,
                                "strata": ["ER"]}).figure)


def test_svg_keeps_text_as_text(tmp_path):
    from helpers.core.atomic import save_figure

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlabel("Months since randomisation")
    path = save_figure(fig, tmp_path / "f.svg")
    plt.close(fig)
    svg = path.read_text()
    assert "<text" in svg and "Months since randomisation" in svg
