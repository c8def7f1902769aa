"""Issue 6 on the real supplement: reproducible outputs, confidentiality of the rendered
run, and bad parameters stopping a run with a clear message while keeping what was there."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from helpers.core.errors import ParameterError

from conftest import ROOT, run_supplement

pytestmark = pytest.mark.slow

COMPARED = ("results", "tables", "figures")


def _digests(run_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(run_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for kind in COMPARED
        for path in sorted((run_dir / kind).rglob("*"))
        if path.is_file()
    }


def test_second_run_with_one_worker_is_byte_identical(supplement_run, tmp_path):
    """Same inputs, another run directory, 1 worker instead of 2: identical results files,
    tables and figures (PNG metadata fixed, no timestamps)."""
    # the same run label: footnotes name the run
    report = run_supplement(tmp_path / "again", extra={"run_label": supplement_run.name}, workers=1)
    assert not report.failed, [f.error for f in report.failed]
    first, second = _digests(supplement_run), _digests(tmp_path / "again")
    assert first and any(name.endswith(".png") for name in first)
    assert first == second


def _subject_ids() -> list[str]:
    import pandas as pd

    return pd.read_csv(ROOT / "data" / "adsl.csv", usecols=["USUBJID"])["USUBJID"].tolist()


def test_rendered_run_contains_no_patient_identifier(supplement_run):
    """Every file of a run (executed notebooks, results, tables, figures, HTML preview)
    is searched for every USUBJID of the input; row-level tables are refused too."""
    import pandas as pd

    from helpers.render import preview

    params = supplement_run.parent / f"{supplement_run.name}.yaml"
    preview(params)
    ids = [s.encode() for s in _subject_ids()]
    files = [p for p in supplement_run.rglob("*") if p.is_file() and ".state" not in p.parts]
    assert any(p.suffix == ".html" for p in files) and any(p.suffix == ".ipynb" for p in files)
    hits = [(str(p.relative_to(supplement_run)), i.decode()) for p in files
            for i in ids if i in p.read_bytes()]
    assert not hits, f"patient identifiers in outputs: {hits[:5]}"
    n_patients = len(ids)
    for table in (supplement_run / "tables").rglob("*.csv"):
        assert len(pd.read_csv(table)) < n_patients / 4, f"{table.name} looks like a listing"


def test_unknown_strata_column_fails_naming_parameter_and_close_match(supplement_run, tmp_path):
    """A misspelt stratification column stops the run before any notebook executes (the
    runner's data preflight) with a message naming the parameter, the column and the close
    match; the run directory keeps its complete run, untouched."""
    run_dir = tmp_path / "bad-strata"
    good = run_supplement(run_dir, notebooks=["03_overall_survival"])
    assert not good.failed
    before = (run_dir / "results" / "03_overall_survival.json").read_bytes()
    with pytest.raises(ParameterError) as info:  # the run's preflight, before any notebook
        run_supplement(run_dir, extra={"strata": ["MENOPAUSE"]}, notebooks=["03_overall_survival"])
    message = str(info.value)
    assert "strata" in message and "MENOPAUSE" in message and "MENOPAUS" in message
    assert (run_dir / "results" / "03_overall_survival.json").read_bytes() == before
    assert not (run_dir / "failed").exists()
