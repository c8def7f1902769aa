"""The runner (helpers.run) and atomic writes (helpers.core.atomic), on the toy notebooks of
tests/fixtures/notebooks: 01_summary reads data and writes results and a table, 02_figure
saves a figure, 03_control raises, kills its kernel or waits, as its ``mode`` line says."""

import hashlib
import importlib.metadata
import json
import math
import platform
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.notebook.context import notebook_context
from helpers.run import cli, execute, plan
from helpers.run.record import IncompleteRunError, require_complete_run
from helpers.core.atomic import atomic_directory, atomic_write_json, dumps_json, save_figure
from helpers.core.errors import ParameterError
from helpers.config.params import REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
NAMES = ["01_summary", "02_figure", "03_control"]


@dataclass
class Project:
    root: Path
    notebooks: Path
    data: Path
    params: Path
    run_dir: Path

    def write_params(self, extra: str = "") -> None:
        self.params.write_text(
            "parameters:\n"
            "  run_label: toy\n"
            f"  output_dir: {self.run_dir}\n"
            f"  data_dir: {self.data}\n"
            "  strata: [ER]\n" + extra)

    def set_mode(self, mode: str, wait_for: str = "") -> None:
        path = self.notebooks / "03_control.py"
        lines = path.read_text().splitlines(keepends=True)
        lines = [f'mode = "{mode}"\n' if line.startswith("mode = ") else
                 f'wait_for = "{wait_for}"\n' if line.startswith("wait_for = ") else line
                 for line in lines]
        path.write_text("".join(lines))

    def snapshot(self) -> dict[str, bytes]:
        """Every file a reader of the run directory sees (through the links into the
        published generation), except the run's bookkeeping (the lock, the kernels' stderr
        log, the run record with its times), by relative path."""
        files = {}
        for top, dirs, names in os.walk(self.run_dir, followlinks=True):
            if Path(top) == self.run_dir:
                # not the generations (seen through the links), nor in-flight staging (a
                # dying kernel of a killed run may still rename files there)
                dirs[:] = [d for d in dirs if d not in (".generations", "current", ".staging")]
            for name in names:
                path = Path(top) / name
                if name not in ("lock", "kernels.log", "run_record.json"):
                    files[path.relative_to(self.run_dir).as_posix()] = path.read_bytes()
        return dict(sorted(files.items()))


@pytest.fixture
def project(tmp_path, monkeypatch):
    # Others edit helpers/ while tests run: fix its fingerprint so skipping is testable.
    monkeypatch.setattr(plan, "helpers_fingerprint", lambda: "helpers-v1")
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, notebooks)
    data = tmp_path / "data"
    data.mkdir()
    (data / "adsl.csv").write_text("USUBJID,AGE\n001,50\n002,61\n003,47\n")
    proj = Project(tmp_path, notebooks, data, tmp_path / "params.yaml", tmp_path / "run")
    proj.write_params()
    return proj


def run_cli(project: Project, capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([str(project.params), "--notebooks-dir", str(project.notebooks), *args])
    out, err = capsys.readouterr()
    return code, out, err


def executed(out: str) -> list[str]:
    return sorted(line.split()[1] for line in out.splitlines() if line.startswith("  done "))


def skipped(out: str) -> list[str]:
    return sorted(line.split()[1] for line in out.splitlines() if line.startswith("  skip "))


@pytest.mark.slow
def test_run_writes_the_layout_then_skips_unchanged(project, capsys):
    code, out, err = run_cli(project, capsys, "--workers", "2")
    assert code == 0, err
    assert executed(out) == NAMES and "start  01_summary" in out
    run = project.run_dir
    for name in NAMES:
        assert (run / "notebooks" / f"{name}.ipynb").is_file()
    record = require_complete_run(run)
    assert record == json.loads((run / "run_record.json").read_text())
    assert record["status"] == "complete" and sorted(record["notebooks"]) == NAMES
    assert record["notebooks"]["02_figure"]["parameters"]["conf_level"] == 0.95
    assert record["notebooks"]["01_summary"]["parameters"]["output_dir"] == str(run)
    assert all(nb["executed_in_this_run"] for nb in record["notebooks"].values())
    adsl = project.data / "adsl.csv"
    assert record["data_files"] == [
        {"path": str(adsl), "sha256": hashlib.sha256(adsl.read_bytes()).hexdigest()}]
    assert record["parameter_file"]["path"] == str(project.params)
    assert record["packages"]["python"] == platform.python_version()
    assert record["packages"]["pandas"] == importlib.metadata.version("pandas")
    assert record["helpers_fingerprint"] == "helpers-v1"
    study = REPO_ROOT / "studies" / "default.yaml"  # the default study (a link to jcog1017.yaml)
    named = REPO_ROOT / "studies" / "jcog1017"  # its published figures and trial table (QC reads them)
    assert record["study_files"] == [
        {"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
        for p in (study, named / "published.yaml", named / "trials.yaml")]
    assert record["started_utc"] <= record["finished_utc"]
    assert json.loads((run / "results" / "01_summary.json").read_text()) == {
        "conf_level": 0.95, "mean_age": 52.6666666667, "n": 3, "third": 0.333333333333,
        "hashseed": "0"}  # the kernels' environment (KERNEL_ENV)
    assert (run / "tables" / "01_summary" / "ages.csv").read_text() == "AGE\n50\n61\n47\n"
    assert (run / "figures" / "02_figure" / "km.png").read_bytes().startswith(b"\x89PNG")
    assert not (run / ".staging").exists()
    notebook = (run / "notebooks" / "01_summary.ipynb").read_text()
    for timing in ("start_time", "end_time", "duration", "iopub.execute_input"):
        assert timing not in notebook
    assert "3 patients, mean age 52.67" in notebook  # executed, outputs kept
    assert f'output_dir = \\"{run}\\"' in notebook and ".staging" not in notebook

    before = project.snapshot()
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and skipped(out) == NAMES and executed(out) == []
    assert project.snapshot() == before


@pytest.mark.slow
def test_rerun_when_source_parameters_data_or_helpers_change(project, capsys, monkeypatch):
    assert run_cli(project, capsys)[0] == 0

    with (project.notebooks / "01_summary.py").open("a") as handle:
        handle.write("\n# %%\nprint('one more cell')\n")
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and executed(out) == ["01_summary"]

    project.write_params("notebooks:\n  02_figure: {conf_level: 0.9}\n")
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and executed(out) == ["02_figure"]
    assert json.loads((project.run_dir / "results" / "02_figure.json").read_text())["last"] == 0.45

    (project.data / "adsl.csv").write_text("USUBJID,AGE\n001,50\n")
    code, out, _ = run_cli(project, capsys, "--notebooks", "01")
    assert code == 0 and executed(out) == ["01_summary"]
    assert json.loads((project.run_dir / "results" / "01_summary.json").read_text())["n"] == 1

    (project.data / "notes.txt").write_text("not a data file")  # unrecognised suffix: ignored
    monkeypatch.setattr(plan, "helpers_fingerprint", lambda: "helpers-v2")
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and executed(out) == NAMES

    code, out, _ = run_cli(project, capsys, "--force", "--notebooks", "03_control")
    assert code == 0 and executed(out) == ["03_control"] and skipped(out) == []


@pytest.mark.slow
def test_parallel_and_serial_runs_are_byte_identical(project, capsys):
    assert run_cli(project, capsys, "--workers", "1")[0] == 0
    serial = project.snapshot()
    assert run_cli(project, capsys, "--workers", "3", "--force")[0] == 0
    parallel = project.snapshot()
    assert serial.keys() == parallel.keys()
    assert [k for k in serial if serial[k] != parallel[k]] == []
    assert {"figures/02_figure/km.png", "figures/02_figure/km.svg",
            "results/01_summary.json", "notebooks/02_figure.ipynb"} <= serial.keys()


@pytest.mark.slow
def test_failure_names_notebook_and_cell_and_keeps_previous_results(project, capsys):
    assert run_cli(project, capsys)[0] == 0
    before = project.snapshot()
    record = (project.run_dir / "run_record.json").read_bytes()

    project.set_mode("raise")
    code, out, err = run_cli(project, capsys)
    assert code == 1
    assert "notebook 03_control failed in cell 4" in err
    assert "03_control.py:" in err and "`if mode == \"raise\":`" in err
    assert "RuntimeError: toy failure requested" in err
    assert "FAILED 03_control" in out
    # the failed notebook wrote {"mode": "raise"} into its staging dir: never promoted
    after = project.snapshot()
    assert after.pop("failed/03_control.ipynb")
    assert after == before

    project.set_mode("ok")  # back to the source of the kept results: nothing to do
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and skipped(out) == NAMES
    assert not (project.run_dir / "failed" / "03_control.ipynb").exists()
    assert project.snapshot() == before
    assert (project.run_dir / "run_record.json").read_bytes() == record


@pytest.mark.slow
def test_run_is_all_or_nothing_when_one_notebook_fails_on_new_data(project, capsys):
    """New data: 01 and 02 succeed, 03 fails. Nothing is published, so the run directory
    never mixes results of two datasets; the previous complete run stays readable."""
    assert run_cli(project, capsys, "--workers", "3")[0] == 0
    before = project.snapshot()
    record = require_complete_run(project.run_dir)

    (project.data / "adsl.csv").write_text("USUBJID,AGE\n001,50\n")
    project.set_mode("raise")
    code, out, err = run_cli(project, capsys, "--workers", "3")
    assert code == 1 and executed(out) == ["01_summary", "02_figure"]
    assert "not published" in out and "previous complete run is kept" in err
    after = project.snapshot()
    assert after.pop("failed/03_control.ipynb")
    assert after == before  # 01's new result (n=1) was not published beside the old ones
    assert json.loads((project.run_dir / "results" / "01_summary.json").read_text())["n"] == 3
    assert require_complete_run(project.run_dir) == record
    assert sorted(p.name for p in project.run_dir.iterdir()) == [
        ".generations", ".state", "ard", "ard.csv", "ard.parquet", "current", "failed",
        "figures", "notebooks", "results", "run_record.json", "tables"]
    assert len(list((project.run_dir / ".generations").iterdir())) == 1

    project.set_mode("ok")
    code, out, _ = run_cli(project, capsys, "--workers", "3")
    assert code == 0 and executed(out) == NAMES
    assert json.loads((project.run_dir / "results" / "01_summary.json").read_text())["n"] == 1
    assert require_complete_run(project.run_dir)["notebooks"].keys() == set(NAMES)


@pytest.mark.slow
def test_partial_run_on_changed_inputs_is_not_a_complete_run(project, capsys):
    """``--notebooks`` after a data change publishes the notebook run, but the run directory
    then mixes two datasets: it has no run record and require_complete_run refuses it."""
    assert run_cli(project, capsys)[0] == 0
    (project.data / "adsl.csv").write_text("USUBJID,AGE\n001,50\n")
    code, out, _ = run_cli(project, capsys, "--notebooks", "01")
    assert code == 0 and executed(out) == ["01_summary"]
    assert not (project.run_dir / "run_record.json").exists()
    with pytest.raises(IncompleteRunError, match="run_record.json is missing.*without --notebooks"):
        require_complete_run(project.run_dir)
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and executed(out) == ["02_figure", "03_control"] and skipped(out) == ["01_summary"]
    assert require_complete_run(project.run_dir)["notebooks"]["01_summary"][
        "executed_in_this_run"] is False

    project.write_params("notebooks:\n  02_figure: {conf_level: 0.9}\n")  # 02 now stale
    assert run_cli(project, capsys, "--notebooks", "01", "--force")[0] == 0
    assert not (project.run_dir / "run_record.json").exists()
    project.write_params()  # back: every published notebook is current again
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and executed(out) == [] and skipped(out) == NAMES
    record = require_complete_run(project.run_dir)
    assert not any(nb["executed_in_this_run"] for nb in record["notebooks"].values())


def test_require_complete_run_refuses_missing_and_legacy_directories(tmp_path):
    with pytest.raises(IncompleteRunError, match="does not exist"):
        require_complete_run(tmp_path / "nowhere")
    (tmp_path / "results").mkdir()  # a run directory of the runner before generations
    with pytest.raises(IncompleteRunError, match="holds no completed run"):
        require_complete_run(tmp_path)


@pytest.mark.slow
def test_killed_kernel_keeps_previous_results_and_next_run_completes(project, capsys):
    assert run_cli(project, capsys)[0] == 0
    before = project.snapshot()

    project.set_mode("kill")
    code, _, err = run_cli(project, capsys, "--notebooks", "03")
    assert code == 1
    assert "notebook 03_control failed in cell 4" in err and "DeadKernelError" in err
    after = project.snapshot()
    after.pop("failed/03_control.ipynb", None)
    assert after == before

    project.set_mode("again")
    code, out, _ = run_cli(project, capsys)
    assert code == 0 and executed(out) == ["03_control"] and skipped(out) == NAMES[:2]
    assert json.loads((project.run_dir / "results" / "03_control.json").read_text()) == {"mode": "again"}


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, dead but not yet reaped, counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_killed_runner_takes_its_children_along_and_rerun_at_once_succeeds(project, capsys):
    """SIGKILL of the runner process alone (not its group), mid-run, three times: its worker
    and kernel die with it, the previous complete run is untouched, and a rerun started at
    once succeeds and leaves no .staging or unpublished generation behind."""
    assert run_cli(project, capsys)[0] == 0
    release = project.root / "release"
    started = release.with_suffix(".started")
    for attempt in range(3):
        before = project.snapshot()
        started.unlink(missing_ok=True)
        project.set_mode("wait", wait_for=str(release))
        proc = subprocess.Popen(
            [sys.executable, "-m", "helpers.run", str(project.params), "--notebooks-dir",
             str(project.notebooks), "--workers", "3", "--force"],
            cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not started.exists() or not started.read_text():
                assert proc.poll() is None and time.monotonic() < deadline, "notebook never started"
                time.sleep(0.05)
            kernel, worker = map(int, started.read_text().split())
            assert (project.run_dir / ".staging").is_dir()
        finally:
            proc.kill()  # SIGKILL to the runner only
            proc.wait()
        project.set_mode("ok" if attempt % 2 else "again")
        code, out, err = run_cli(project, capsys, "--workers", "3")  # at once
        assert code == 0, err
        assert "clean  .staging" in out
        assert not (project.run_dir / ".staging").exists()
        assert len(list((project.run_dir / ".generations").iterdir())) == 1
        mode = "ok" if attempt % 2 else "again"
        assert json.loads((project.run_dir / "results" / "03_control.json").read_text()) == {"mode": mode}
        after = project.snapshot()
        assert {k for k in after if k != "results/03_control.json" and not k.startswith("notebooks/03")} \
            == {k for k in before if k != "results/03_control.json" and not k.startswith("notebooks/03")}
        deadline = time.monotonic() + 10
        while (_alive(kernel) or _alive(worker)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived the killed runner"
        assert not _alive(kernel), "the kernel outlived the killed runner"
    require_complete_run(project.run_dir)


@pytest.mark.slow
def test_killed_runner_leaves_the_published_run_untouched(project, capsys):
    assert run_cli(project, capsys)[0] == 0
    before = project.snapshot()
    record = (project.run_dir / "run_record.json").read_bytes()

    release = project.root / "release"
    project.set_mode("wait", wait_for=str(release))
    (project.data / "adsl.csv").write_text("USUBJID,AGE\n001,50\n")  # 01 reruns and succeeds
    proc = subprocess.Popen(
        [sys.executable, "-m", "helpers.run", str(project.params), "--notebooks-dir",
         str(project.notebooks), "--workers", "3"],
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 60
        while not release.with_suffix(".started").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "notebook never started"
            time.sleep(0.05)
        staged = project.run_dir / ".staging"
        assert (next(staged.iterdir()) / "03_control" / "results" / "03_control.json").exists()
        deadline = time.monotonic() + 120
        while not list((project.run_dir / ".generations").glob("*/results/01_summary.json")):
            assert time.monotonic() < deadline, "01_summary never finished"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the runner, its workers and the kernel
        proc.wait()
    assert project.snapshot() == before
    assert (project.run_dir / "run_record.json").read_bytes() == record
    assert json.loads((project.run_dir / "results" / "01_summary.json").read_text())["n"] == 3


@pytest.mark.slow
def test_outputs_under_another_notebook_name_are_reported_not_kept(project, capsys):
    source = project.notebooks / "02_figure.py"
    source.write_text(source.read_text().replace('notebook="02_figure"', 'notebook="02_other"'))
    code, out, _ = run_cli(project, capsys, "--notebooks", "02")
    assert code == 0
    assert "note   02_figure wrote files outside its outputs, not kept: " \
           "figures/02_other/km.png, figures/02_other/km.svg, results/02_other.json" in out
    assert not (project.run_dir / "figures" / "02_other").exists()


def test_unknown_notebook_and_bad_parameters_exit_2(project, capsys):
    code, _, err = run_cli(project, capsys, "--notebooks", "09_missing")
    assert code == 2 and "no notebook '09_missing'" in err and "01_summary" in err
    project.params.write_text("parameters: {conf_level: 2}\n")
    code, _, err = run_cli(project, capsys)
    assert code == 2 and str(project.params) in err and "'conf_level'" in err


def test_discovery_prefers_the_py_and_keeps_reading_order(tmp_path):
    for name in ["10_end.py", "02_b.ipynb", "02_b.py", "01_a.ipynb", "notes.py", "x_1.py"]:
        (tmp_path / name).write_text("")
    found = plan.discover_notebooks(tmp_path)
    assert [(nb.name, nb.source.suffix) for nb in found] == [
        ("01_a", ".ipynb"), ("02_b", ".py"), ("10_end", ".py")]


def test_warm_decision_imports_no_heavy_library(project):
    """Deciding that everything is unchanged must not import pandas, matplotlib or papermill."""
    code = (
        "import sys, helpers.run.plan as r\n"
        "from helpers.config.params import load_parameter_file\n"
        f"pf = load_parameter_file({str(project.params)!r})\n"
        f"r.make_plan(pf, r.discover_notebooks({str(project.notebooks)!r}), pf.output_dir, False)\n"
        "heavy = [m for m in ('pandas', 'matplotlib', 'papermill', 'numpy', 'nbformat') if m in sys.modules]\n"
        "print(heavy)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- notebook context
def test_notebook_context_paths_and_interactive_default():
    ctx = notebook_context(notebook="03_overall_survival")
    assert ctx.output_dir == REPO_ROOT / "runs" / "interactive"
    assert ctx.results_path == ctx.output_dir / "results" / "03_overall_survival.json"
    assert ctx.figure_path("km") == ctx.output_dir / "figures" / "03_overall_survival" / "km.png"
    assert ctx.figure_path("km.svg").suffix == ".svg"
    assert ctx.table_path("cox") == ctx.output_dir / "tables" / "03_overall_survival" / "cox.csv"
    with pytest.raises(ParameterError):
        ctx.figure_path("../escape")
    with pytest.raises(ParameterError):
        notebook_context(output_dir="x")


def test_notebook_context_writes_results_and_tables(tmp_path):
    pd = pytest.importorskip("pandas")
    ctx = notebook_context(output_dir=tmp_path, notebook="04_x")
    ctx.write_results({"b": 1.0, "a": [float("nan"), 2]})
    assert ctx.results_path.read_text() == '{\n  "a": [\n    null,\n    2\n  ],\n  "b": 1.0\n}\n'
    ctx.save_table(pd.DataFrame({"hr": [0.123456789012345, 1.0]}), "cox")
    assert ctx.table_path("cox").read_text() == "hr\n0.123456789012\n1\n"
    ctx.save_table(pd.DataFrame({"n": [1]}, index=pd.Index(["A"], name="arm")), "by_arm")
    assert ctx.table_path("by_arm").read_text() == "arm,n\nA,1\n"


# --------------------------------------------------------------------------- atomic writes
def test_json_is_deterministic_and_rounds_last_bits():
    assert dumps_json({"x": 0.1 + 0.2, "y": -0.0, "z": math.inf, "k": (1, 2)}) == \
        '{\n  "k": [\n    1,\n    2\n  ],\n  "x": 0.3,\n  "y": 0.0,\n  "z": null\n}\n'
    with pytest.raises(TypeError, match="cannot write object"):
        dumps_json({"x": object()})


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "sub" / "r.json"
    atomic_write_json(path, {"a": 1})
    atomic_write_json(path, {"a": 2})
    assert json.loads(path.read_text()) == {"a": 2}
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]


def test_atomic_directory_swaps_on_success_and_keeps_old_on_error(tmp_path):
    target = tmp_path / "preview"
    with atomic_directory(target) as build:
        (build / "index.html").write_text("v1")
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as build:
            (build / "index.html").write_text("half")
            raise RuntimeError("build failed")
    assert (target / "index.html").read_text() == "v1"
    with atomic_directory(target) as build:
        (build / "other.html").write_text("v2")
    assert sorted(p.name for p in target.iterdir()) == ["other.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preview"]


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_save_figure_bytes_are_reproducible(tmp_path, suffix):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def draw(path):
        fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
        ax.plot([0, 1], [1, 0.5])
        save_figure(fig, path)
        plt.close(fig)
        return path.read_bytes()

    first, second = draw(tmp_path / f"a{suffix}"), draw(tmp_path / f"b{suffix}")
    assert first == second
    assert b"Matplotlib version" not in first and b"CreationDate" not in first


@pytest.mark.parametrize("failure, attempts, ok", [
    (execute.KERNEL_START_FAILURE, 2, True),   # a kernel that died at start is started again
    ("Kernel didn't respond in 60 seconds", 1, False),  # other errors are not retried
])
def test_kernel_start_failure_is_retried_other_errors_are_not(tmp_path, monkeypatch,
                                                              failure, attempts, ok):
    import papermill

    calls = []

    def flaky(nb, output, **kwargs):
        calls.append(output)
        if len(calls) == 1:
            raise RuntimeError(failure)
        Path(output).write_text("{}")

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    notebook = plan.Notebook("01_summary", FIXTURES / "01_summary.py")
    outcome = execute.execute_notebook(notebook, {}, tmp_path, FIXTURES)
    assert len(calls) == attempts and outcome.ok is ok
    if not ok:
        assert failure in outcome.error


def test_publish_swaps_generations_and_debris_is_removed(tmp_path):
    """helpers.run.layout without notebooks: publish replaces the link, the fixed links read
    through it, a legacy real directory is replaced, and leftovers of a cut-short publish go."""
    from helpers.run import layout

    run_dir = tmp_path / "run"
    (run_dir / "results").mkdir(parents=True)  # the layout of the runner before generations
    (run_dir / "results" / "old.json").write_text("{}")
    first = layout.new_generation(run_dir)
    (first / "results").mkdir()
    (first / "results" / "01_a.json").write_text('{"v": 1}')
    layout.publish(run_dir, first)
    assert [p.name for p in (run_dir / "results").iterdir()] == ["01_a.json"]
    second = layout.new_generation(run_dir)
    layout.carry_over(first, second, ["01_a"])
    assert os.path.samefile(second / "results" / "01_a.json", first / "results" / "01_a.json")
    (run_dir / ".staging" / "123-x" / "02_b").mkdir(parents=True)
    os.symlink("current/results", run_dir / ".results.99.new")
    unpublished = layout.new_generation(run_dir)
    layout.publish(run_dir, second)
    assert layout.current_generation(run_dir) == second
    removed = layout.remove_debris(run_dir, keep=None)
    assert removed[0] == ".staging" and sorted(removed[1:]) == sorted(
        [f".generations/{first.name}", f".generations/{unpublished.name}"])
    assert sorted(p.name for p in run_dir.iterdir()) == [
        ".generations", "ard", "ard.csv", "ard.parquet", "current", "figures", "notebooks",
        "results", "run_record.json", "tables"]
    assert json.loads((run_dir / "results" / "01_a.json").read_text()) == {"v": 1}
