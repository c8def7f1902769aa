"""Every number a reader sees is a row of the notebook's ARD (issue 17, item 3).

For each notebook of the session's default run (``supplement_run``): every number of its
reader-visible prose (markdown cells, Markdown and HTML outputs of RUN/notebooks/NN.ipynb)
and of its tables (RUN/tables/NN/*.csv) must be a number of that notebook's ARD as printed
(``stat_fmt``), a level or CI level the ARD names, the data cut, a number of the notebook's
run parameters (an input, in prose only), a structural number
(``tests/traceability.py``: cross-reference numbers, citation years, CTCAE version) or one
of the few protocol constants of static prose listed below. The number rules are QC's
(``validation/qc/R/printed.R``).

Checked on the default, the per-protocol and the colon runs (issue 17's acceptance).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from helpers.run.plan import discover_notebooks
from tests.traceability import (allowed_numbers, notebook_prose, number_tokens, structural,
                                table_cells, untraced)

#: The runs checked: fixture names of tests/conftest.py.
RUNS = {"default": "supplement_run", "per_protocol": "per_protocol_run",
        "colon": "colon_supplement_run"}

#: Constants of a notebook's static prose (markdown cells) that are the protocol's, not the
#: data's: notebook -> {number: why}. Keep this short; a number here is never checked.
PROSE_CONSTANTS = {
    "01_population": {"12": "per-protocol set: resection within 12 months (protocol text)"},
}

NOTEBOOKS = [nb.name for nb in discover_notebooks()]


def _run(request, run: str) -> Path:
    return request.getfixturevalue(RUNS[run])


def _study_numbers(record: dict) -> set[str]:
    """The numbers written in the run's study configuration and its folder's YAML files
    (``studies/NAME.yaml`` and ``studies/NAME/*.yaml``: published figures, the trial table):
    inputs typed by the study, not statistics of the run."""
    out: set[str] = set()
    for entry in record.get("study_files", []):
        path = Path(entry["path"])
        for file in [path, *sorted((path.parent / path.stem).glob("*.yaml"))]:
            if file.is_file():
                out |= set(number_tokens(file.read_text(encoding="utf-8")))
    return out


def _inputs(run: Path, notebook: str) -> set[str]:
    """The numbers of the notebook's run parameters (``run_record.json``) and of the study's
    files (:func:`_study_numbers`): inputs of the run, not statistics (a seed, a landmark, the
    number of replicates, a published figure; CI levels also as %)."""
    record = json.loads((run / "run_record.json").read_text(encoding="utf-8"))
    params = record["notebooks"].get(notebook, {}).get("parameters", {})
    out: set[str] = set()
    for name, value in params.items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                continue
            out |= {f"{v:g}", f"{v}"}
            if name.endswith("conf_level"):
                out.add(f"{100 * v:g}")
    return out | _study_numbers(record)


def _ard_rows(run: Path, notebook: str) -> list[dict]:
    with (run / "ard.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["notebook"] == notebook]


def _report(notebook: str, missing) -> str:
    lines = [f"{len(missing)} printed number(s) of {notebook} are no stat_fmt, level or CI "
             "level of its ARD (RUN/ard.csv):"]
    lines += [f"  {m.where}: {m.number!r} in '{m.text}'" for m in missing[:40]]
    return "\n".join(lines + ([f"  ... {len(missing) - 40} more"] if len(missing) > 40 else []))


@pytest.mark.parametrize("run", list(RUNS))
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_prose_numbers_are_rows_of_the_notebooks_ard(request, run, notebook):
    supplement_run = _run(request, run)
    allowed = allowed_numbers(_ard_rows(supplement_run, notebook))
    allowed |= set(PROSE_CONSTANTS.get(notebook, {})) | _inputs(supplement_run, notebook)
    prose = notebook_prose(supplement_run / "notebooks" / f"{notebook}.ipynb")
    assert prose, f"{notebook}: no prose found"
    missing = untraced(prose, allowed)
    assert not missing, _report(notebook, missing)


@pytest.mark.parametrize("run", list(RUNS))
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_table_numbers_are_rows_of_the_notebooks_ard(request, run, notebook):
    supplement_run = _run(request, run)
    allowed = allowed_numbers(_ard_rows(supplement_run, notebook))
    tables = sorted((supplement_run / "tables" / notebook).glob("*.csv"))
    cells = [cell for table in tables for cell in table_cells(table)]
    # tables take no structural exemptions: QC's printed-number check reads them the same way
    missing = untraced(cells, allowed, structure=False)
    assert not missing, _report(notebook, missing)


# --------------------------------------------------------------------------- the checker itself
def test_number_tokens_follow_qcs_rules():
    assert number_tokens("0.87 (90% CI 0.69–1.09); p = 0.15, −19.4 and -3.5") == [
        "0.87", "90", "0.69", "1.09", "0.15", "-19.4", "-3.5"]
    assert number_tokens("0.69-1.09, 2020-06-30, 36-month") == [
        "0.69", "1.09", "2020", "06", "30", "36"]
    # digits inside a word, also after a hyphen following one, are no numbers
    assert number_tokens("T1-2 HER2 MF07-01 lancet_oncol_2015 ABCSG-28 v4.0") == []
    assert number_tokens("62.0 is not 62") == ["62.0", "62"]


def test_structural_numbers_are_only_cross_references_years_and_versions():
    assert structural("3.2", "as Table ")
    assert structural("8", "see Chapter ")
    assert structural("2018", "(Soran et al. ")
    assert structural("2015", "Lancet Oncol ")
    assert structural("4.0", "graded by CTCAE v")
    assert structural("26.0", "Terms: MedDRA version ")
    assert not structural("26.0", "Terms: version ")
    assert not structural("0.87", "Table ")  # no cross-reference number
    assert not structural("205", "Chapter ")
    assert not structural("2018", "the hazard ratio was ")  # a year needs its author
    assert not structural("407", "of ")


def test_allowed_numbers_are_the_printed_levels_and_ci_levels():
    rows = [{"stat_fmt": "0.87", "variable_level": "36", "group1_level": "B vs A",
             "conf_level": "0.9", "data_cut": "2020-06-30"},
            {"stat_fmt": "< 0.0001", "group2_level": "3", "conf_level": ""}]
    assert allowed_numbers(rows) == {"0.87", "36", "90", "2020", "06", "30", "0.0001", "3"}


def test_a_planted_number_in_prose_or_a_table_is_found(supplement_run, tmp_path):
    """The check fails on a number the ARD does not hold: a sentence and a table cell of
    chapter 3 with one number changed."""
    notebook = "03_overall_survival"
    nb = json.loads((supplement_run / "notebooks" / f"{notebook}.ipynb").read_text())
    allowed = allowed_numbers(_ard_rows(supplement_run, notebook)) | _inputs(supplement_run, notebook)
    hr = next(r["stat_fmt"] for r in _ard_rows(supplement_run, notebook)
              if r["analysis_id"] == "OS.cox.primary" and r["stat_name"] == "estimate")
    planted = None
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/markdown", ""))
            if hr in text and planted is None:  # a number neither the ARD nor an input holds
                planted = next(f"{float(hr) + k / 100:.2f}" for k in range(1, 100)
                               if f"{float(hr) + k / 100:.2f}" not in allowed)
                output["data"]["text/markdown"] = text.replace(hr, planted, 1)
    assert planted, f"{notebook}: no Markdown output shows the HR {hr}"
    path = tmp_path / f"{notebook}.ipynb"
    path.write_text(json.dumps(nb))
    missing = untraced(notebook_prose(path), allowed)
    assert [m.number for m in missing] == [planted]
    table = tmp_path / "t" / "os_cox.csv"
    table.parent.mkdir()
    table.write_text(f"Analysis,HR\nStratified Cox (primary),{planted}\n", encoding="utf-8")
    assert [(m.where, m.number) for m in untraced(table_cells(table), allowed, structure=False)] == [
        ("t/os_cox.csv row 2 column 2", planted)]


def test_the_prose_constants_name_real_notebooks():
    assert set(PROSE_CONSTANTS) <= set(NOTEBOOKS)


@pytest.mark.parametrize("run", list(RUNS))
def test_output_ids_name_a_table_or_figure_of_their_notebook(request, run):
    """ARS traceability: an ARD row's ``output_id`` (a ``tbl-``/``fig-`` label) is the label
    of a table or figure of the notebook that wrote it, so QC and readers find the output."""
    import re

    supplement_run = _run(request, run)
    with (supplement_run / "ard.csv").open(encoding="utf-8", newline="") as handle:
        used = {(row["notebook"], row["output_id"]) for row in csv.DictReader(handle)
                if row["output_id"].startswith(("tbl-", "fig-"))}
    labels = {}
    for notebook in {nb for nb, _ in used}:
        source = (Path(__file__).resolve().parent.parent / "notebooks" / f"{notebook}.py")
        labels[notebook] = set(re.findall(r"#\| label: ((?:tbl|fig)-[\w-]+)",
                                          source.read_text(encoding="utf-8")))
    stale = sorted((nb, out) for nb, out in used if out not in labels[nb])
    assert not stale, stale
