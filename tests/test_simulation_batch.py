"""The batched simulation (``batch``, ``survival.lean_batch``) gives the per-trial path's
numbers bit for bit: many seeds and scenarios, and the per-trial path's edge cases (tied
times, strata without events, an arm without events (infinite HR), no convergence, a zero
information, trials without a test)."""

import numpy as np
import pytest

from helpers.design.simulation import (Accrual, Analysis, delayed_effect, proportional_hazards,
                                       replicate_rng)
from helpers.design.simulation.batch import TrialBatch, analyse_trials, simulate_trials
from helpers.design.simulation.runner import simulate_batch, simulate_batch_per_trial
from helpers.design.simulation.trial import analyse_trial, simulate_trial
from helpers.survival.lean import logrank_cox
from helpers.survival.lean_batch import logrank_cox_batch


def _same_bits(a, b):
    """Equal bits, NaN positions equal (a NaN's sign bit is not compared)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    assert np.array_equal(np.isnan(a), np.isnan(b))
    a, b = np.where(np.isnan(a), 0.0, a), np.where(np.isnan(b), 0.0, b)
    assert np.array_equal(a.view(np.uint64), b.view(np.uint64))


SHARES = (0.2, 0.1, 0.15, 0.05, 0.2, 0.1, 0.15, 0.05)
BENCH = proportional_hazards("bench", 20, 20 / 26, 410, Accrual(84), SHARES, target_events=359)
SMALL = proportional_hazards("small", 12, 0.7, 60, Accrual(24, ramp_up=6), (0.5, 0.5),
                             calendar_cut=30.0, dropout_per_month=(0.01, 0.02),
                             stratum_hazard_ratios=(1.0, 1.5), block_size=2)
FEW = proportional_hazards("few", 10, 1.0, 25, Accrual(12), (0.3, 0.3, 0.4), target_events=10,
                           block_size=6, allocation=2 / 3, weibull_shape=1.5)
TINY = proportional_hazards("tiny", 60, 0.2, 40, Accrual(6), (1.0,), calendar_cut=2.0,
                            dropout_per_month=(0.05, 0.0), block_size=2)


@pytest.mark.parametrize("scenario, analysis, seed, n", [
    (BENCH, Analysis(), 1, 300),
    (BENCH.replace(target_events=500 - 100, n_patients=420), Analysis(ties="breslow"), 2, 60),
    (SMALL, Analysis(), 7, 400),
    (SMALL, Analysis(ties="breslow", sided=2, conf_level=0.95), 8, 200),
    (SMALL, Analysis(stratified=False), 9, 200),
    (FEW, Analysis(), 3, 400),
    (TINY, Analysis(), 4, 400),  # trials without a test (no events), infinite HRs
    (delayed_effect(BENCH.replace(n_patients=120, target_events=80), 6.0, 0.6), Analysis(), 5,
     200),
])
def test_batched_replicates_equal_the_per_trial_path(scenario, analysis, seed, n):
    batched = simulate_batch(scenario, analysis, seed, 0, n)
    _same_bits(batched, simulate_batch_per_trial(scenario, analysis, seed, 0, n))
    if scenario is TINY:  # the edge cases are there
        assert np.isnan(batched[:, 0]).sum() > 20 and np.isfinite(batched[:, 0]).sum() > 20
        assert (np.abs(batched[:, 1]) > 5).sum() > 20


def test_batched_trials_are_the_per_trial_draws():
    rngs = [replicate_rng(11, i) for i in range(30)]
    batch = simulate_trials(SMALL, rngs)
    for i in range(30):
        one = simulate_trial(SMALL, replicate_rng(11, i))
        got = batch.trial(i)
        for field in ("time", "event", "arm", "stratum"):
            _same_bits(getattr(got, field), getattr(one, field))
        assert (got.analysis_month, got.target_reached) == (one.analysis_month,
                                                            one.target_reached)


def _random_trials(seed, n_trials=60, n=50, n_strata=4, digits=None):
    """Trials of ``n`` rows with kept rows, strata (some without events), arms, times
    (rounded to ``digits``: ties), few or many events, arms without events."""
    rng = np.random.default_rng(seed)
    time = rng.exponential(10, (n_trials, n))
    if digits is not None:
        time = np.round(time, digits)
    p_event = rng.uniform(0.02, 1, (n_trials, 1))
    arm = rng.integers(0, 2, (n_trials, n))
    event = rng.random((n_trials, n)) < p_event
    no_arm1_events = rng.random(n_trials) < 0.15  # monotone likelihood: infinite HR
    event[no_arm1_events] &= arm[no_arm1_events] == 0
    stratum = rng.integers(0, n_strata, (n_trials, n))
    keep = rng.random((n_trials, n)) < rng.uniform(0.3, 1, (n_trials, 1))
    ok = ((event & keep).any(axis=1) & (arm * keep).any(axis=1)
          & ((1 - arm) * keep).any(axis=1))
    return time[ok], event[ok], arm[ok], stratum[ok], keep[ok]


def _check_against_logrank_cox(time, event, arm, stratum, keep, n_strata):
    out = logrank_cox_batch(time, event, arm, stratum, keep, n_strata)
    handled = out[-1]
    for i in range(len(time)):
        k = keep[i]
        args = (time[i][k], event[i][k].astype(np.int64), arm[i][k], stratum[i][k])
        if not handled[i]:
            st = np.lexsort((-time[i][k], stratum[i][k]))
            tied = ((np.diff(time[i][k][st]) == 0) & (np.diff(stratum[i][k][st]) == 0)).any()
            if not tied:  # else: the per-trial path raises (a zero information)
                with pytest.raises(ValueError, match="singular"):
                    logrank_cox(*args)
            continue
        observed, expected, variance, coef, se = logrank_cox(*args)
        _same_bits([o[i] for o in out[:5]],
                   [observed[1], expected[1], variance[1, 1], coef[0], se[0]])
    return handled


@pytest.mark.parametrize("seed", range(12))
def test_logrank_cox_batch_equals_logrank_cox(seed):
    n_strata = 1 + seed % 5
    handled = _check_against_logrank_cox(*_random_trials(seed, n_strata=n_strata), n_strata)
    assert handled.mean() > 0.8


def test_tied_times_are_left_to_the_per_trial_path():
    time, event, arm, stratum, keep_all = _random_trials(3, digits=0)
    handled = _check_against_logrank_cox(time, event, arm, stratum, keep_all, 4)
    assert (~handled).sum() > 10 and handled.sum() > 0  # some untied trials among them
    for analysis in (Analysis(), Analysis(ties="breslow"), Analysis(stratified=False)):
        keep = keep_all.copy()
        batch = TrialBatch(time, event, arm.astype(np.int64), stratum.astype(np.int64), keep,
                           np.full(len(time), 12.0), np.ones(len(time), dtype=bool))
        expected = []
        for i in range(len(time)):
            try:
                expected.append(analyse_trial(batch.trial(i), analysis))
            except ValueError:  # singular: raises on both paths (test_edge_cases_one_by_one)
                keep[i] = False
        batch = TrialBatch(time, event, arm.astype(np.int64), stratum.astype(np.int64), keep,
                           np.full(len(time), 12.0), np.ones(len(time), dtype=bool))
        got = analyse_trials(batch, analysis)[keep.any(axis=1)]
        assert len(got) > 30
        _same_bits(got, np.array(expected))


def test_edge_cases_one_by_one():
    """Hand-made trials: infinite HR, a stratum without events, one arm a stratum (zero
    information: the per-trial path raises, so does the batched one), no convergence."""
    t = np.array([[5.0, 4.0, 3.0, 2.0, 1.0, 6.0, 7.0, 8.0]])
    e = np.array([[1, 1, 0, 1, 0, 0, 0, 1]])
    a = np.array([[0, 0, 1, 0, 1, 1, 0, 1]])
    s = np.array([[0, 0, 0, 0, 0, 1, 1, 1]])
    keep = np.ones_like(t, dtype=bool)
    cases = [(t, e, a, s), (t, e * (a == 0), a, s),  # infinite HR (arm 1 no events)
             (t, e * (s == 0), a, s),  # stratum 1 without events
             (t, e, a, np.zeros_like(s))]
    for case in cases:
        assert _check_against_logrank_cox(*case, keep, 2).all()
    # each stratum holds one arm: zero information; per-trial raises, batched too
    batch = TrialBatch(t, e.astype(bool), s.astype(np.int64), s.astype(np.int64), keep,
                       np.array([9.0]), np.array([True]))
    assert not logrank_cox_batch(t, e, s, s, keep, 2)[-1][0]
    # (a simulation meeting such a trial stops with this error on both paths: see
    # test_a_singular_replicate_stops_both_paths)
    with pytest.raises(ValueError, match="singular"):
        analyse_trials(batch, Analysis())
    with pytest.raises(ValueError, match="singular"):
        analyse_trial(batch.trial(0), Analysis())


def test_a_singular_replicate_stops_both_paths():
    """A tiny design in which a replicate has one arm in each stratum: the per-trial path
    raises (singular information), and so does the batched one, on the same replicate."""
    tiny = proportional_hazards("tiny", 30, 0.2, 8, Accrual(6), (0.25, 0.25, 0.25, 0.25),
                                calendar_cut=4.0, block_size=2)
    first = None
    for i in range(400):
        try:
            simulate_batch_per_trial(tiny, Analysis(), 4, i, i + 1)
        except ValueError:
            first = i
            break
    assert first is not None
    simulate_batch(tiny, Analysis(), 4, 0, first)
    with pytest.raises(ValueError, match="singular"):
        simulate_batch(tiny, Analysis(), 4, 0, first + 1)
