"""The independent R QC (validation/qc/) of the chapters added to it by issue 22: the
meta-analysis (08, metafor), the design (09, formulas), competing risks (11, cmprsk) and the
standard outputs (12: DTHT01, TTET01, COXT02) agree with the run's own ARD, a wrong value
planted in a copy of that ARD fails QC naming it; and a study with several comparisons is
QC'd comparison by comparison (`qc.R --params`)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.test_qc import ROOT, _r_ready, rscript

pytestmark = [pytest.mark.slow, pytest.mark.skipif(_r_ready() is not None, reason=str(_r_ready()))]

NEW = ("meta.os.pooled", "meta.os.methods", "meta.os.trials", "meta.os.loo",
       "meta.os.cumulative", "meta.os.same_trials", "meta.local_control.run_trial",
       "design.sample_size", "design.alternatives", "design.power", "LRFS.cuminc",
       "LRFS.cuminc.risk", "LRFS.gray", "LRFS.finegray", "dtht01", "OS.ttet01.events",
       "OS.ttet01.quantiles", "OS.ttet01.landmarks", "OS.ttet01.cox.stratified.90",
       "OS.coxt02")


@pytest.fixture(scope="module")
def qc_out(supplement_run, tmp_path_factory) -> Path:
    """QC's ARD of the session's default run (qc.R --run RUN --out tmp)."""
    out = tmp_path_factory.mktemp("qc_chapters")
    done = rscript("qc.R", "--run", supplement_run, "--out", out)
    assert done.returncode == 0, done.stderr
    return out


def test_qc_reproduces_the_new_chapters_of_the_run(supplement_run, qc_out):
    done = rscript("compare.R", "--run", supplement_run, "--out", qc_out)
    assert done.returncode == 0, done.stderr
    report = json.loads((qc_out / "qc_report.json").read_text())
    matched = {m["analysis_id"] for m in report["matched"]}
    assert set(NEW) <= matched, set(NEW) - matched
    not_covered = {n["analysis_id"] for n in report["not_covered"]}
    assert not not_covered & set(NEW)
    software = report["software"]["packages"]
    assert software["metafor"] and software["cmprsk"]
    by_key = {(m["analysis_id"], m["variable_level"], m["stat_name"]): m for m in report["matched"]}
    pooled = by_key[("meta.os.pooled", "", "tau2")]
    assert pooled["run"] > 0 and pooled["difference"] <= 1e-6  # REML's tau2, to full precision


def plant(supplement_run: Path, tmp: Path, changes: dict) -> Path:
    """A copy of the run (its record and ARD; no tables) with values multiplied in the ARD:
    ``changes`` maps (analysis_id, stat_name) -> factor, applied to the first such row."""
    run = tmp / "run"
    run.mkdir()
    shutil.copyfile(supplement_run / "run_record.json", run / "run_record.json")
    with (supplement_run / "ard.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    todo = dict(changes)
    for row in rows:
        key = (row["analysis_id"], row["stat_name"])
        if key in todo and row["stat"]:
            row["stat"] = repr(float(row["stat"]) * todo.pop(key))
    assert not todo, todo
    with (run / "ard.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return run


def test_a_wrong_value_of_a_new_chapter_fails_qc_naming_it(supplement_run, qc_out, tmp_path):
    changes = {("meta.os.pooled", "tau2"): 1.001, ("LRFS.finegray", "estimate"): 1.0001,
               ("LRFS.cuminc", "std.error"): 1.01, ("design.sample_size", "events.exact"): 1.00001,
               ("OS.ttet01.landmarks", "estimate"): 0.999, ("OS.coxt02", "std.error"): 1.001,
               ("dtht01", "n"): 2.0}
    run = plant(supplement_run, tmp_path, changes)
    done = rscript("compare.R", "--run", run, "--qc", qc_out / "qc_ard.csv")
    assert done.returncode == 1
    for analysis, stat in changes:
        assert any(line.startswith(f"MISMATCH {analysis} ") and line.split(":")[0].endswith(stat)
                   for line in done.stderr.splitlines()), (analysis, stat, done.stderr)
    report = json.loads((run / "qc" / "qc_report.json").read_text())
    assert report["status"] == "fail"
    assert {(m["analysis_id"], m["stat_name"]) for m in report["mismatched"]} == set(changes)


@pytest.fixture(scope="module")
def comparisons_run(tmp_path_factory) -> Path:
    """The pharmaverse-shaped three-arm ADaM (validation/pharmaverse_adam.py) with
    studies/pharmaverse.yaml's two comparisons, chapters 01-03 only: RUN/<slug>/ each."""
    import sys

    from helpers.run.execute import run

    sys.path.insert(0, str(ROOT / "validation"))
    import pharmaverse_adam

    base = tmp_path_factory.mktemp("comparisons")
    pharmaverse_adam.write(base / "adam")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    for name in ("01_population", "02_baseline", "03_overall_survival"):
        shutil.copyfile(ROOT / "notebooks" / f"{name}.ipynb", notebooks / f"{name}.ipynb")
    params = yaml.safe_load((ROOT / "params" / "pharmaverse.yaml").read_text())
    params["parameters"].update({"data_dir": str(base / "adam"), "output_dir": str(base / "run"),
                                 "study": str(ROOT / "studies" / "pharmaverse.yaml")})
    (base / "params.yaml").write_text(yaml.safe_dump(params))
    report = run(base / "params.yaml", workers=2, notebooks_dir=notebooks, echo=lambda line: None)
    assert report.ok, [f.error for f in report.failed]
    return base


def test_qc_checks_every_comparison_of_a_study(comparisons_run):
    params = comparisons_run / "params.yaml"
    done = rscript("qc.R", "--params", params)
    assert done.returncode == 0, done.stderr
    done = rscript("compare.R", "--params", params)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("QC PASS") == 2
    seen = {}
    for slug, other in (("arm-a-vs-arm-b", "ARM C"), ("arm-c-vs-arm-b", "ARM A")):
        report = json.loads((comparisons_run / "run" / slug / "qc" / "qc_report.json").read_text())
        assert report["status"] == "pass" and report["summary"]["matched"] > 300
        keys = {(m["analysis_id"], m["variable"], m["variable_level"]) for m in report["matched"]}
        assert ("flow", "excluded_arm", other) in keys  # the arm this comparison leaves out
        assert ("baseline.SEX", "SEX", "Female") in keys  # labelled levels, as the run shows
        assert not any(k[:2] == ("baseline.SEX", "SEX") and k[2] in ("F", "M") for k in keys)
        seen[slug] = next(m["run"] for m in report["matched"]
                          if (m["analysis_id"], m["stat_name"]) == ("OS.cox.primary", "estimate"))
    assert seen["arm-a-vs-arm-b"] != seen["arm-c-vs-arm-b"]


def test_a_parameter_file_naming_one_comparison_is_one_run(comparisons_run, tmp_path):
    params = yaml.safe_load((comparisons_run / "params.yaml").read_text())
    params["parameters"].update({"comparison": "arm-c-vs-arm-b",
                                 "output_dir": str(comparisons_run / "run" / "arm-c-vs-arm-b")})
    one = tmp_path / "one.yaml"
    one.write_text(yaml.safe_dump(params))
    done = rscript("qc.R", "--params", one)
    assert done.returncode == 0, done.stderr
    assert "QC of run" not in done.stderr and done.stderr.count("QC: ") == 1
    done = rscript("qc.R", "--params", comparisons_run / "params.yaml", "--out", tmp_path)
    assert done.returncode == 2 and "give --run RUN_DIR" in done.stderr
