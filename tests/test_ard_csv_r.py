"""R users read the run's ARD without any package: ``validation/r/check_ard_csv.R`` reads
RUN/ard.csv with base R's ``read.csv`` and finds the stratified OS hazard ratio
(OS.cox.primary, estimate) equal to the results JSON's ``hazard_ratio.hr``. Skipped without
Rscript."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import read_results

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "validation" / "r" / "check_ard_csv.R"

pytestmark = pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")


def check(ard_csv: Path, expected: float, *extra: str) -> subprocess.CompletedProcess:
    # --vanilla: no site or user profile may load a package for it
    return subprocess.run(["Rscript", "--vanilla", str(SCRIPT), str(ard_csv), repr(expected),
                           *extra], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_base_r_reads_the_os_hazard_ratio_of_the_run(supplement_run):
    hr = read_results(supplement_run, "03_overall_survival")["hazard_ratio"]["hr"]
    done = check(supplement_run / "ard.csv", hr)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OS.cox.primary estimate" in done.stdout and "EQUAL" in done.stdout
    lower = read_results(supplement_run, "03_overall_survival")["hazard_ratio"]["lower"]
    done = check(supplement_run / "ard.csv", lower, "OS.cox.primary", "conf.low")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_different_value_or_a_missing_row_fails(supplement_run):
    hr = read_results(supplement_run, "03_overall_survival")["hazard_ratio"]["hr"]
    done = check(supplement_run / "ard.csv", hr * (1 + 1e-10))
    assert done.returncode == 1 and "DIFFERENT" in done.stderr
    done = check(supplement_run / "ard.csv", hr, "OS.cox.nonexistent")
    assert done.returncode == 2 and "0 rows of analysis_id OS.cox.nonexistent" in done.stderr


def test_the_check_uses_base_r_only():
    code = "\n".join(line.split("#")[0] for line in SCRIPT.read_text(encoding="utf-8").splitlines())
    assert not re.search(r"\b(library|require|requireNamespace|loadNamespace)\s*\(", code)
    assert set(re.findall(r"\b([A-Za-z.]+)::", code)) <= {"utils"}
    assert "read.csv" in code
