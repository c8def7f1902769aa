"""The design review's scenarios, their analytic counterparts and the simulated table/curve
(helpers.design.simulation.analytic, design_scenarios, report); notebook 09's simulation section."""

import math

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest

from conftest import read_results
from helpers.analyses.design_scenarios import design_scenarios, strata_shares
from helpers.analyses.design_simulation import (hazard_ratio_grid, operating_characteristics,
                                                simulated_power_curve)
from helpers.design import sample_size as design
from helpers.design.simulation import Accrual, Analysis, proportional_hazards
from helpers.design.simulation.analytic import (analytic_power, common_hazard_ratio,
                                                scenario_expected_events)
from helpers.report.plots.power import add_simulated_power, power_curve_plot

SHARES = pd.Series({"ER=Negative": 0.25, "ER=Positive": 0.75})


def _scenarios(**kw):
    return design_scenarios(SHARES, 20, 20 / 26, 410, 359, 84, 48, [False, True], 407, 84.0, **kw)


def test_strata_shares_from_the_frame():
    frame = pd.DataFrame({"ER": ["Positive"] * 3 + ["Negative"], "HER2": ["N", "P", "N", "N"]})
    shares = strata_shares(frame, ["ER", "HER2"])
    assert shares.to_dict() == {"ER=Negative, HER2=N": 0.25, "ER=Positive, HER2=N": 0.5,
                                "ER=Positive, HER2=P": 0.25}
    assert strata_shares(frame, []).to_dict() == {"all patients": 1.0}
    with pytest.raises(ValueError, match="PGR"):
        strata_shares(frame, ["PGR"])


def test_scenarios_and_their_analytic_power():
    sc = _scenarios()
    assert list(sc) == ["planning", "null", "calendar", "observed_accrual", "subgroup",
                        "delayed", "crossing"]
    analysis = Analysis()
    assert common_hazard_ratio(sc["planning"]) == pytest.approx(20 / 26)
    assert analytic_power(sc["planning"], analysis) == pytest.approx(
        design.power_for_events(20 / 26, 359, 0.05))
    assert analytic_power(sc["null"], analysis) == 0.05
    for key in ("subgroup", "delayed", "crossing"):
        assert math.isnan(analytic_power(sc[key], analysis))
    # calendar cut: the events expected at accrual + follow-up, as helpers.design.sample_size (rpact)
    expected = design.expected_events(132, 410, 20, 26, 84)
    assert scenario_expected_events(sc["calendar"]) == pytest.approx(expected, rel=1e-12)
    assert sc["observed_accrual"].n_patients == 407
    assert sc["observed_accrual"].dropout_per_month[0] == pytest.approx(
        design.dropout_hazard(0.04, 60))


def test_calendar_cut_events_agree_with_simulation():
    sc = _scenarios()["calendar"]
    table = operating_characteristics({"calendar": sc}, 300, seed=5, workers=1)
    expected = scenario_expected_events(sc)
    sd_events = math.sqrt(expected * (1 - expected / 410))  # binomial bound on the spread
    assert abs(table.at["calendar", "mean_events"] - expected) < 3 * sd_events / math.sqrt(300)


def test_power_curve_and_plot():
    base = proportional_hazards("PH", 20, 1.0, 200, Accrual(36), (0.5, 0.5), target_events=150)
    curve = simulated_power_curve(base, [0.6, 1.0], 60, seed=3, workers=1)
    assert list(curve.hazard_ratio) == [0.6, 1.0]
    assert curve.analytic.tolist() == pytest.approx(
        [design.power_for_events(0.6, 150, 0.05), 0.05])
    assert np.isfinite(curve.z_vs_analytic[curve.mc_se > 0]).all()
    ax = power_curve_plot(150)
    assert add_simulated_power(ax, curve) is ax
    assert 0.77 in hazard_ratio_grid(0.7692)


@pytest.mark.slow
def test_notebook_shows_simulated_operating_characteristics(supplement_run):
    sim = read_results(supplement_run, "09_design")["simulation"]
    oc = sim["operating_characteristics"]
    assert sim["replicates"] == 200 and set(oc) >= {"planning", "null", "subgroup"}
    planning = oc["planning"]
    assert abs(planning["rejection_rate"] - planning["analytic"]) < 4 * planning["mc_se"]
    assert oc["null"]["rejection_rate"] < 0.05 + 4 * oc["null"]["mc_se"]
    assert len(sim["power_curve"]["hazard_ratio"]) >= 5
    assert (supplement_run / "figures" / "09_design" / "simulated_power_curve.png").exists()
    # the observed-accrual scenario uses the 407 randomised patients and says where they come from
    assert sim["observed_accrual_patients"] == 407
    assert sim["observed_accrual_patients_source"] == "randomised in the data"


def test_simulation_parameters_are_validated():
    from helpers.core.errors import ParameterError
    from helpers.config.params import validate

    clean = validate({"sim_replicates": 500, "sim_dask_address": "tcp://10.0.0.1:8786"})
    assert clean["sim_replicates"] == 500 and clean["sim_curve_replicates"] == 100
    for bad in ({"sim_replicates": 0}, {"sim_seed": 1.5}, {"sim_curve_replicates": True}):
        with pytest.raises(ParameterError, match=f"parameter '{next(iter(bad))}'"):
            validate(bad)
