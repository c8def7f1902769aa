"""The book's quality-control appendix (helpers/render/qc_appendix.py): the findings of
RUN/qc/qc_report.json when it is of this run, else one sentence saying how to run QC."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from helpers.render.qc_appendix import by_output, qc_appendix_markdown
from helpers.render.quarto import QC_APPENDIX, add_qc_appendix

ROOT = Path(__file__).resolve().parents[1]
RECORD = {"status": "complete", "run_label": "default", "finished_utc": "2026-01-02T03:04:05+00:00",
          "packages": {"python": "3.11.7", "numpy": "2.4.6"}}


def _row(output_id, stat_name, difference, tolerance, notebook="03_overall_survival"):
    return {"notebook": notebook, "output_id": output_id, "analysis_id": "OS.cox.primary",
            "stat_name": stat_name, "difference": difference, "tolerance": tolerance}


REPORT = {
    "run_label": "default", "run_finished_utc": RECORD["finished_utc"], "status": "fail",
    "tolerances": {"p_value": "absolute 1e-4", "other": "relative 1e-6"},
    "summary": {"matched": 3, "mismatched": 1, "only_in_run": 1, "only_in_qc": 2,
                "not_covered_rows": 7, "printed_numbers": 10, "printed_unmatched": 0},
    "software": {"R": "R version 4.2.2", "packages": {"survival": "3.5.3", "foreign": None}},
    "qc_program": {"sha256": "ab" * 32},
    "matched": [_row("tbl-os-cox", "estimate", 1e-15, "relative 1e-6"),
                _row("tbl-os-cox", "p.value", 2e-6, "absolute 1e-4"),
                _row("", "median", 0, "relative 1e-6")],
    "mismatched": [_row("tbl-os-cox", "conf.low", 3e-3, "relative 1e-6")],
    "only_in_run": [_row("tbl-os-cox", "p.value.lr", None, "")],
    "only_in_qc": [_row("", "n", None, "", notebook="01_population")] * 2,
}


def run_dir(tmp_path: Path, report: dict | None) -> Path:
    (tmp_path / "qc").mkdir(parents=True)
    (tmp_path / "run_record.json").write_text(json.dumps(RECORD))
    if report is not None:
        (tmp_path / "qc" / "qc_report.json").write_text(json.dumps(report))
    return tmp_path


def test_without_a_report_one_sentence_says_how_to_run_qc(tmp_path):
    text = qc_appendix_markdown(run_dir(tmp_path, None), "params/colon.yaml")
    title, body = text.strip().split("\n\n")
    assert title.startswith("# Quality control {#sec-quality-control")
    assert "No independent quality control" in body
    assert "`make qc` with this run's parameter file" in body and "|" not in body
    assert "params/colon.yaml" not in body  # no file path for readers


def test_a_report_of_an_earlier_run_is_not_shown(tmp_path):
    old = dict(REPORT, run_finished_utc="2025-12-31T00:00:00+00:00")
    text = qc_appendix_markdown(run_dir(tmp_path, old))
    assert "of an earlier run (finished 2025-12-31" in text and "make qc" in text
    assert "| Output |" not in text


def _table(text: str, label: str) -> tuple[str, list[list[str]], str]:
    """The cell ``label`` of the appendix: its caption, its rows (cells without the
    alignment's blanks) and the notes under it."""
    import re

    from helpers.report.publication_table import FIGURE_SPACE, GHOSTS

    blanks = "".join(set(GHOSTS.values()) | {FIGURE_SPACE, "\u2003"})
    cell = re.search(rf":::::: {{.cell}}\n```{{.python .cell-code}}\n#\| label: {label}\n"
                     rf"#\| tbl-cap: (\".*?\")\n#\| echo: false\n```(.*?)\n::::::\n", text, re.S)
    assert cell, label
    html = re.search(r"<table.*?</table>", cell.group(2), re.S).group(0)
    rows = [[re.sub(r"<[^>]+>", "", c).strip(blanks + " \n")
             for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr.*?</tr>", html, re.S)]
    notes = re.sub(r"\\(.)", r"\1", cell.group(2).split("</table>")[1])  # Markdown unescaped
    return json.loads(cell.group(1)), rows, notes


def test_the_reports_findings_per_output_with_software_and_checksum(tmp_path):
    text = qc_appendix_markdown(run_dir(tmp_path, REPORT))
    assert "QC **FAILED**" in text and "3 statistics matched, 1 differed" in text
    assert "@tbl-qc-outputs" in text and "@tbl-qc-software" in text  # referred to by ID
    assert "|---|" not in text  # no pipe tables: publication tables
    caption, rows, notes = _table(text, "tbl-qc-outputs")
    assert caption.startswith("Statistics of this run recomputed by the independent QC program")
    assert rows[0] == ["Chapter and output", "Compared", "Matched", "Only in one side",
                       "Largest relative difference", "Largest absolute difference of p-values"]
    assert ["01_population"] in rows and ["03_overall_survival"] in rows  # chapters as groups
    assert ["@tbl-os-cox", "3", "2", "1", "3.0×10⁻³", "2.0×10⁻⁶"] in rows
    assert ["Text of the chapter", "1", "1", "0", "0", "–"] in rows
    assert ["Statistics only QC computed", "0", "0", "2", "–", "–"] in rows
    assert "tolerance relative 1e-6" in notes and "Source: this run" in notes
    caption, rows, notes = _table(text, "tbl-qc-software")
    assert rows[1] == ["Analysis (Python, run record)", "numpy 2.4.6, python 3.11.7"]
    assert rows[2] == ["QC (R, QC report)", "R version 4.2.2, survival 3.5.3"]  # a package QC lacks is left out
    assert 'class="gt_table"' in text  # the one builder's tables
    assert "ab" * 32 in text


def test_quarto_gets_its_own_table_divs(tmp_path):
    text = qc_appendix_markdown(run_dir(tmp_path, REPORT), quarto=True)
    assert "::: {#tbl-qc-outputs}" in text and "::: {#tbl-qc-software}" in text
    assert "#| label" not in text and 'class="gt_table"' in text


def test_by_output_counts_every_compared_row_once():
    rows = by_output(REPORT)
    assert sum(r["compared"] for r in rows) == len(REPORT["matched"]) + len(REPORT["mismatched"])
    assert sum(r["only"] for r in rows) == 3


def test_quarto_build_gets_the_appendix_in_its_project(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    add_qc_appendix(ROOT / "_quarto.yml", build, run_dir(tmp_path / "run", None), "p.yaml")
    config = yaml.safe_load((build / "_quarto.yml").read_text())
    assert config["book"]["appendices"] == [QC_APPENDIX]
    assert config["project"]["render"][-1] == QC_APPENDIX
    assert config["book"]["chapters"] == yaml.safe_load(
        (ROOT / "_quarto.yml").read_text())["book"]["chapters"]
    assert "make qc" in (build / QC_APPENDIX).read_text()


def test_chapters_are_named_by_their_titles_when_the_run_has_its_notebooks(tmp_path):
    import nbformat

    run = run_dir(tmp_path, REPORT)
    (run / "notebooks").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Overall survival (primary endpoint) {#sec-overall-survival}")]),
        run / "notebooks" / "03_overall_survival.ipynb")
    text = qc_appendix_markdown(run, generation=run)
    _, rows, _ = _table(text, "tbl-qc-outputs")
    assert ["Overall survival (primary endpoint)"] in rows and ["03_overall_survival"] not in rows
    # an output label the chapter has no cell of is not shown as a reference
    assert ["Other statistics of the chapter", "3", "2", "1", "3.0×10⁻³", "2.0×10⁻⁶"] in rows
    nb = nbformat.read(run / "notebooks" / "03_overall_survival.ipynb", as_version=4)
    nb.cells += [nbformat.v4.new_code_cell("#| label: tbl-os-summary\nx"),
                 nbformat.v4.new_code_cell("#| label: tbl-os-cox\nx")]
    nbformat.write(nb, run / "notebooks" / "03_overall_survival.ipynb")
    _, rows, _ = _table(qc_appendix_markdown(run, generation=run), "tbl-qc-outputs")
    names = [r[0] for r in rows]
    assert names.index("@tbl-os-cox") < names.index("Text of the chapter")  # the chapter's order
