"""Run the supplement: every notebook executed by papermill into one run directory.

``jcog1017-run PARAMS.yaml [--workers N] [--force] [--notebooks 03_os ...]``

Layout of a run directory (``output_dir`` of the parameter file)::

    RUN/notebooks/NN_name.ipynb   executed notebook (timing metadata stripped)
    RUN/results/NN_name.json      the notebook's results (NotebookContext.write_results)
    RUN/figures/NN_name/*.png     its figures            (NotebookContext.save_figure)
    RUN/tables/NN_name/*.csv      its tables             (NotebookContext.save_table)
    RUN/failed/NN_name.ipynb      the partly executed notebook of its last failed run
    RUN/.state/NN_name.json       content hash of its last successful run
    RUN/.staging/NN_name/         in-flight outputs of a running notebook

The notebook to execute is always built from the percent ``.py`` (the source of truth, the
file reviewed in git) with jupytext, in memory: the runner never writes into ``notebooks/``,
so a run cannot race an editor or JupyterLab's pairing, and a stale ``.ipynb`` cannot be run.

A notebook writes only into its staging directory (its injected ``output_dir``); when it
succeeds the runner moves each output into place with ``os.replace`` (files) or a directory
swap (figures, tables) and writes the state file last. A failed or killed notebook leaves the
previous outputs of the run untouched and is executed again next time.

A notebook is skipped when its ``.py``, its parameters, the data files under ``data_dir`` and
the ``helpers`` source are unchanged since its last success; deciding that imports neither
pandas nor papermill.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.atomic import (atomic_write_json, atomic_write_text, remove_path, replace_directory,
                            save_figure as _save_figure, save_table_csv)
from helpers.errors import DataValidationError, ParameterError
from helpers.params import REPO_ROOT, ParameterFile, load_parameter_file, resolve_path
from helpers.study import load_study

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


def _init_worker(kernel_log: str | None = None) -> None:
    import logging

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
                                           cwd=str(cwd), progress_bar=False, log_output=False)
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
def promote(run_dir: Path, staging: Path, notebook: Notebook, state: dict) -> list[str]:
    """Move a succeeded notebook's outputs from ``staging`` into ``run_dir``; state last.

    Returns the staged files that are not the notebook's outputs (not kept), e.g. from a
    ``notebook_context`` given another notebook's name.
    """
    name = notebook.name
    executed = staging / "notebook.ipynb"
    atomic_write_text(run_dir / "notebooks" / f"{name}.ipynb",
                      normalise_executed(executed, notebook.source, staging, run_dir))
    executed.unlink()
    results = staging / "results" / f"{name}.json"
    if results.exists():
        (run_dir / "results").mkdir(parents=True, exist_ok=True)
        os.replace(results, run_dir / "results" / f"{name}.json")
    else:
        remove_path(run_dir / "results" / f"{name}.json")
    for kind in OUTPUT_KINDS:
        produced = staging / kind / name
        if produced.is_dir():
            replace_directory(produced, run_dir / kind / name)
        else:
            remove_path(run_dir / kind / name)
    remove_path(run_dir / "failed" / f"{name}.ipynb")
    atomic_write_json(run_dir / ".state" / f"{name}.json", state)
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

    @property
    def ok(self) -> bool:
        return not self.failed


def run(params_path: str | os.PathLike, workers: int | None = None, force: bool = False,
        notebooks: Sequence[str] | None = None, notebooks_dir: str | os.PathLike = NOTEBOOKS_DIR,
        echo: Callable[[str], None] = print) -> RunReport:
    """Execute the (changed, or all with ``force``) notebooks for one parameter file."""
    pfile = load_parameter_file(params_path)
    notebooks_dir = Path(notebooks_dir).resolve()
    selected = select_notebooks(discover_notebooks(notebooks_dir), notebooks)
    if not selected:
        raise ParameterError(f"{notebooks_dir}: no NN_name notebooks found")
    run_dir = pfile.output_dir
    started = time.perf_counter()
    existed = run_dir.exists()
    with _run_lock(run_dir):
        remove_path(run_dir / ".staging")  # leftovers of a killed run
        todo, skipped, keys = _plan(pfile, selected, run_dir, force)
        try:
            if todo and notebooks_dir == NOTEBOOKS_DIR.resolve():  # the data our notebooks need
                preflight(pfile, todo)
        except (ParameterError, DataValidationError):
            if not existed:  # a run that never started leaves no directory behind
                remove_path(run_dir)
            raise
        for name in skipped:
            echo(f"  skip   {name}  (unchanged)")
        outcomes = _execute_all(pfile, todo, keys, run_dir, notebooks_dir, workers, echo)
        remove_path(run_dir / ".staging")
    failed = [o for o in outcomes if not o.ok]
    executed = [o.name for o in outcomes if o.ok]
    echo(f"run {pfile.run_label!r}: {len(executed)} executed, {len(skipped)} unchanged, "
         f"{len(failed)} failed in {time.perf_counter() - started:.1f} s -> {_display_path(run_dir)}")
    return RunReport(run_dir, executed, skipped, failed)


def preflight(pfile: ParameterFile, notebooks: list[Notebook]) -> None:
    """Load and check the data of every distinct data set-up of ``notebooks`` once, before any
    notebook runs: bad data or a study configuration that does not fit them stop the run with
    a DataValidationError or ParameterError and nothing written."""
    from helpers.dataset import load_run_data

    seen = set()
    for nb in notebooks:
        params = pfile.for_notebook(nb.name)
        key = json.dumps({k: params[k] for k in ("study", "data_dir", "data_format", "data_cut",
                                                 "population", "strata", "subgroups")},
                         sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            load_run_data(params)


def _plan(pfile: ParameterFile, selected: list[Notebook], run_dir: Path, force: bool):
    """Split ``selected`` into notebooks to execute and unchanged ones; their content keys."""
    helpers_hash = helpers_fingerprint()
    data_hashes: dict[str, str] = {}
    todo, skipped, keys = [], [], {}
    for nb in selected:
        given = pfile.given(nb.name)
        data_dir = given.get("data_dir", "data")
        if data_dir not in data_hashes:
            data_hashes[data_dir] = data_fingerprint(data_dir)
        study = load_study(given.get("study"))  # its content, not only its path, keys the run
        keys[nb.name] = _run_key(nb.source, {**given, "study_sha256": study.sha256},
                                 data_hashes[data_dir], helpers_hash)
        if not force and _state_key(run_dir, nb.name) == keys[nb.name] \
                and (run_dir / "notebooks" / f"{nb.name}.ipynb").exists():
            skipped.append(nb.name)
            remove_path(run_dir / "failed" / f"{nb.name}.ipynb")  # outputs are up to date
        else:
            todo.append(nb)
    return todo, skipped, keys


def _state_key(run_dir: Path, name: str) -> str | None:
    try:
        return json.loads((run_dir / ".state" / f"{name}.json").read_text())["key"]
    except (OSError, ValueError, KeyError):
        return None


def _execute_all(pfile: ParameterFile, todo: list[Notebook], keys: dict[str, str],
                 run_dir: Path, notebooks_dir: Path, workers: int | None,
                 echo: Callable[[str], None]) -> list[Outcome]:
    """Execute ``todo`` in a process pool; promote each success as it finishes."""
    if not todo:
        return []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = max(1, min(workers or available_cpus(), len(todo)))
    outcomes = []
    context = multiprocessing.get_context("spawn")
    kernel_log = run_dir / ".state" / "kernels.log"  # stderr of this run's kernels
    kernel_log.write_text("")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(str(kernel_log),)) as pool:
        futures = {}
        for nb in todo:
            staging = run_dir / ".staging" / nb.name
            staging.mkdir(parents=True)
            parameters = {**pfile.for_notebook(nb.name), "output_dir": _display_path(staging)}
            futures[pool.submit(execute_notebook, nb, parameters, staging, notebooks_dir)] = nb
        waiting = list(todo)  # the pool starts notebooks in submission order
        for nb in waiting[:workers]:
            echo(f"  start  {nb.name}")
        del waiting[:workers]
        for future in as_completed(futures):
            nb = futures[future]
            outcome = future.result()
            staging = run_dir / ".staging" / nb.name
            if outcome.ok:
                stray = promote(run_dir, staging, nb, {"key": keys[nb.name], "notebook": nb.name})
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
    for outcome in report.failed:
        failed = _display_path(report.run_dir / "failed" / f"{outcome.name}.ipynb")
        print(f"jcog1017-run: notebook {outcome.name} failed in {outcome.error}\n"
              f"  partly executed notebook: {failed}; previous results of this run are kept",
              file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
