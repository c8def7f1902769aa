"""Where one notebook's seconds go, measured by executing its code cells in a fresh interpreter
(no kernel, no papermill): what a kernel does after it started, split into phases.

- imports: every top-level ``import`` of the notebook's code cells, executed first, in order;
- data load: ``NotebookSession.data`` (reading and checking the trial data, the data cut);
- figures: ``NotebookSession.figure``, of which ``figure checks`` are the layout checks
  (``layout_problems``, ``min_print_font_pt``) and ``figure files`` the SVG + PNG writing;
- ARD: building the validated, formatted ARD of the notebook (``ard_view``, ``write_ard``)
  and writing the results JSON;
- analyses: the rest (statistics, tables, prose).

``python benchmarks/notebook_phases.py [--preloaded] NAME [PARAMS]`` prints one JSON object
(seconds per phase); ``--preloaded`` imports ``helpers.run.zygote.PRELOAD`` and reads the
trial data (``helpers.run.zygote.preload_data``) before the clock starts, as a kernel forked by
the runner's zygote has. ``benchmarks/bench_report.py`` runs it
for every notebook of the cold run.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The kernels' environment (helpers.run.execute.KERNEL_ENV), set before numpy is imported.
KERNEL_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1", "SOURCE_DATE_EPOCH": "0"}
PHASES = ("imports", "data load", "analyses", "figure checks", "figure files", "ARD")


class Timer:
    """Seconds spent inside wrapped callables, per phase (an outer phase excludes inner ones)."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(PHASES, 0.0)
        self._stack: list[list] = []

    def wrap(self, phase: str, function):
        def timed(*args, **kwargs):
            frame = [phase, time.perf_counter(), 0.0]  # phase, start, seconds of inner phases
            self._stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                self._stack.pop()
                spent = time.perf_counter() - frame[1]
                self.seconds[phase] += spent - frame[2]
                if self._stack:
                    self._stack[-1][2] += spent
        timed.__wrapped__ = function
        return timed


def notebook_cells(name: str) -> list[str]:
    import jupytext

    nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def imports_of(cells: list[str]) -> str:
    """The top-level import statements of ``cells``, as one block of code."""
    lines = []
    for source in cells:
        tree = ast.parse(source)
        lines += [ast.get_source_segment(source, node) for node in tree.body
                  if isinstance(node, (ast.Import, ast.ImportFrom))]
    return "\n".join(lines)


def parameters(name: str, params_file: str, output_dir: str) -> dict:
    """The parameters the runner injects into ``name`` (``output_dir`` replaced)."""
    from helpers.config.params import load_parameter_file

    return {**load_parameter_file(ROOT / params_file).for_notebook(name), "output_dir": output_dir}


def measure(name: str, params_file: str = "params/default.yaml") -> dict[str, float]:
    cells = notebook_cells(name)  # jupytext imported before the clock starts
    os.chdir(ROOT)
    timer = Timer()
    start = time.perf_counter()
    namespace: dict = {"__name__": "__main__"}
    exec(compile(imports_of(cells), f"{name} imports", "exec"), namespace)
    timer.seconds["imports"] = time.perf_counter() - start

    import helpers.notebook.session as session
    from helpers.notebook.session import NotebookSession
    import helpers.report.plots.layout as layout

    data = NotebookSession.__dict__["data"]
    data.func = timer.wrap("data load", data.func)
    NotebookSession.figure = timer.wrap("figure files", NotebookSession.figure)
    layout.layout_problems = timer.wrap("figure checks", layout.layout_problems)
    layout.min_print_font_pt = timer.wrap("figure checks", layout.min_print_font_pt)
    layout.drawn = timer.wrap("figure checks", layout.drawn)
    for method in ("ard_view", "write_ard", "write_results"):
        setattr(NotebookSession, method, timer.wrap("ARD", getattr(NotebookSession, method)))

    with tempfile.TemporaryDirectory(prefix=f"phases-{name}-") as tmp:
        injected = parameters(name, params_file, tmp)
        with contextlib.redirect_stdout(io.StringIO()):
            for index, source in enumerate(cells):
                exec(compile(source, f"{name} cell {index}", "exec"), namespace)
                if index == 0:  # the parameters cell: what papermill injects after it
                    namespace.update(injected)
    total = time.perf_counter() - start
    timer.seconds["analyses"] = total - sum(v for k, v in timer.seconds.items() if k != "analyses")
    return {"total": total, **timer.seconds}


if __name__ == "__main__":
    os.environ.update(KERNEL_ENV)
    sys.path.insert(0, str(ROOT))
    os.environ["MPLBACKEND"] = "agg"  # what the kernel's inline backend draws with
    arguments = sys.argv[1:]
    if arguments[:1] == ["--preloaded"]:
        import importlib

        from helpers.run.zygote import PRELOAD

        for module in PRELOAD:
            importlib.import_module(module)
        arguments = arguments[1:]
        from helpers.config.params import load_parameter_file
        from helpers.data.run_data import DATA_PARAMETERS
        from helpers.run.zygote import preload_data

        given = load_parameter_file(ROOT / (arguments[1:] or ["params/default.yaml"])[0])
        given = given.for_notebook(arguments[0])
        preload_data({key: given.get(key) for key in DATA_PARAMETERS})  # as the zygote does
    print(json.dumps(measure(*arguments)))
