"""Sample size of JCOG1017 reproduced from its published assumptions (ASCO 2023 abstract:
medians 20 vs 26 months, HR 0.77, one-sided alpha 0.05, power 80%, 359 events, 410 patients,
7 years accrual, 4 years follow-up)."""

import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.design import sample_size as design
from helpers.report.plots.power import power_curve_plot
from helpers.config.reference import published_value

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def test_schoenfeld_with_hr_from_medians_gives_published_events():
    hr = design.hazard_ratio_from_medians(20, 26)
    assert hr == pytest.approx(0.769231, abs=1e-6)
    assert design.required_events_exact(hr) == pytest.approx(359.268, abs=1e-3)
    assert design.required_events(hr) == published_value("design.required_events") == 359


def test_alternative_formulas_do_not_give_359():
    alt = design.required_events_alternatives().set_index(["method", "hr_source"])
    assert alt.loc[("schoenfeld", "stated HR 0.77"), "events_exact"] == pytest.approx(362.02, abs=0.01)
    assert alt.loc[("schoenfeld", "medians 20 vs 26"), "events_ceil"] == 360
    assert alt.loc[("freedman", "medians 20 vs 26"), "events_exact"] == pytest.approx(363.40, abs=0.01)
    assert alt.loc[("freedman", "stated HR 0.77"), "events_exact"] == pytest.approx(366.15, abs=0.01)
    assert (alt["events_nearest"] == 359).sum() == 1


def test_textbook_schoenfeld_two_sided():
    # Two-sided 0.05, 90% power, HR 0.5, 1:1: 4 (1.95996 + 1.28155)^2 / log(0.5)^2 = 87.5 -> 88
    assert design.required_events_exact(0.5, alpha=0.05, power=0.9, sided=2) == pytest.approx(87.48, abs=0.01)
    assert design.required_events(0.5, alpha=0.05, power=0.9, sided=2, rounding="ceil") == 88


def test_unequal_allocation_needs_more_events():
    assert design.required_events_exact(0.77, allocation=2 / 3) > design.required_events_exact(0.77)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError):
        design.required_events(1.0)
    with pytest.raises(ValueError):
        design.required_events(0.77, sided=3)
    with pytest.raises(ValueError):
        design.required_events(0.77, method="lakatos")


def test_probability_of_event_matches_numerical_integration():
    rate = math.log(2) / 20
    entry = np.linspace(0, 84, 200001)
    numeric = np.mean(1 - np.exp(-rate * (84 + 48 - entry)))
    assert design.probability_of_event(20, 84, 48) == pytest.approx(numeric, abs=1e-6)
    assert design.probability_of_event(20, 0, 48) == pytest.approx(1 - 2 ** (-48 / 20))


def test_required_patients_reproduces_410_with_named_dropout():
    size = design.required_patients()
    assert size.events == 359
    assert size.p_event == pytest.approx((0.93846 + 0.88903) / 2, abs=1e-4)
    assert size.patients_for_events == math.ceil(359 / size.p_event) == 393
    assert size.patients == published_value("design.planned_randomised") == 410
    assert design.implied_dropout(size.patients_for_events, 410) == pytest.approx(0.0415, abs=1e-4)
    without = design.required_patients(dropout=0.0)
    assert without.patients == 394  # 393 rounded up to even for 1:1
    assert design.required_patients(dropout=0.05).patients == 414
    d = size.to_dict()
    assert d["patients"] == 410 and d["dropout"] == 0.04 and d["accrual_months"] == 84


def test_power_at_design_events_is_80_percent():
    assert design.power_for_events(0.77, 359) == pytest.approx(0.80, abs=0.005)
    assert design.power_for_events(20 / 26, 359) == pytest.approx(0.80, abs=0.001)
    curve = design.power_for_events(np.array([0.6, 0.77, 0.9, 1.0]), 359)
    assert curve.shape == (4,)
    assert np.all(np.diff(curve) < 0)
    assert curve[-1] == pytest.approx(0.05)
    # one-sided test of benefit: below alpha past HR 1, falling further (not |log HR|)
    past_one = design.power_for_events(np.array([1.0, 1.02, 1.3]), 359)
    assert past_one[0] == pytest.approx(0.05) and np.all(np.diff(past_one) < 0)
    assert past_one[1] < 0.05
    # two-sided (far tail ignored): symmetric in log HR
    assert design.power_for_events(1 / 0.77, 359, sided=2) == pytest.approx(
        design.power_for_events(0.77, 359, sided=2))
    # fewer deaths than planned (221 observed) -> less power
    assert design.power_for_events(0.77, 221) == pytest.approx(0.617, abs=0.001)


def test_power_curve_plot_marks_planning_and_observed():
    fig, ax = plt.subplots()
    out = power_curve_plot(359, observed_hr=0.857, observed_events=221, ax=ax)
    assert out is ax
    texts = " | ".join(t.get_text() for t in ax.texts)
    legend = " | ".join(t.get_text() for t in ax.get_legend().get_texts())  # above the plot
    assert "planning HR 0.77: power 80%" in legend
    assert "observed HR 0.86" in texts
    assert "221 events (observed)" in legend and "359 events (design)" in legend  # one word
    fig2, ax2 = plt.subplots()
    power_curve_plot(359, observed_hr=0.857, observed_events=221, ax=ax2, events_word="deaths")
    legend2 = " | ".join(t.get_text() for t in ax2.get_legend().get_texts())
    assert "221 deaths (observed)" in legend2 and "359 deaths (design)" in legend2
    plt.close(fig2)
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) > 100]) == 2
    ARTIFACTS.mkdir(exist_ok=True)
    fig.savefig(ARTIFACTS / "power_curve.png", dpi=150, bbox_inches="tight")
    plt.close(fig)
    assert matplotlib.rcParams["font.size"] == matplotlib.rcParamsDefault["font.size"]


def test_design_figures_feed_the_reproduction_table():
    from helpers.report.tables import reproduction_table

    table = reproduction_table(design.required_patients().reproduction_values()).set_index("figure")
    design_rows = table[table.index.str.startswith("design.")]
    assert design_rows["computed"].notna().all()
    assert (design_rows.drop(index="design.assumed_hazard_ratio")["difference"] == 0).all()
    assert table.loc["design.assumed_hazard_ratio", "difference"] == pytest.approx(20 / 26 - 0.77)


# --- rpact: fixed-design sample size, power and analysis time (validation/r/reference_design.R)
RPACT = Path(__file__).parent / "fixtures" / "r"


def _rpact(name):
    return json.loads((RPACT / name).read_text())


@pytest.mark.parametrize("case", _rpact("rpact_sample_size.json"), ids=lambda c: c["name"])
def test_sample_size_equals_rpact(case):
    got = design.sample_size_survival(
        case["median_control"], case["median_experimental"], case["alpha"], case["power"],
        case["sided"], case["accrual"], case["follow_up"], case["allocation_ratio"],
        design.dropout_hazard(case["dropout_rate"], case["dropout_time"]),
        case["method"].lower())
    assert got.hazard_ratio == pytest.approx(case["hazard_ratio"], rel=1e-12)
    assert got.events == pytest.approx(case["events"], rel=1e-9)
    assert got.patients == pytest.approx(case["patients"], rel=1e-9)
    assert got.patients_experimental == pytest.approx(case["patients_experimental"], rel=1e-9)
    assert got.patients_control == pytest.approx(case["patients_control"], rel=1e-9)
    assert got.study_duration == pytest.approx(case["study_duration"])


@pytest.mark.parametrize("case", _rpact("rpact_power.json"), ids=lambda c: c["name"])
def test_power_and_analysis_time_equal_rpact(case):
    share = case["allocation_ratio"] / (1 + case["allocation_ratio"])
    hr = design.hazard_ratio_from_medians(case["median_control"], case["median_experimental"])
    assert hr == pytest.approx(case["hazard_ratio"], rel=1e-12)
    power = design.power_for_events(hr, case["events"], case["alpha"], case["sided"], share)
    assert power == pytest.approx(case["power"], abs=1e-9)
    t = design.analysis_time_for_events(
        case["events"], case["patients"], case["median_control"], case["median_experimental"],
        case["accrual"], case["allocation_ratio"],
        design.dropout_hazard(case["dropout_rate"], case["dropout_time"]))
    assert t == pytest.approx(case["analysis_time"], rel=1e-8)


def test_expected_events_match_numerical_integration():
    from scipy.integrate import quad

    rate_c, rate_e, drop = math.log(2) / 20, math.log(2) / 26, 0.003
    def p_event(rate, t):
        return rate / (rate + drop) * -math.expm1(-(rate + drop) * t)
    for t in (30.0, 84.0, 119.0):
        numeric = 410 / 84 * sum(quad(lambda u: p_event(r, t - u), 0, min(t, 84))[0] / 2
                                 for r in (rate_c, rate_e))
        assert design.expected_events(t, 410, 20, 26, 84, 1.0, drop) == pytest.approx(
            numeric, rel=1e-8)


def test_design_inputs_are_checked():
    with pytest.raises(ValueError, match="dropout rate"):
        design.dropout_hazard(1.0, 12)
    with pytest.raises(ValueError, match="allocation_ratio"):
        design.sample_size_survival(20, 26, allocation_ratio=0)
    with pytest.raises(ValueError, match="never expected"):
        design.analysis_time_for_events(500, 410, 20, 26, 84)
