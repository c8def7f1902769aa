"""Run the supplement: every notebook executed by papermill into one run directory.

``supplement-run PARAMS.yaml [--workers N] [--force] [--notebooks 03_os ...]``

Layout of a run directory (``output_dir`` of the parameter file), see ``helpers.run.layout``::

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
die with the runner (``helpers.run.process_death``); the next run removes the debris.

A notebook is skipped when its ``.py``, its parameters, the data files under ``data_dir`` and
the ``helpers`` source are unchanged since its last success; deciding that imports neither
pandas nor papermill.
"""


from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from helpers.core.errors import DataValidationError, ParameterError
from helpers.run.execute import _display_path, run
from helpers.run.plan import NOTEBOOKS_DIR

__all__ = ["main"]


#: The runner's name in its messages.
PROG = "supplement-run"

def main(argv: Sequence[str] | None = None) -> int:
    """Console script ``supplement-run`` (alias of the bundled study: see pyproject.toml); returns the exit status (0 ok, 1 failed, 2 bad input)."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
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
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk: where, not a traceback (nothing was published)
        from helpers.config.params import load_parameter_file
        from helpers.core.diskfull import is_disk_full, no_space_message

        if not is_disk_full(exc):
            raise
        where = exc.filename or load_parameter_file(args.params).output_dir
        print(f"{PROG}: {no_space_message(where)}", file=sys.stderr)
        return 1
    for outcome in report.failed:
        failed = _display_path(report.run_dir / "failed" / f"{outcome.name}.ipynb")
        print(f"{PROG}: notebook {outcome.name} failed in {outcome.error}\n"
              f"  partly executed notebook: {failed}; nothing of this run was published, "
              f"the previous complete run is kept", file=sys.stderr)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
