"""Execute the notebooks of a run with papermill in worker processes and publish the run.

A run is all-or-nothing. A notebook writes only into its staging directory (its injected
``output_dir``); when it succeeds the runner moves its outputs into a new, unpublished
generation. When every notebook succeeded, the outputs of the unchanged (skipped) notebooks are
linked into the new generation, its ``run_record.json`` is written last, and the generation is
published by one atomic replace of the ``current`` link. When any notebook fails, or the runner
is killed, nothing is published: the previous complete run stays as it was. Workers and kernels
die with the runner (``helpers.run.process_death``); the next run removes the debris.

The notebook to execute is always built from the percent ``.py`` (the source of truth, the
file reviewed in git) with jupytext, in memory: the runner never writes into ``notebooks/``,
so a run cannot race an editor or JupyterLab's pairing, and a stale ``.ipynb`` cannot be run.
What to execute is decided by ``helpers.run.plan``, the inputs checked first by
``helpers.run.preflight``; the command line is ``helpers.run.cli``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.core.atomic import atomic_write_json, atomic_write_text, remove_path
from helpers.core.errors import DataValidationError, ParameterError
from helpers.config.params import ParameterFile, load_parameter_file, resolve_path
from helpers.run.ard import write_run_ard
from helpers.run.executed import (_describe_cell, _display_path, _last_started_cell,
                                   _source_index, normalise_executed)
from helpers.run.layout import (MANIFEST, RECORD, carry_over, current_generation, fsync_tree,
                                new_generation, new_staging, publish, remove_debris)
from helpers.run.plan import (DATA_SUFFIXES, KERNEL_NAME, NOTEBOOKS_DIR, Notebook, Plan,
                              discover_notebooks, make_plan, published_keys,
                              select_notebooks)
from helpers.run.preflight import check_data_dir, check_output_dir, preflight
from helpers.run.process_death import die_with_parent

__all__ = ["Outcome", "RunReport", "execute_notebook", "run"]

#: Environment of the kernels: fixed hash seed, one BLAS thread (deterministic sums, and the
#: cores go to parallel notebooks), fixed date for matplotlib's PDF/PS metadata.
KERNEL_ENV = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "SOURCE_DATE_EPOCH": "0",
}
OUTPUT_KINDS = ("figures", "tables")  # per-notebook directories; results are one file each


KERNEL_START_ATTEMPTS = 3
KERNEL_START_FAILURE = "Kernel died before replying to kernel_info"  # jupyter_client's words


# --------------------------------------------------------------------------- execution
@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    seconds: float
    error: str = ""


def available_cpus() -> int:
    """CPUs this process may run on (the affinity mask, else the CPU count)."""
    with contextlib.suppress(AttributeError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _init_worker(kernel_log: str | None = None, runner_pid: int | None = None,
                 kernel_cwd: str | None = None, data: dict | None = None) -> None:
    import logging

    die_with_parent(runner_pid)  # a killed runner takes its workers (and their kernels) along
    os.environ.update(KERNEL_ENV)
    if kernel_log:  # kernels inherit stderr: their start-up chatter goes to the run's log
        fd = os.open(kernel_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    if kernel_cwd and os.environ.get("SUPPLEMENT_FORK_KERNELS", "1") != "0":
        # this worker's kernels are forked from a process that has imported already
        from helpers.run.zygote import start_zygote

        start_zygote(kernel_cwd, KERNEL_NAME, data)
    logging.getLogger("papermill").setLevel(logging.ERROR)  # not "Passed unknown parameter"


def execute_notebook(notebook: Notebook, parameters: dict, staging: Path,
                     cwd: Path) -> Outcome:
    """Execute ``notebook`` with papermill into ``staging`` (runs in a worker process)."""
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from helpers.run.process_death import kernel_manager_class

    start = time.perf_counter()
    output = staging / "notebook.ipynb"
    nb = jupytext.read(notebook.source)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3",
                                 "language": "python"}
    try:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                papermill.execute_notebook(nb, str(output), parameters=parameters,
                                           kernel_name=KERNEL_NAME, language="python",
                                           cwd=str(cwd), progress_bar=False, log_output=False,
                                           kernel_manager_class=kernel_manager_class())
                break
            except RuntimeError as exc:
                # Kernels started at the same moment can pick the same free TCP port; the
                # loser dies before any cell ran ("Address already in use"). Start it again.
                if KERNEL_START_FAILURE not in str(exc) or attempt == KERNEL_START_ATTEMPTS:
                    raise
    except PapermillExecutionError as exc:
        where = _describe_cell(notebook.source, exc.source, exc.exec_count,
                               _source_index(output, exc.cell_index))
        message = f"{where}: {exc.ename}: {exc.evalue}"
        return Outcome(notebook.name, False, time.perf_counter() - start, message)
    except Exception as exc:  # the kernel died, timed out or could not start
        where = _last_started_cell(notebook.source, output)
        message = f"{where}: {type(exc).__name__}: {exc}"
        return Outcome(notebook.name, False, time.perf_counter() - start, message)
    return Outcome(notebook.name, True, time.perf_counter() - start)


# --------------------------------------------------------------------------- run directory
def promote(generation: Path, staging: Path, notebook: Notebook, run_dir: Path) -> list[str]:
    """Move a succeeded notebook's outputs from ``staging`` into the unpublished ``generation``.

    Returns the staged files that are not the notebook's outputs (not kept), e.g. from a
    ``notebook_context`` given another notebook's name.
    """
    name = notebook.name
    executed = staging / "notebook.ipynb"
    atomic_write_text(generation / "notebooks" / f"{name}.ipynb",
                      normalise_executed(executed, notebook.source, staging, run_dir))
    executed.unlink()
    results = staging / "results" / f"{name}.json"
    if results.exists():
        (generation / "results").mkdir(parents=True, exist_ok=True)
        os.replace(results, generation / "results" / f"{name}.json")
    ard = staging / "ard" / f"{name}.parquet"
    if ard.exists():
        (generation / "ard").mkdir(parents=True, exist_ok=True)
        os.replace(ard, generation / "ard" / f"{name}.parquet")
    for kind in OUTPUT_KINDS:
        produced = staging / kind / name
        if produced.is_dir():
            (generation / kind).mkdir(parents=True, exist_ok=True)
            os.replace(produced, generation / kind / name)
    return sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())


@contextlib.contextmanager
def _run_lock(run_dir: Path):
    """Hold an exclusive lock on ``run_dir`` (released by the OS if the process dies)."""
    import fcntl

    (run_dir / ".state").mkdir(parents=True, exist_ok=True)
    with open(run_dir / ".state" / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ParameterError(f"{run_dir}: another run is using this run directory") from None
        yield


@dataclass(frozen=True)
class RunReport:
    run_dir: Path
    executed: list[str]
    skipped: list[str]
    failed: list[Outcome]
    published: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed


def run(params_path: str | os.PathLike, workers: int | None = None, force: bool = False,
        notebooks: Sequence[str] | None = None, notebooks_dir: str | os.PathLike = NOTEBOOKS_DIR,
        echo: Callable[[str], None] = print) -> RunReport:
    """Execute the (changed, or all with ``force``) notebooks for one parameter file.

    All or nothing: the new outputs are published together (one new generation, see
    ``helpers.run.layout``) only when every executed notebook succeeded; otherwise the
    previous complete run stays published, untouched.
    """
    from helpers.run.comparisons import comparison_files

    runs = comparison_files(load_parameter_file(params_path))
    if len(runs) == 1:
        return _run_file(runs[0][1], workers, force, notebooks, notebooks_dir, echo)
    notebooks_dir = Path(notebooks_dir).resolve()
    if notebooks_dir == NOTEBOOKS_DIR.resolve():  # every comparison's data checked first
        for _slug, pfile in runs:
            preflight(pfile, select_notebooks(discover_notebooks(notebooks_dir), notebooks))
    reports = []
    for slug, pfile in runs:
        echo(f"comparison {slug} -> {_display_path(pfile.output_dir)}")
        report = _run_file(pfile, workers, force, notebooks, notebooks_dir, echo)
        if not report.ok:
            return report
        reports.append(report)
    return RunReport(runs[0][1].output_dir.parent,
                     [f"{slug}/{n}" for (slug, _), r in zip(runs, reports) for n in r.executed],
                     [f"{slug}/{n}" for (slug, _), r in zip(runs, reports) for n in r.skipped],
                     [], all(r.published for r in reports))


def _run_file(pfile: ParameterFile, workers: int | None, force: bool,
              notebooks: Sequence[str] | None, notebooks_dir: str | os.PathLike,
              echo: Callable[[str], None]) -> RunReport:
    """:func:`run` of one parameter file (one comparison)."""
    notebooks_dir = Path(notebooks_dir).resolve()
    discovered = discover_notebooks(notebooks_dir)
    selected = select_notebooks(discovered, notebooks)
    if not selected:
        raise ParameterError(f"{notebooks_dir}: no NN_name notebooks found")
    run_dir = pfile.output_dir
    check_output_dir(run_dir)
    for data_dir in sorted({str(pfile.given(nb.name).get("data_dir", "data")) for nb in discovered}):
        check_data_dir(data_dir)
    started_at = dt.datetime.now(dt.timezone.utc)
    started = time.perf_counter()
    existed = run_dir.exists()
    with _run_lock(run_dir):
        for debris in remove_debris(run_dir, keep=None):
            echo(f"  clean  {debris}  (left by an interrupted run)")
        plan = make_plan(pfile, discovered, run_dir, force, selected)
        # the workers start (and their zygotes import) while the preflight checks the data
        workers_started = Workers.start(pfile, plan.todo, workers, run_dir, notebooks_dir)
        try:
            if plan.todo and notebooks_dir == NOTEBOOKS_DIR.resolve():  # the data our notebooks need
                preflight(pfile, plan.todo)
        except BaseException as exc:
            workers_started.stop()
            if isinstance(exc, (ParameterError, DataValidationError)) and not existed:
                remove_path(run_dir)  # a run that never started leaves no directory behind
            raise
        for name in plan.skipped:
            echo(f"  skip   {name}  (unchanged)")
            remove_path(run_dir / "failed" / f"{name}.ipynb")  # its published outputs are current
        current = current_generation(run_dir)
        unrecorded = plan.complete and current is not None and not (current / RECORD).is_file()
        # (every notebook current again, e.g. inputs restored after a --notebooks run: the
        # complete run gets its record in a new generation without executing anything)
        generation = new_generation(run_dir) if plan.todo or unrecorded else None
        try:
            outcomes = _execute_all(pfile, plan.todo, generation, run_dir, workers_started, echo)
            failed = [o for o in outcomes if not o.ok]
            published = False
            if generation is not None and not failed:
                _finish_generation(pfile, plan, generation, run_dir, started_at,
                                   [o.name for o in outcomes])
                publish(run_dir, generation)
                published = True
                for outcome in outcomes:
                    remove_path(run_dir / "failed" / f"{outcome.name}.ipynb")
        finally:
            workers_started.stop()
            remove_debris(run_dir, keep=None)
    executed = [o.name for o in outcomes if o.ok]
    echo(f"run {pfile.run_label!r}: {len(executed)} executed, {len(plan.skipped)} unchanged, "
         f"{len(failed)} failed in {time.perf_counter() - started:.1f} s -> {_display_path(run_dir)}")
    if failed and executed:
        echo(f"  not published: the new results of {', '.join(executed)} are discarded with the "
             f"failed run; the previous complete run is kept")
    return RunReport(run_dir, executed, plan.skipped, failed, published)


def _finish_generation(pfile: ParameterFile, plan: Plan, generation: Path, run_dir: Path,
                       started_at: dt.datetime, executed: list[str]) -> None:
    """Carry the unchanged notebooks over, write the manifest, and (for a complete run) the
    run record last; everything flushed to disk before the generation is published."""
    from helpers.run.record import build_record, data_files, study_files

    previous = current_generation(run_dir)
    published = published_keys(run_dir)
    carried = [name for name in plan.carried if name not in executed]
    if previous is not None:
        carry_over(previous, generation, carried)
    keys = {**{name: published[name] for name in carried}, **{name: plan.keys[name] for name in executed}}
    atomic_write_json(generation / MANIFEST, {"keys": dict(sorted(keys.items()))})
    if plan.complete:
        names = sorted(plan.keys)
        given = {name: {**pfile.for_notebook(name), "output_dir": _display_path(run_dir)}
                 for name in names}
        data_dirs = {resolve_path(params.get("data_dir", "data")) for params in given.values()}
        record = build_record(
            run_label=pfile.run_label, parameter_file=pfile.path.resolve(), notebooks=given,
            executed=executed, data=data_files(data_dirs, DATA_SUFFIXES),
            study=study_files(given.values()), helpers_fingerprint=plan.helpers_hash,
            started=started_at, finished=dt.datetime.now(dt.timezone.utc))
        write_run_ard(generation, names)
        fsync_tree(generation)
        atomic_write_json(generation / RECORD, record)
    fsync_tree(generation)


@dataclass
class Workers:
    """The run's worker processes, started before the preflight so that each worker and its
    zygote (``helpers.run.zygote``: the kernels' imports) start while the data are checked."""

    pool: object | None  # concurrent.futures.ProcessPoolExecutor, None: nothing to execute
    count: int
    notebooks_dir: Path

    @classmethod
    def start(cls, pfile: ParameterFile, todo: list[Notebook], workers: int | None,
              run_dir: Path, notebooks_dir: Path) -> "Workers":
        """``workers`` processes (default: the CPUs; at most one per notebook of ``todo``),
        starting now; their zygotes read the trial data once when all of ``todo`` read the
        same (``helpers.run.zygote.preload_data``)."""
        if not todo:
            return cls(None, 0, notebooks_dir)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from helpers.data.run_data import DATA_PARAMETERS

        count = max(1, min(workers or available_cpus(), len(todo)))
        data = {json.dumps({key: params.get(key) for key in DATA_PARAMETERS})
                for params in map(pfile.for_notebook, (nb.name for nb in todo))}
        kernel_log = run_dir / ".state" / "kernels.log"  # stderr of this run's kernels
        kernel_log.write_text("")
        pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker,
                                   initargs=(str(kernel_log), os.getpid(), str(notebooks_dir),
                                             json.loads(data.pop()) if len(data) == 1 else None))
        for _ in range(count):  # the pool starts a process for each task submitted
            pool.submit(_zygote_ready)
        return cls(pool, count, notebooks_dir)

    def stop(self) -> None:
        """End the workers (their zygotes and kernels end with them); idempotent."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def _zygote_ready() -> bool:
    """(In a worker) wait until this worker's zygote has imported what the kernels need."""
    from helpers.run import zygote

    return zygote._zygote is not None and zygote._zygote.ready()


def _execute_all(pfile: ParameterFile, todo: list[Notebook], generation: Path | None,
                 run_dir: Path, workers: Workers,
                 echo: Callable[[str], None]) -> list[Outcome]:
    """Execute ``todo`` on the started ``workers``; move each success into ``generation``."""
    if not todo:
        return []
    from concurrent.futures import as_completed

    pool, outcomes = workers.pool, []
    staging_root = new_staging(run_dir)
    futures = {}
    for nb in todo:
        staging = staging_root / nb.name
        staging.mkdir()
        parameters = {**pfile.for_notebook(nb.name), "output_dir": _display_path(staging)}
        futures[pool.submit(execute_notebook, nb, parameters, staging,
                            workers.notebooks_dir)] = nb
    waiting = list(todo)  # the pool starts notebooks in submission order
    for nb in waiting[:workers.count]:
        echo(f"  start  {nb.name}")
    del waiting[:workers.count]
    for future in as_completed(futures):
        nb = futures[future]
        outcome = future.result()
        staging = staging_root / nb.name
        if outcome.ok:
            stray = promote(generation, staging, nb, run_dir)
            echo(f"  done   {nb.name}  {outcome.seconds:.1f} s")
            if stray:
                echo(f"  note   {nb.name} wrote files outside its outputs, not kept: "
                     f"{', '.join(stray)}")
        else:
            failed_copy = staging / "notebook.ipynb"
            if failed_copy.exists():
                (run_dir / "failed").mkdir(parents=True, exist_ok=True)
                os.replace(failed_copy, run_dir / "failed" / f"{nb.name}.ipynb")
            echo(f"  FAILED {nb.name}  {outcome.seconds:.1f} s")
        remove_path(staging)
        outcomes.append(outcome)
        if waiting:
            echo(f"  start  {waiting.pop(0).name}")
    return sorted(outcomes, key=lambda o: o.name)
