"""The independent R QC program (validation/qc/, `make qc`): it reproduces the run's numbers,
fails naming a planted wrong value or printed number, refuses incomplete run records and
changed inputs, and reads nothing of the run but run_record.json (and, to compare, the ARD
and the tables). Skipped when Rscript or QC's R packages are absent."""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import read_results

ROOT = Path(__file__).resolve().parents[1]
QC = ROOT / "validation" / "qc"
R_PACKAGES = ("survival", "cmprsk", "metafor", "jsonlite", "yaml")


def _r_ready() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed (apt-get install r-base-core)"
    probe = subprocess.run(
        ["Rscript", "-e", "quit(status = !all(vapply(c(%s), requireNamespace, TRUE, "
         "quietly = TRUE)))" % ", ".join(f'"{p}"' for p in R_PACKAGES)],
        capture_output=True, text=True)
    if probe.returncode != 0:
        return ("QC's R packages are missing (apt-get install r-cran-survival r-cran-cmprsk "
                "r-cran-metafor r-cran-jsonlite r-cran-yaml)")
    return None


pytestmark = pytest.mark.skipif(_r_ready() is not None, reason=str(_r_ready()))


def rscript(script: str, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(["Rscript", str(QC / script), *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def qc_ard(supplement_run, tmp_path_factory) -> Path:
    """QC's ARD of the session's default run (qc.R --run RUN --out tmp)."""
    out = tmp_path_factory.mktemp("qc")
    done = rscript("qc.R", "--run", supplement_run, "--out", out)
    assert done.returncode == 0, done.stderr
    return out / "qc_ard.csv"


def read_ard(path: Path) -> dict[tuple, dict]:
    key = ("analysis_id", "group1", "group1_level", "group2", "group2_level", "variable",
           "variable_level", "stat_name")
    return {tuple(r[k] for k in key): r for r in csv.DictReader(path.open(encoding="utf-8"))}


def stat(ard, analysis, group1_level, stat_name, variable="ARMCD", variable_level="",
         group1="ARMCD", group2="", group2_level=""):
    row = ard[(analysis, group1, group1_level, group2, group2_level, variable, variable_level,
               stat_name)]
    return float(row["stat"]) if row["stat"] else math.nan


def test_qc_reproduces_the_runs_numbers(supplement_run, qc_ard):
    ard = read_ard(qc_ard)
    os_ = read_results(supplement_run, "03_overall_survival")
    hr = os_["hazard_ratio"]
    assert stat(ard, "OS.cox.primary", "B vs A", "estimate") == pytest.approx(hr["hr"], rel=1e-6)
    assert stat(ard, "OS.cox.primary", "B vs A", "conf.low") == pytest.approx(hr["lower"], rel=1e-6)
    assert ard[("OS.cox.primary", "ARMCD", "B vs A", "", "", "ARMCD", "", "conf.low")][
        "conf_level"] == "0.9"
    assert stat(ard, "OS.logrank", "B vs A", "p.value.one.sided") == pytest.approx(
        os_["logrank"]["p_one_sided"], rel=1e-6)
    assert stat(ard, "OS.km", "A", "estimate", "prob", "0.5") == pytest.approx(
        os_["medians"]["median"][0], abs=1e-4)
    lrfs = read_results(supplement_run, "04_lrfs")["lrfs"]["hazard_ratio"]
    assert stat(ard, "LRFS.cox.primary", "B vs A", "estimate") == pytest.approx(lrfs["hr"], rel=1e-6)
    sens = read_results(supplement_run, "07_sensitivity")
    assert stat(ard, "OS.cox.adjusted", "B vs A", "estimate") == pytest.approx(
        sens["adjusted"]["hr"], rel=1e-6)
    assert stat(ard, "OS.rmst", "B vs A", "estimate", "time", "60") == pytest.approx(
        sens["rmst"]["difference"], rel=1e-6)
    sub = read_results(supplement_run, "05_subgroups")["subgroups"]["MENOPAUS"]
    assert stat(ard, "subgroup.MENOPAUS", "B vs A", "p.value.interaction",
                group2="MENOPAUS") == pytest.approx(
        sub["p_interaction"], rel=1e-6)
    flow = read_results(supplement_run, "01_population")
    assert stat(ard, "flow", "", "n", "registered", group1="") == flow["registered"]


def fake_run(tmp: Path, supplement_run: Path, qc_ard: Path, plant=None) -> Path:
    """A run directory holding the run's record, an ARD made from QC's own rows (stat_fmt as
    printed with 2 decimals) and one table of printed numbers: until the runner writes
    RUN/ard.csv (docs/ard.md), QC's output stands in for the run's ARD."""
    run = tmp / "run"
    (run / "tables" / "03_overall_survival").mkdir(parents=True)
    shutil.copyfile(supplement_run / "run_record.json", run / "run_record.json")
    rows = list(csv.DictReader(qc_ard.open(encoding="utf-8")))
    for row in rows:
        if row["stat"]:
            value = float(row["stat"])
            row["stat_fmt"] = str(int(value)) if value.is_integer() else f"{value:.2f}"
        if plant and row["analysis_id"] == plant[0] and row["stat_name"] == plant[1]:
            row["stat"] = repr(float(row["stat"]) * plant[2])
            row["output_id"] = "tbl-os-cox"
    with (run / "ard.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ard = read_ard(run / "ard.csv")
    hr = ard[("OS.cox.primary", "ARMCD", "B vs A", "", "", "ARMCD", "", "estimate")]["stat_fmt"]
    low = ard[("OS.cox.primary", "ARMCD", "B vs A", "", "", "ARMCD", "", "conf.low")]["stat_fmt"]
    (run / "tables" / "03_overall_survival" / "os_cox.csv").write_text(
        f"Analysis,HR,CI\nStratified Cox (primary),{hr},90% CI {low}–2.00\n", encoding="utf-8")
    return run


def test_compare_passes_when_run_and_qc_agree(tmp_path, supplement_run, qc_ard):
    run = fake_run(tmp_path, supplement_run, qc_ard)
    # 2.00 is printed but no statistic: a wrong printed number must fail the check
    done = rscript("compare.R", "--run", run, "--qc", qc_ard)
    assert done.returncode == 1
    assert "PRINTED 03_overall_survival/os_cox.csv row 2 column 3: 2.00" in done.stderr
    table = run / "tables" / "03_overall_survival" / "os_cox.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("–2.00", ""), encoding="utf-8")
    done = rscript("compare.R", "--run", run, "--qc", qc_ard)
    assert done.returncode == 0, done.stderr
    report = json.loads((run / "qc" / "qc_report.json").read_text())
    assert report["status"] == "pass"
    assert report["summary"]["mismatched"] == 0 and report["summary"]["matched"] > 1000
    assert report["summary"]["printed_numbers"] == 3  # HR, 90 of the CI level, lower bound
    assert (run / "qc" / "qc_report.html").read_text().count("PASS") == 1


def test_compare_fails_naming_a_planted_wrong_value(tmp_path, supplement_run, qc_ard):
    run = fake_run(tmp_path, supplement_run, qc_ard, plant=("OS.cox.primary", "estimate", 1.00001))
    with (run / "ard.csv").open(encoding="utf-8") as handle:  # a row QC covers goes missing
        rows = [r for r in csv.DictReader(handle)
                if not (r["analysis_id"] == "OS.logrank" and r["stat_name"] == "df")]
    rows.append(dict(rows[0], analysis_id="meta.os.REML", variable="pooled"))
    with (run / "ard.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    done = rscript("compare.R", "--run", run, "--qc", qc_ard)
    assert done.returncode == 1
    assert re.search(r"MISMATCH OS\.cox\.primary \(tbl-os-cox\) \[B vs A ARMCD\] estimate: "
                     r"run 0\.866\d+, QC 0\.866\d+", done.stderr), done.stderr
    assert "ONLY IN QC OS.logrank [B vs A ARMCD] df" in done.stderr
    report = json.loads((run / "qc" / "qc_report.json").read_text())
    assert report["status"] == "fail"
    (mismatch,) = report["mismatched"]
    assert (mismatch["analysis_id"], mismatch["stat_name"]) == ("OS.cox.primary", "estimate")
    assert mismatch["run"] == pytest.approx(mismatch["qc"] * 1.00001, rel=1e-12)
    assert report["not_covered"] == [{"analysis_id": "meta.os.REML", "rows": 1}]
    assert "OS.cox.primary" in (run / "qc" / "qc_report.html").read_text()


def test_a_p_value_within_its_tolerance_matches(tmp_path, supplement_run, qc_ard):
    run = fake_run(tmp_path, supplement_run, qc_ard, plant=("OS.logrank", "p.value", 1.0001))
    table = run / "tables" / "03_overall_survival" / "os_cox.csv"
    table.write_text(table.read_text(encoding="utf-8").replace("–2.00", ""), encoding="utf-8")
    done = rscript("compare.R", "--run", run, "--qc", qc_ard)
    assert done.returncode == 0, done.stderr  # 3e-5 absolute: within 1e-4


@pytest.mark.parametrize("script", ["qc.R", "compare.R"])
def test_refuses_a_run_without_a_complete_record(tmp_path, supplement_run, script):
    run = tmp_path / "run"
    run.mkdir()
    done = rscript(script, "--run", run)
    assert done.returncode == 2 and "run_record.json is missing" in done.stderr
    record = json.loads((supplement_run / "run_record.json").read_text())
    record["status"] = "running"
    (run / "run_record.json").write_text(json.dumps(record))
    done = rscript(script, "--run", run)
    assert done.returncode == 2
    assert 'status "running", not "complete"' in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_refuses_data_that_changed_after_the_run(tmp_path, supplement_run):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    record = json.loads((supplement_run / "run_record.json").read_text())
    for nb in record["notebooks"].values():
        nb["parameters"]["data_dir"] = str(data)
    record["data_files"] = [{"path": str(data / Path(f["path"]).name), "sha256": f["sha256"]}
                            for f in record["data_files"]]
    run = tmp_path / "run"
    run.mkdir()
    (run / "run_record.json").write_text(json.dumps(record))
    assert rscript("qc.R", "--run", run).returncode == 0  # same bytes: accepted
    with (data / "adtte.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    done = rscript("qc.R", "--run", run)
    assert done.returncode == 2
    assert f"{data / 'adtte.csv'} has SHA-256" in done.stderr and "records" in done.stderr


def test_missing_r_packages_stop_with_the_debian_packages(tmp_path, supplement_run):
    empty = tmp_path / "lib"
    empty.mkdir()
    env = {**os.environ, "R_LIBS_SITE": str(empty), "R_LIBS_USER": str(empty)}
    done = rscript("qc.R", "--run", supplement_run, env=env)
    if done.returncode != 3:
        pytest.skip("QC's R packages are in R's own library here: cannot hide them")
    (line,) = done.stderr.strip().splitlines()
    assert "apt-get install" in line and "r-cran-yaml" in line


def test_qc_reads_nothing_of_the_run_but_its_record(tmp_path, supplement_run, qc_ard):
    """A run directory holding only run_record.json gives QC the same ARD: QC does not read
    the run's results, notebooks or tables."""
    run = tmp_path / "run"
    run.mkdir()
    shutil.copyfile(supplement_run / "run_record.json", run / "run_record.json")
    done = rscript("qc.R", "--run", run)
    assert done.returncode == 0, done.stderr
    assert (run / "qc" / "qc_ard.csv").read_bytes() == qc_ard.read_bytes()


def test_qc_code_reads_only_inputs_the_record_names():
    """Static check of validation/qc/: every file-reading call, and no path of the Python
    side (results, notebooks, helpers) is named; only compare.R's helpers read the ARD and
    the tables."""
    reads = re.compile(r"\b(read\.csv|read_yaml|fromJSON|read_json|readLines|readRDS|scan|"
                       r"read\.xport|file\(|source\()")
    allowed = {"record.R": {"read_yaml", "fromJSON"}, "data.R": {"read.csv", "read_yaml",
                                                                 "read.xport"},
               "compare.R": {"read.csv", "read_yaml", "source("}, "printed.R": {"read.csv"},
               "qc.R": {"source("}, "meta.R": {"read_yaml"}, "design.R": {"read_yaml"}}
    for path in sorted(QC.rglob("*.R")):
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line.split("#")[0] for line in text.splitlines())
        found = set(m.group(1) for m in reads.finditer(code))
        assert found <= allowed.get(path.name, set()), (path.name, found)
        for forbidden in ("results/", ".ipynb", "helpers/", "notebooks/", "import ", "python"):
            assert forbidden not in code.lower(), (path.name, forbidden)


def test_printed_check_leaves_out_the_studys_labels_also_inside_a_sentence():
    """A label the study typed ("Stratification factor 2") holds no statistic, also where the
    report lower-cases it inside a sentence ("stratified by stratification factor 2")."""
    code = ('source(file.path("validation", "qc", "R", "printed.R")); '
            'labels <- c("Stratification factor 2"); '
            'cat(without_labels("HR (90% CI), stratified by stratification factor 2", labels), "|", '
            'without_labels("Stratification factor 2: 0.87", labels), "|", '
            'without_labels("stratified by ECOG 2", labels))')
    done = subprocess.run(["Rscript", "-e", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    parts = [p.strip() for p in done.stdout.split("|")]
    assert "2" not in parts[0] and parts[1].endswith("0.87") and parts[2].endswith("2"), parts
