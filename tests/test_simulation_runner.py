"""Simulation runs: the same seed gives the same numbers on every backend, and under
proportional hazards the simulated power and type I error agree with the analytic values
within 3 Monte-Carlo standard errors."""

import numpy as np
import pytest

from helpers.design.sample_size import power_for_events
from helpers.design.simulation import Accrual, Analysis, proportional_hazards, replicate_rng, simulate
from helpers.design.simulation.runner import simulate_batch

SHARES = (0.3, 0.2, 0.4, 0.1)


def _scenario(hr, n=410, events=359):
    return proportional_hazards("PH", 20, hr, n, Accrual(84, ramp_up=12), SHARES,
                                target_events=events, stratum_hazard_ratios=(1, 1.5, 0.8, 2))


def test_replicate_streams_are_the_spawned_children():
    children = np.random.SeedSequence(11).spawn(3)
    for i, child in enumerate(children):
        assert (replicate_rng(11, i).random(4)
                == np.random.Generator(np.random.PCG64(child)).random(4)).all()


def test_batching_does_not_change_replicates():
    sc = _scenario(0.8, n=120, events=80)
    whole = simulate_batch(sc, Analysis(), 3, 0, 12)
    parts = np.vstack([simulate_batch(sc, Analysis(), 3, a, b) for a, b in ((0, 5), (5, 12))])
    assert np.array_equal(whole, parts)


def test_same_seed_same_numbers_local_1_and_2_workers_and_dask():
    distributed = pytest.importorskip("distributed")
    sc = _scenario(0.8, n=120, events=80)
    one, reps1 = simulate(sc, 60, seed=2024, workers=1, batch_size=7, keep_replicates=True)
    two, reps2 = simulate(sc, 60, seed=2024, workers=2, batch_size=11, keep_replicates=True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        dask, reps3 = simulate(sc, 60, seed=2024, backend="dask",
                               address=cluster.scheduler_address, batch_size=9,
                               keep_replicates=True)
    assert np.array_equal(reps1, reps2, equal_nan=True)
    assert np.array_equal(reps1, reps3, equal_nan=True)
    assert one == two == dask
    other, _ = simulate(sc, 60, seed=2025, workers=1)
    assert other != one


def test_power_under_ph_within_3_mc_se_of_schoenfeld():
    hr = 20 / 26
    oc, _ = simulate(_scenario(hr), 1000, seed=1, workers=2)
    analytic = power_for_events(hr, 359, 0.05)
    assert abs(oc.rejection_rate - analytic) < 3 * np.sqrt(analytic * (1 - analytic) / 1000)
    assert oc.mean_events == 359 and oc.target_missed == 0 and oc.failed == 0
    assert oc.mean_hr == pytest.approx(hr, abs=0.02)


def test_type_one_error_within_3_mc_se_of_alpha():
    oc, reps = simulate(_scenario(1.0), 2000, seed=2, workers=2, keep_replicates=True)
    assert abs(oc.rejection_rate - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 2000)
    two_sided = Analysis(alpha=0.05, sided=2).rejects(reps[:, 0]).mean()
    assert abs(two_sided - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 2000)


@pytest.mark.parametrize("kw, message", [
    ({"replicates": 0}, "replicates"),
    ({"seed": -1}, "seed"),
    ({"backend": "spark"}, "backend"),
    ({"backend": "dask"}, "address"),
    ({"workers": -2}, "workers"),
])
def test_bad_run_settings_are_named(kw, message):
    args = {"scenario": _scenario(0.8, n=40, events=20), "replicates": 2, "seed": 1, **kw}
    with pytest.raises(ValueError, match=message):
        simulate(**args)


def test_batches_stream_in_order_with_bounded_memory():
    """Batches finishing out of order are yielded in replicate order, and at most
    ``in_flight`` are submitted or held back at any time, whatever the number of batches:
    memory is flat in the number of replicates."""
    from concurrent.futures import Future

    from helpers.design.simulation.runner import _ordered_results

    class ReversingExecutor:
        """Holds batches until 3 are open (or the last one came), then finishes them newest
        first: the worst case for ordering."""

        def __init__(self, total):
            self.total, self.submitted, self.open, self.max_open = total, 0, [], 0

        def submit(self, fn, *args):
            future = Future()
            self.submitted += 1
            self.open.append((future, fn(*args)))
            self.max_open = max(self.max_open, len(self.open))
            if len(self.open) == 3 or self.submitted == self.total:
                for fut, value in reversed(self.open):
                    fut.set_result(value)
                self.open = []
            return future

    batches = [(i, i + 1) for i in range(200)]
    executor = ReversingExecutor(len(batches))
    yielded = []
    for x in _ordered_results(executor, lambda a, b: np.array([a]), batches, in_flight=4):
        yielded.append(int(x[0]))
        assert executor.submitted - len(yielded) <= 4  # submitted but not yet consumed
    assert yielded == list(range(200))
    assert executor.max_open <= 3


def test_progress_bar_on_request(capsys):
    simulate(_scenario(0.8, n=40, events=20), 6, seed=1, workers=1, progress=True)
    assert "6/6" in capsys.readouterr().err
    simulate(_scenario(0.8, n=40, events=20), 6, seed=1, workers=1)  # short run: no bar
    assert capsys.readouterr().err == ""
