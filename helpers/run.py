"""Run the supplement: every notebook executed by papermill into one run directory.

``jcog1017-run PARAMS.yaml [--workers N] [--force] [--notebooks 03_os ...]``

Layout of a run directory (``output_dir`` of the parameter file), see ``helpers.run_layout``::

    RUN/notebooks/NN_name.ipynb   executed notebook (timing metadata stripped)
    RUN/results/NN_name.json      the notebook's results (NotebookContext.write_results)
    RUN/figures/NN_name/*.png     its figures            (NotebookContext.save_figure)
    RUN/tables/NN_name/*.csv      its tables             (NotebookContext.save_table)
    RUN/run_record.json           parameters, data files (SHA-256), versions: a complete run
    RUN/failed/NN_name.ipynb      the partly executed notebook of its last failed run

``notebooks``, ``results``, ``figures``, ``tables`` and ``run_record.json`` are links into the
published generation ``RUN/current -> .generations/<id>``.

The notebook to execute is always built from the percent ``.py`` (the source of truth, the
file reviewed in git) with jupytext, in memory: the runner never writes into ``notebooks/``,
so a run cannot race an editor or JupyterLab's pairing, and a stale ``.ipynb`` cannot be run.

A run is all-or-nothing. A notebook writes only into its staging directory (its injected
``output_dir``); when it succeeds the runner moves its outputs into a new, unpublished
generation. When every notebook succeeded, the outputs of the unchanged (skipped) notebooks are
linked into the new generation, its ``run_record.json`` is written last, and the generation is
published by one atomic replace of the ``current`` link. When any notebook fails, or the runner
is killed, nothing is published: the previous complete run stays as it was. Workers and kernels
die with the runner (``helpers.process_death``); the next run removes the debris.

A notebook is skipped when its ``.py``, its parameters, the data files under ``data_dir`` and
the ``helpers`` source are unchanged since its last success; deciding that imports neither
pandas nor papermill.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.atomic import (atomic_write_json, atomic_write_text, remove_path,
                            save_figure as _save_figure, save_table_csv)
from helpers.errors import DataValidationError, ParameterError
from helpers.params import REPO_ROOT, ParameterFile, load_parameter_file, resolve_path
from helpers.process_death import die_with_parent
from helpers.run_layout import (MANIFEST, PUBLISHED, RECORD, carry_over, current_generation,
                                fsync_tree, new_generation, new_staging, publish, remove_debris)
from helpers.study import load_study
from helpers.run_record import IncompleteRunError, require_complete_run

__all__ = ["IncompleteRunError", "NotebookContext", "main", "notebook_context",
           "require_complete_run", "run"]

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
HELPERS_DIR = Path(__file__).resolve().parent
KERNEL_NAME = "python3"
#: Suffixes of the data files the loader reads (as helpers.io.FORMATS): hashed for skipping.
DATA_SUFFIXES = (".csv", ".parquet", ".xpt", ".sas7bdat")
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
_NAME = re.compile(r"^\d+_[A-Za-z0-9_-]+$")


# --------------------------------------------------------------------------- notebook side
@dataclass(frozen=True)
class NotebookContext:
    """Where one notebook writes its outputs (a run or staging directory) and how."""

    output_dir: Path
    notebook: str

    @property
    def results_path(self) -> Path:
        return self.output_dir / "results" / f"{self.notebook}.json"

    def figure_path(self, name: str) -> Path:
        """Path of figure ``name`` (``.png`` unless ``name`` has a suffix)."""
        return self.output_dir / "figures" / self.notebook / _with_suffix(name, ".png")

    def table_path(self, name: str) -> Path:
        """Path of table ``name`` (``.csv``)."""
        return self.output_dir / "tables" / self.notebook / _with_suffix(name, ".csv")

    def write_results(self, results: dict) -> None:
        """Write ``results`` as deterministic JSON (sorted keys, 12-digit floats), atomically.

        Returns None, so that a notebook cell ending in this call shows no (staging) path."""
        atomic_write_json(self.results_path, results)

    def save_figure(self, fig: Any, name: str, **savefig_kwargs: Any) -> None:
        """Save a matplotlib figure reproducibly and atomically (see helpers.atomic.save_figure)."""
        _save_figure(fig, self.figure_path(name), **savefig_kwargs)

    def save_table(self, df: Any, name: str, index: bool | None = None) -> None:
        """Save a DataFrame as deterministic CSV; the index is written unless it is a RangeIndex."""
        save_table_csv(df, self.table_path(name), index=index)


def _with_suffix(name: str, default: str) -> str:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ParameterError(f"output name must be a plain file name, got {name!r}")
    return name if Path(name).suffix else name + default


def notebook_context(output_dir: str | os.PathLike | None = None,
                     notebook: str | None = None) -> NotebookContext:
    """The output context of ``notebook`` (its file stem, e.g. ``"03_overall_survival"``).

    Under the runner ``output_dir`` is the injected staging directory; interactively it is
    the parameters cell's default (``runs/interactive``). Relative paths are taken relative
    to the repository root.
    """
    if not notebook or "/" in notebook:
        raise ParameterError(f"notebook_context: notebook must be the notebook's stem, got {notebook!r}")
    return NotebookContext(resolve_path(output_dir or "runs/interactive"), notebook)


# --------------------------------------------------------------------------- fingerprints
def _sha256_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def data_fingerprint(data_dir: str | os.PathLike) -> str:
    """Hash of every data file (recognised suffix) under ``data_dir``, with relative names."""
    root = resolve_path(data_dir)
    if not root.is_dir():
        return "missing"
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES]
    return _sha256_files(files, root)


def helpers_fingerprint() -> str:
    """Hash of the helpers package source (.py, .yaml, .json)."""
    files = [p for p in HELPERS_DIR.rglob("*") if p.is_file()
             and p.suffix in (".py", ".yaml", ".json") and "__pycache__" not in p.parts]
    return _sha256_files(files, HELPERS_DIR)


def _run_key(source: Path, given: dict, data_hash: str, helpers_hash: str) -> str:
    payload = {
        "source": hashlib.sha256(source.read_bytes()).hexdigest(),
        "parameters": given,
        "data": data_hash,
        "helpers": helpers_hash,
        "kernel": KERNEL_NAME,
        "python": sys.version_info[:2],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- discovery
@dataclass(frozen=True)
class Notebook:
    name: str    # file stem, e.g. "03_overall_survival"
    source: Path  # the percent .py (or the .ipynb when there is no .py)


def discover_notebooks(directory: str | os.PathLike = NOTEBOOKS_DIR) -> list[Notebook]:
    """The ``NN_*`` notebooks of ``directory`` in reading order, preferring the ``.py``."""
    directory = Path(directory)
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("[0-9]*_*.ipynb")) + sorted(directory.glob("[0-9]*_*.py")):
        if _NAME.match(path.stem):
            found[path.stem] = path  # .py sorted last: it wins
    return [Notebook(name, found[name]) for name in sorted(found)]


def select_notebooks(notebooks: list[Notebook], wanted: Sequence[str] | None) -> list[Notebook]:
    """The notebooks named in ``wanted`` (stem, or its ``NN`` prefix); all when empty."""
    if not wanted:
        return notebooks
    chosen = []
    for want in wanted:
        hits = [nb for nb in notebooks if nb.name == want or nb.name.split("_", 1)[0] == want]
        if not hits:
            raise ParameterError(f"--notebooks: no notebook {want!r} "
                                 f"(have: {', '.join(nb.name for nb in notebooks)})")
        chosen += [nb for nb in hits if nb not in chosen]
    return [nb for nb in notebooks if nb in chosen]


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


def _init_worker(kernel_log: str | None = None, runner_pid: int | None = None) -> None:
    import logging

    die_with_parent(runner_pid)  # a killed runner takes its workers (and their kernels) along
    os.environ.update(KERNEL_ENV)
    if kernel_log:  # kernels inherit stderr: their start-up chatter goes to the run's log
        fd = os.open(kernel_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    logging.getLogger("papermill").setLevel(logging.ERROR)  # not "Passed unknown parameter"


def _display_path(path: Path) -> str:
    """``path`` relative to the repository root when inside it (portable notebooks)."""
    with contextlib.suppress(ValueError):
        return path.relative_to(REPO_ROOT).as_posix()
    return str(path)


KERNEL_START_ATTEMPTS = 3
KERNEL_START_FAILURE = "Kernel died before replying to kernel_info"  # jupyter_client's words


def execute_notebook(notebook: Notebook, parameters: dict, staging: Path,
                     cwd: Path) -> Outcome:
    """Execute ``notebook`` with papermill into ``staging`` (runs in a worker process)."""
    import jupytext
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from helpers.process_death import kernel_manager_class

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


def _source_index(output: Path, cell_index: int) -> int:
    """Index in the source notebook of executed cell ``cell_index`` (skipping injected cells)."""
    try:
        cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return cell_index
    injected = sum("injected-parameters" in c.get("metadata", {}).get("tags", [])
                   for c in cells[:cell_index])
    return cell_index - injected


def _last_started_cell(source: Path, output: Path) -> str:
    """Describe the last cell that started executing in the partly executed ``output``."""
    try:
        cells = json.loads(output.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return "before the first cell"
    # papermill stamps a cell's start_time when it starts it (before normalise_executed)
    started = [i for i, c in enumerate(cells)
               if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return "before the first cell"
    index = started[-1]
    cell = cells[index]
    text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return _describe_cell(source, text, cell["execution_count"], _source_index(output, index))


def _describe_cell(source: Path, cell_source: str, exec_count: Any, index: int) -> str:
    """``"cell 4 (In [5], notebooks/03_os.py:42: `fit = cox(...)`)"``; the cell is 1-based."""
    first = next((line for line in cell_source.splitlines() if line.strip()), "")
    location = _display_path(source)
    if first and source.suffix == ".py":
        lines = source.read_text(encoding="utf-8").splitlines()
        number = next((n for n, line in enumerate(lines, 1) if line.strip() == first.strip()), None)
        if number:
            location += f":{number}"
    return f"cell {index + 1} (In [{exec_count}], {location}: `{first.strip()}`)"


def normalise_executed(path: Path, source: Path, staging: Path, run_dir: Path) -> str:
    """The executed notebook at ``path`` without papermill's and nbclient's timing metadata.

    Removed: start/end times and durations (notebook and cells), nbclient's per-cell
    ``execution`` timestamps, and the notebook's input/output paths (replaced by the source
    path); random cell ids become ``cell-<index>``; the injected ``output_dir`` shows the run
    directory, where the outputs end up, rather than the staging directory. What remains
    differs between runs only where the notebook's own output does.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    staged, final = _display_path(staging), _display_path(run_dir)
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        meta.pop(key, None)
    if meta:
        meta["input_path"] = _display_path(source)
    if meta.get("parameters", {}).get("output_dir") == staged:
        meta["parameters"]["output_dir"] = final
    for index, cell in enumerate(nb.get("cells", [])):
        if "id" in cell:
            cell["id"] = f"cell-{index}"  # jupytext and papermill draw random ids
        cell_meta = cell.get("metadata", {})
        cell_meta.pop("execution", None)
        for key in ("start_time", "end_time", "duration"):
            cell_meta.get("papermill", {}).pop(key, None)
        if "injected-parameters" in cell_meta.get("tags", []):
            lines = cell["source"] if isinstance(cell["source"], list) else [cell["source"]]
            cell["source"] = [line.replace(f"output_dir = {json.dumps(staged)}",
                                           f"output_dir = {json.dumps(final)}") for line in lines]
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


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


def check_output_dir(path: Path) -> None:
    """ParameterError unless ``output_dir`` is (or can be created as) a writable directory.

    Writability is probed by creating and removing a directory in the nearest existing
    ancestor (permission bits do not stop root; a read-only file system or ``/sys`` does).
    """
    what = f"parameter 'output_dir': {path}"
    existing = path
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        raise ParameterError(f"{what} is {_kind(path)}, not a directory")
    if not existing.is_dir():
        raise ParameterError(f"{what} lies below {existing}, which is {_kind(existing)}, "
                             f"not a directory")
    try:
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".jcog1017-write-test-"))
    except OSError as exc:
        raise ParameterError(f"{what} is not writable: cannot create a directory in {existing} "
                             f"({exc.strerror})") from None
    foreign = [name for name in PUBLISHED if os.path.lexists(path / name)
               and not (path / name).is_symlink()]
    if foreign and not (path / ".state").is_dir():  # .state: a run directory of an older runner
        raise ParameterError(f"{what} already holds {', '.join(foreign)} that no run wrote "
                             f"(a run replaces them); choose an empty or run directory")


def check_data_dir(value: str | os.PathLike) -> None:
    """ParameterError unless ``data_dir`` is an existing directory (no file, no link loop)."""
    path = resolve_path(value)
    what = f"parameter 'data_dir': {path}"
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ParameterError(f"{what} is a symbolic link loop, not a directory") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise ParameterError(f"{what} does not exist") from None
        raise ParameterError(f"{what} cannot be read ({exc.strerror})") from None
    if not stat.S_ISDIR(mode):
        raise ParameterError(f"{what} is {_kind(path)}, not a directory of data files")


def _kind(path: Path) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return "a symbolic link loop" if exc.errno == errno.ELOOP else "a broken symbolic link"
    return "a regular file" if stat.S_ISREG(mode) else "not a directory"


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
    ``helpers.run_layout``) only when every executed notebook succeeded; otherwise the
    previous complete run stays published, untouched.
    """
    pfile = load_parameter_file(params_path)
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
        plan = _plan(pfile, discovered, run_dir, force, selected)
        try:
            if plan.todo and notebooks_dir == NOTEBOOKS_DIR.resolve():  # the data our notebooks need
                preflight(pfile, plan.todo)
        except (ParameterError, DataValidationError):
            if not existed:  # a run that never started leaves no directory behind
                remove_path(run_dir)
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
            outcomes = _execute_all(pfile, plan.todo, generation, run_dir, notebooks_dir,
                                    workers, echo)
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
            remove_debris(run_dir, keep=None)
    executed = [o.name for o in outcomes if o.ok]
    echo(f"run {pfile.run_label!r}: {len(executed)} executed, {len(plan.skipped)} unchanged, "
         f"{len(failed)} failed in {time.perf_counter() - started:.1f} s -> {_display_path(run_dir)}")
    if failed and executed:
        echo(f"  not published: the new results of {', '.join(executed)} are discarded with the "
             f"failed run; the previous complete run is kept")
    return RunReport(run_dir, executed, plan.skipped, failed, published)


def preflight(pfile: ParameterFile, notebooks: list[Notebook]) -> None:
    """Check the data of ``notebooks`` before any of them runs: each distinct data set (study
    configuration, data_dir, format) is loaded and validated once, then prepared as each
    notebook would (``helpers.dataset.prepare_run_data``: column parameters, data cut). Bad
    data, a study configuration that does not fit them or a bad parameter stop the run with a
    DataValidationError or ParameterError and nothing written."""
    from helpers.dataset import load_trial_data, prepare_run_data

    loaded = {}
    for nb in notebooks:
        params = pfile.for_notebook(nb.name)
        key = (params["study"], params["data_dir"], params["data_format"])
        if key not in loaded:
            loaded[key] = load_trial_data(resolve_path(params["data_dir"]), fmt=params["data_format"],
                                          study=params["study"])
        prepare_run_data(loaded[key], params)


@dataclass(frozen=True)
class Plan:
    todo: list[Notebook]        # to execute now
    skipped: list[str]          # selected, unchanged: carried over from the published generation
    carried: list[str]          # every notebook carried over (skipped, or not selected but present)
    keys: dict[str, str]        # content key of every discovered notebook on the current inputs
    complete: bool              # the new generation would hold every notebook, all current


def _plan(pfile: ParameterFile, discovered: list[Notebook], run_dir: Path, force: bool,
          selected: list[Notebook] | None = None) -> Plan:
    """What to execute, what to carry over from the published generation, and whether the
    result will be a complete run (every discovered notebook current)."""
    selected = discovered if selected is None else selected
    helpers_hash = helpers_fingerprint()
    data_hashes: dict[str, str] = {}
    study_hashes: dict[str | None, str] = {}
    keys = {}
    for nb in discovered:
        given = pfile.given(nb.name)
        data_dir = given.get("data_dir", "data")
        if data_dir not in data_hashes:
            data_hashes[data_dir] = data_fingerprint(data_dir)
        study = given.get("study")  # its content, not only its path, keys the run
        if study not in study_hashes:
            study_hashes[study] = load_study(study).sha256
        keys[nb.name] = _run_key(nb.source, {**given, "study_sha256": study_hashes[study]},
                                 data_hashes[data_dir], helpers_hash)
    published = _published_keys(run_dir)
    todo, skipped, carried = [], [], []
    for nb in discovered:
        current = published.get(nb.name) == keys[nb.name]
        if nb in selected and (force or not current):
            todo.append(nb)
        elif nb.name in published:
            carried.append(nb.name)
            if nb in selected:
                skipped.append(nb.name)
    executed_or_current = {nb.name for nb in todo} | {n for n in carried if published[n] == keys[n]}
    complete = executed_or_current == set(keys)
    return Plan(todo, skipped, carried, keys, complete)


def _published_keys(run_dir: Path) -> dict[str, str]:
    """Content keys of the notebooks in the published generation (present ones only)."""
    generation = current_generation(run_dir)
    if generation is None:
        return {}
    try:
        keys = json.loads((generation / MANIFEST).read_text())["keys"]
    except (OSError, ValueError, KeyError):
        return {}
    return {name: key for name, key in keys.items()
            if (generation / "notebooks" / f"{name}.ipynb").is_file()}


def _finish_generation(pfile: ParameterFile, plan: Plan, generation: Path, run_dir: Path,
                       started_at: dt.datetime, executed: list[str]) -> None:
    """Carry the unchanged notebooks over, write the manifest, and (for a complete run) the
    run record last; everything flushed to disk before the generation is published."""
    from helpers.run_record import build_record, data_files, study_files

    previous = current_generation(run_dir)
    published = _published_keys(run_dir)
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
            study=study_files(given.values()), helpers_fingerprint=helpers_fingerprint(),
            started=started_at, finished=dt.datetime.now(dt.timezone.utc))
        fsync_tree(generation)
        atomic_write_json(generation / RECORD, record)
    fsync_tree(generation)


def _execute_all(pfile: ParameterFile, todo: list[Notebook], generation: Path | None,
                 run_dir: Path, notebooks_dir: Path, workers: int | None,
                 echo: Callable[[str], None]) -> list[Outcome]:
    """Execute ``todo`` in a process pool; move each success into ``generation``."""
    if not todo:
        return []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = max(1, min(workers or available_cpus(), len(todo)))
    outcomes = []
    context = multiprocessing.get_context("spawn")
    kernel_log = run_dir / ".state" / "kernels.log"  # stderr of this run's kernels
    kernel_log.write_text("")
    staging_root = new_staging(run_dir)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(str(kernel_log), os.getpid())) as pool:
        futures = {}
        for nb in todo:
            staging = staging_root / nb.name
            staging.mkdir()
            parameters = {**pfile.for_notebook(nb.name), "output_dir": _display_path(staging)}
            futures[pool.submit(execute_notebook, nb, parameters, staging, notebooks_dir)] = nb
        waiting = list(todo)  # the pool starts notebooks in submission order
        for nb in waiting[:workers]:
            echo(f"  start  {nb.name}")
        del waiting[:workers]
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


# --------------------------------------------------------------------------- command line
def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``jcog1017-run``; returns the exit status (0 ok, 1 failed, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="jcog1017-run", description=__doc__.splitlines()[0])
    parser.add_argument("params", help="parameter file, e.g. params/default.yaml")
    parser.add_argument("--workers", type=int, default=None,
                        help="notebooks executed at once (default: the CPUs available)")
    parser.add_argument("--force", action="store_true", help="execute unchanged notebooks too")
    parser.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="only these notebooks (stem or NN prefix)")
    parser.add_argument("--notebooks-dir", default=str(NOTEBOOKS_DIR), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        report = run(args.params, args.workers, args.force, args.notebooks, args.notebooks_dir,
                     echo=lambda line: print(line, flush=True))
    except (ParameterError, DataValidationError) as exc:
        print(f"jcog1017-run: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk: where, not a traceback (nothing was published)
        from helpers.diskfull import is_disk_full, no_space_message

        if not is_disk_full(exc):
            raise
        where = exc.filename or load_parameter_file(args.params).output_dir
        print(f"jcog1017-run: {no_space_message(where)}", file=sys.stderr)
        return 1
    for outcome in report.failed:
        failed = _display_path(report.run_dir / "failed" / f"{outcome.name}.ipynb")
        print(f"jcog1017-run: notebook {outcome.name} failed in {outcome.error}\n"
              f"  partly executed notebook: {failed}; nothing of this run was published, "
              f"the previous complete run is kept", file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
