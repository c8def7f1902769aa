"""Run many simulated trials of a scenario: locally on all cores or on a Dask cluster.

Replicate ``i`` draws from ``SeedSequence(seed).spawn(n)[i]`` (built directly as
``SeedSequence(seed, spawn_key=(i,))``), so its numbers do not depend on the backend, the
number of workers or the batch size. Batches of replicates are submitted with a bounded
number in flight and their statistics reduced in replicate order as they arrive: memory
stays flat in the number of replicates and the summary is identical on every backend.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack

import numpy as np

from .batch import analyse_trials, simulate_trials
from .scenario import Scenario
from .summary import Accumulator, OperatingCharacteristics
from .trial import STATISTICS, Analysis, analyse_trial, simulate_trial

BACKENDS = ("local", "dask")
#: ``progress=None`` shows a progress bar from this many replicates on
PROGRESS_FROM = 5_000


def replicate_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of replicate ``index``: ``SeedSequence(seed).spawn(index + 1)[index]``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))


#: replicates simulated and analysed together as 2-D arrays (``batch``): large enough that
#: the per-call overhead is spread, small enough that the arrays stay in the CPU caches
CHUNK = 256


def simulate_batch(scenario: Scenario, analysis: Analysis, seed: int, start: int,
                   stop: int) -> np.ndarray:
    """Statistics (rows: replicates ``start..stop-1``; columns :data:`~.trial.STATISTICS`),
    the replicates simulated and analysed ``CHUNK`` at a time (``batch``); the numbers of
    :func:`simulate_batch_per_trial` bit for bit."""
    parts = []
    for a in range(start, stop, CHUNK):
        rngs = [replicate_rng(seed, i) for i in range(a, min(a + CHUNK, stop))]
        parts.append(analyse_trials(simulate_trials(scenario, rngs), analysis))
    return np.concatenate(parts) if parts else np.empty((0, len(STATISTICS)))


def simulate_batch_per_trial(scenario: Scenario, analysis: Analysis, seed: int, start: int,
                             stop: int) -> np.ndarray:
    """:func:`simulate_batch` one trial at a time (``simulate_trial``, ``analyse_trial``):
    the reference of the batched path (tests, benchmark)."""
    out = np.empty((stop - start, len(STATISTICS)))
    for row, index in enumerate(range(start, stop)):
        out[row] = analyse_trial(simulate_trial(scenario, replicate_rng(seed, index)), analysis)
    return out


class _InlineExecutor(Executor):
    """Runs each batch when submitted, in this process (one worker: no pool to start)."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller via the future
            future.set_exception(exc)
        return future


def _ordered_results(executor: Executor, fn: Callable, batches: list[tuple[int, int]],
                     in_flight: int) -> Iterator[np.ndarray]:
    """Results of ``fn(start, stop)`` per batch, in batch order, at most ``in_flight``
    batches submitted or waiting to be yielded at any time."""
    pending: dict[Future, int] = {}
    arrived: dict[int, np.ndarray] = {}
    next_batch = next_out = 0
    while next_out < len(batches):
        while next_batch < len(batches) and len(pending) + len(arrived) < in_flight:
            pending[executor.submit(fn, *batches[next_batch])] = next_batch
            next_batch += 1
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            arrived[pending.pop(future)] = future.result()
        while next_out in arrived:
            yield arrived.pop(next_out)
            next_out += 1


def _batches(n: int, batch_size: int) -> list[tuple[int, int]]:
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def default_workers() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


class _BatchTask:
    """``simulate_batch`` with the scenario bound (picklable, for process and Dask workers)."""

    def __init__(self, scenario: Scenario, analysis: Analysis, seed: int):
        self.scenario, self.analysis, self.seed = scenario, analysis, seed

    def __call__(self, start: int, stop: int) -> np.ndarray:
        return simulate_batch(self.scenario, self.analysis, self.seed, start, stop)


def simulate(
    scenario: Scenario,
    replicates: int,
    seed: int,
    analysis: Analysis = Analysis(),
    backend: str = "local",
    workers: int | None = None,
    address: str | None = None,
    batch_size: int | None = None,
    progress: bool | None = None,
    keep_replicates: bool = False,
) -> tuple[OperatingCharacteristics, np.ndarray | None]:
    """Simulate ``replicates`` trials of ``scenario`` and summarise them.

    ``backend="local"``: ``workers`` processes (default all cores; 1 runs in this process).
    ``backend="dask"``: the ``dask.distributed`` scheduler at ``address`` (a
    ``LocalCluster``'s ``scheduler_address`` in tests); ``workers`` is then unused.
    ``batch_size``: replicates per task (default about 8 tasks per worker, 25..1000).
    ``progress``: a tqdm bar (None: on from :data:`PROGRESS_FROM` replicates).
    Returns the summary and, with ``keep_replicates``, the per-replicate statistics
    (rows in replicate order, columns :data:`~.trial.STATISTICS`); else None.
    """
    if not isinstance(replicates, (int, np.integer)) or replicates < 1:
        raise ValueError(f"replicates must be a positive integer, got {replicates!r}")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "dask" and not address:
        raise ValueError("backend 'dask' needs the scheduler address")
    from tqdm import tqdm  # plain bar on stderr (tqdm.auto would need ipywidgets in Jupyter)

    with ExitStack() as stack:
        if backend == "dask":
            from distributed import Client

            client = stack.enter_context(Client(address))
            n_workers = max(1, sum(client.nthreads().values()))
            executor = client.get_executor(pure=False)
        else:
            n_workers = workers or default_workers()
            if n_workers < 1:
                raise ValueError(f"workers must be positive, got {workers!r}")
            executor = stack.enter_context(
                _InlineExecutor() if n_workers == 1 else ProcessPoolExecutor(n_workers))
        size = batch_size or min(1000, max(25, math.ceil(replicates / (8 * n_workers))))
        batches = _batches(int(replicates), int(size))
        bar = stack.enter_context(tqdm(
            total=int(replicates), unit="trial", desc=scenario.name,
            disable=not (progress if progress is not None else replicates >= PROGRESS_FROM)))
        acc, kept = Accumulator(analysis), []
        task = _BatchTask(scenario, analysis, int(seed))
        for stats in _ordered_results(executor, task, batches, in_flight=2 * n_workers):
            acc.add(stats)
            if keep_replicates:
                kept.append(stats)
            bar.update(len(stats))
    return acc.result(scenario.name, int(seed)), (np.concatenate(kept) if keep_replicates else None)
