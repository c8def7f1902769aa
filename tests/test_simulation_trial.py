"""Simulated trials: event-time models, accrual, stratified randomisation, the analysis cut,
and that each replicate is analysed with the supplement's log-rank and Cox functions."""

import math

import numpy as np
import pytest

from helpers.design.simulation import (Accrual, Analysis, PiecewiseExponential, Weibull,
                                       analyse_trial, crossing_hazards, delayed_effect,
                                       proportional_hazards, simulate_trial, subgroup_effect)
from helpers.design.simulation.hazards import CellHazards
from helpers.survival import logrank_arrays
from helpers.survival.cox import cox_fit

SHARES = (0.3, 0.2, 0.4, 0.1)


def _ph(**kw):
    args = dict(name="PH", median_control=20, hazard_ratio=0.77, n_patients=410,
                accrual=Accrual(84), strata_shares=SHARES, target_events=359)
    return proportional_hazards(**{**args, **kw})


def test_piecewise_exponential_times_follow_their_survival_function():
    model = PiecewiseExponential((0, 6, 24), (0.02, 0.05, 0.01))
    rng = np.random.default_rng(5)
    t = CellHazards([model]).sample(np.zeros(200_000, dtype=np.intp), rng.standard_exponential(200_000))
    for x in (3, 6, 15, 24, 60):
        expected = math.exp(-float(model.cumulative_hazard(x)))
        assert (t > x).mean() == pytest.approx(expected, abs=4e-3)


def test_weibull_and_exponential_cells_sampled_together():
    weib = Weibull.from_median(20, shape=1.5)
    expo = PiecewiseExponential.from_median(10)
    cells = np.repeat([0, 1], 100_000)
    t = CellHazards([weib, expo]).sample(cells, np.random.default_rng(1).standard_exponential(200_000))
    assert np.median(t[cells == 0]) == pytest.approx(20, rel=0.02)
    assert np.median(t[cells == 1]) == pytest.approx(10, rel=0.02)
    assert weib.scaled(0.5).cumulative_hazard(7.0) == pytest.approx(0.5 * weib.cumulative_hazard(7.0))


def test_time_varying_hazard_ratios_merge_the_grids():
    base = PiecewiseExponential((0, 12), (0.03, 0.02))
    delayed = base.with_hazard_ratios((0, 6), (1.0, 0.5))
    assert delayed.starts == (0, 6, 12) and delayed.rates == pytest.approx((0.03, 0.015, 0.01))


def test_accrual_ramp_up_density():
    accrual = Accrual(84, ramp_up=24)
    t = accrual.entry_times(np.random.default_rng(2).random(400_000))
    assert t.min() >= 0 and t.max() <= 84
    # density rises linearly over the ramp: share entered by month 24 = 12 / (84 - 12)
    assert (t < 24).mean() == pytest.approx(12 / 72, abs=3e-3)
    assert (t < 12).mean() == pytest.approx(3 / 72, abs=2e-3)


def test_stratified_blocks_balance_each_stratum():
    sc = _ph(n_patients=1000, target_events=500)
    data = simulate_trial(sc.replace(calendar_cut=1e9, target_events=None), np.random.default_rng(3))
    assert len(data.time) == 1000
    for s in range(len(SHARES)):
        arms = data.arm[data.stratum == s]
        assert abs(arms.sum() - (len(arms) - arms.sum())) <= 2  # at most half a block of 4
    assert np.bincount(data.stratum) / 1000 == pytest.approx(SHARES, abs=0.05)


def test_target_events_cut_at_the_target_event():
    data = simulate_trial(_ph(), np.random.default_rng(4))
    assert data.event.sum() == 359 and data.target_reached
    assert (data.time > 0).all() and len(data.time) <= 410


def test_calendar_cut_and_dropout_censor():
    sc = _ph(target_events=None, calendar_cut=60.0, dropout_per_month=(0.01, 0.01))
    data = simulate_trial(sc, np.random.default_rng(6))
    assert data.analysis_month == 60.0
    assert len(data.time) < 410  # patients entering after month 60 are not analysed
    assert data.time.max() <= 60.0


def test_fewer_events_than_targeted_are_flagged():
    sc = _ph(n_patients=50, target_events=50, dropout_per_month=(0.05, 0.05))
    data = simulate_trial(sc, np.random.default_rng(7))
    assert not data.target_reached and data.event.sum() < 50


def test_replicate_analysed_as_the_supplement():
    data = simulate_trial(_ph(), np.random.default_rng(8))
    stats = analyse_trial(data, Analysis(ties="efron"))
    lr = logrank_arrays(data.time, data.event, data.arm, strata=data.stratum, experimental=1)
    fit = cox_fit(data.time, data.event, data.arm[:, None].astype(float), strata=data.stratum)
    assert stats[0] == lr.z and stats[1] == fit.coef[0] and stats[2] == fit.se[0]
    unstrat = analyse_trial(data, Analysis(stratified=False))
    assert unstrat[0] == logrank_arrays(data.time, data.event, data.arm, experimental=1).z


def test_non_proportional_scenarios_shape_the_hazards():
    base = _ph(hazard_ratio=1.0)
    sub = subgroup_effect(base, [True, False, False, True], 0.5)
    assert sub.hazards[1][0].rates[0] == pytest.approx(0.5 * sub.hazards[0][0].rates[0])
    assert sub.hazards[1][1] == sub.hazards[0][1]
    delayed = delayed_effect(base, 6, 0.7)
    assert delayed.hazards[1][0].starts == (0.0, 6.0)
    crossing = crossing_hazards(base, 3, 1.5, 0.7)
    assert crossing.hazards[1][2].rates == pytest.approx(
        (1.5 * base.hazards[0][2].rates[0], 0.7 * base.hazards[0][2].rates[0]))


@pytest.mark.parametrize("kw, message", [
    ({"strata_shares": (0.5, 0.6)}, "sum to 1"),
    ({"target_events": 500}, "target_events"),
    ({"calendar_cut": 100}, "exactly one"),
    ({"allocation": 0.3}, "block_size"),
    ({"dropout_per_month": (-1, 0)}, "dropout_per_month"),
])
def test_bad_scenarios_name_the_setting(kw, message):
    with pytest.raises(ValueError, match=message):
        _ph(**kw)


def test_bad_models_and_analysis_rejected():
    with pytest.raises(ValueError, match="starts"):
        PiecewiseExponential((1,), (0.1,))
    with pytest.raises(ValueError, match="ramp_up"):
        Accrual(12, ramp_up=24)
    with pytest.raises(ValueError, match="sided"):
        Analysis(sided=3)
    with pytest.raises(ValueError, match="piecewise-exponential"):
        delayed_effect(_ph(weibull_shape=1.3), 6, 0.7)
