"""Tables set as journals set them (issue 19): numbers aligned on their decimal marks part by
part (``publication_table.align_decimals``) in HTML and PDF, a rule under every PDF table,
level labels with ≥ and ≤ (``format.format_level``), output labels in a table cell linked by
their IDs (``quarto_syntax.lua``)."""

from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_output

from helpers.render import render_book
from helpers.report.format import format_level
from helpers.report.publication_table import (FIGURE_SPACE, GHOSTS, align_decimals, book_table,
                                              publication_table)
from test_render_book import _project, _tiny_book

BLANKS = set(GHOSTS.values()) | {FIGURE_SPACE}


def _bare(cell: str) -> str:
    return "".join(c for c in cell if c not in BLANKS)


def _widths(cells: list[str]) -> list[int]:
    return [len(c) for c in cells]


def _column(cells: list[str], char: str, nth: int = 0) -> list[int]:
    """Where the ``nth`` ``char`` of each cell is, counted from the cell's right end (the
    column is right-aligned, every blank as wide as what it stands for)."""
    out = []
    for cell in cells:
        at = [i for i, c in enumerate(cell) if c == char][nth]
        out.append(len(cell) - at)
    return out


@pytest.fixture(autouse=True)
def _hand_made_runs_count_as_complete(monkeypatch):
    import helpers.render.common as common

    monkeypatch.setattr(common, "require_complete", lambda run_dir, generation=None: None)


# ------------------------------------------------------------------ decimal alignment


def test_every_number_of_a_cell_lines_up_and_the_text_is_kept():
    cells = ["0.87 (0.72–1.05)", "1.20 (0.87–11.66)", "12.50 (9.80–15.20)"]
    aligned = align_decimals(cells)
    assert [_bare(c) for c in aligned] == cells  # only blanks added, in printing order
    assert len(set(_widths(aligned))) == 1
    assert len(set(_column(aligned, ".", 0))) == 1  # the estimates' decimal marks
    assert len(set(_column(aligned, ".", 1))) == 1  # the lower limits'
    assert len(set(_column(aligned, "("))) == 1
    # no blank after a range's dash: "0.87–1.05" stays whole, the end takes the width up
    assert "–" + FIGURE_SPACE not in "".join(aligned)


def test_counts_with_percentages_and_a_zero_under_the_counts():
    cells = ["67 (32.7%)", "138 (67.3%)", "5 (2.4%)", "0", "–", ""]
    aligned = align_decimals(cells)
    assert aligned[4:] == ["–", ""]  # no digit: as it is
    numbers = aligned[:4]
    assert [_bare(c) for c in numbers] == cells[:4]
    assert len(set(_widths(numbers))) == 1
    units = [len(c) - c.index(n) - len(n) for c, n in zip(numbers, ["67", "138", "5", "0"])]
    assert len(set(units)) == 1  # every count's last digit in one place
    assert aligned[2] == f"{FIGURE_SPACE * 2}5 ({FIGURE_SPACE}2.4%)"


def test_p_values_align_on_the_decimal_mark_with_the_sign_before_them():
    aligned = align_decimals(["0.0047", "0.18", "< 0.0001", "0.05"])
    assert [_bare(c) for c in aligned] == ["0.0047", "0.18", "< 0.0001", "0.05"]
    assert len(set(_column(aligned, "."))) == 1
    assert aligned[2] == "< 0.0001"


def test_other_shapes_align_among_themselves_and_prose_is_left_alone():
    baseline = align_decimals(["205", "55.3 (11.7)", "56.0 (28.0–80.0)", "67 (32.7%)", "138 (67.3%)"])
    assert baseline[1:3] == ["55.3 (11.7)", "56.0 (28.0–80.0)"]  # one of each shape: as they are
    n_row, count = baseline[0], baseline[4]
    assert len(n_row) == len(count)  # the n row under the counts of "n (%)"
    assert len(n_row) - n_row.index("205") == len(count) - count.index("138")
    # a summary's medians and hazard ratios in one column: each aligned with its own kind
    summary = align_decimals(["76.0 (68.1–89.0)", "0.92 (0.73–1.18)", "NE (133.6–NE)",
                              "0.92 (0.69–1.23)", "40.7 (31.9–48.2)", "0.59", "0.53"])
    assert summary[1] == "0.92 (0.73–1.18)" and summary[5:] == ["0.59", "0.53"]
    medians = [summary[0], summary[2], summary[4]]
    assert len(set(_widths(medians))) == 1 and len(set(_column(medians, "(", 0))) == 1
    prose = ["0.15 (one-sided log-rank)", "0.12 (one-sided Wald)"]
    assert align_decimals(prose) == prose


def test_the_builder_aligns_number_columns_only():
    df = pd.DataFrame({"Arm": ["A", "B"], "n (%)": ["5 (2.4%)", "138 (67.3%)"],
                       "Note": ["x 1", "y"]})
    html = book_table(publication_table(df)).html
    assert f"{FIGURE_SPACE}{FIGURE_SPACE}5 ({FIGURE_SPACE}2.4%)" in html
    assert ">x 1<" in html and ">A<" in html


# ------------------------------------------------------------------ level labels


def test_level_labels_show_comparison_signs():
    assert format_level(">=50") == "≥50" and format_level("<=2") == "≤2"
    assert format_level("<50") == "<50" and format_level("Premenopausal") == "Premenopausal"
    assert format_level(None) == "" and format_level(float("nan")) == ""


@pytest.mark.slow
def test_the_run_shows_the_sign_and_keeps_the_data_level_in_the_ard(supplement_run):
    ard = pd.read_csv(supplement_run / "ard.csv", dtype=str, keep_default_na=False)
    keys = set(ard["variable_level"]) | set(ard["group2_level"])
    assert ">=50" in keys and "≥50" not in keys  # ARD keys are the data's levels
    for notebook in ("02_baseline", "05_subgroups"):
        nb = nbformat.read(supplement_run / "notebooks" / f"{notebook}.ipynb", as_version=4)
        shown = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code"
                        for o in c.get("outputs", []))
        assert "≥50" in shown and "&gt;=50" not in shown and ">=50" not in shown, notebook


# ------------------------------------------------------------------ rendered book


def _book_with_tables(tmp_path):
    """The tiny book with a table of counts and a table naming outputs by their labels."""
    params = _tiny_book(tmp_path)
    beta = tmp_path / "run" / "notebooks" / "02_beta.ipynb"
    nb = nbformat.read(beta, as_version=4)
    counts = pd.DataFrame({"Arm": ["A", "B", "C"], "n (%)": ["5 (2.4%)", "138 (67.3%)", "0"]})
    outputs = pd.DataFrame({"Output": ["@tbl-median", "@tbl-gone"], "Compared": ["3", "12"]})
    for label, df in (("tbl-counts", counts), ("tbl-outputs", outputs)):
        html = book_table(publication_table(df)).html
        nb.cells.append(new_code_cell(
            f"#| label: {label}\n#| tbl-cap: \"{label}.\"\nshow()", execution_count=1,
            outputs=[new_output("display_data", data={"text/html": html, "text/plain": "df"})]))
    nbformat.write(nb, beta)
    return params


def test_a_cell_naming_an_output_links_it_by_its_id(tmp_path):
    params = _book_with_tables(tmp_path)
    book = render_book(params, project_dir=_project(params))
    beta = " ".join((book.html.parent / "sec-beta.html").read_text(encoding="utf-8").split())
    assert re.search(r'<td[^>]*><a href="sec-alpha.html#tbl-median"[^>]*>Table S1</a></td>', beta)
    assert "not in this book" in beta and "@tbl-" not in beta


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_pdf_tables_close_with_a_rule_and_numbers_line_up(tmp_path):
    params = _book_with_tables(tmp_path)
    book = render_book(params, project_dir=_project(params), keep_build=tmp_path / "build")
    typ = (tmp_path / "build" / "book.typ").read_text(encoding="utf-8")
    # every table: rules above and under the header and under its last row (header + 2 rows;
    # header + 3 rows; header + 2 rows)
    assert re.findall(r"#set table\(stroke: table-rules\((\d+)\)\)", typ) == ["3", "4", "3"]
    assert "else if y == rows - 1 { (bottom: 0.8pt) }" in typ
    # the right edges of the counts line up (the blanks are hidden characters of their width)
    words = subprocess.run(["pdftotext", "-bbox", str(book.pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    boxes = re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)<', words)
    texts = [w for _, w in boxes]
    last = {w: i for i, w in enumerate(texts)}  # the captions (not the list of tables)
    table = boxes[last["tbl-counts."]:last["tbl-outputs."]]  # that table's words
    right = {w: float(x) for x, w in table if w in ("5", "138", "0", "2.4%)", "(67.3%)")}
    assert set(right) == {"5", "138", "0", "2.4%)", "(67.3%)"}  # "(" then a hidden digit
    assert abs(right["5"] - right["138"]) < 0.3 and abs(right["0"] - right["138"]) < 0.3
    assert abs(right["2.4%)"] - right["(67.3%)"]) < 0.3


def test_html_tables_have_journal_rules_and_digits_of_one_width():
    from helpers.render.pandoc_book import HTML_STYLE

    css = HTML_STYLE.read_text(encoding="utf-8")
    table = re.search(r"(?m)^table \{[^}]*\}", css).group(0)
    assert "border-top" in table and "border-bottom" in table and "tabular-nums" in table
    assert "border-bottom" not in re.search(r"(?m)^th, td \{[^}]*\}", css).group(0)



def test_subgroup_table_shows_the_sign_and_the_sentence_escapes_labels_once():
    """The subgroup table shows '≥50' (the ARD keeps '>=50'); the results sentence reads
    'Age (years): <50' in every output, not 'Age \\(years\\): \\<50' (escaped twice)."""
    from pathlib import Path

    from helpers.analyses.subgroups import subgroup_ard, subgroup_report
    from helpers.ard import ArdBuilder, ArdView
    from helpers.data.trial_data import analysis_frame, load_trial_data
    from helpers.report.format import fill_stat_fmt
    from helpers.report.subgroups import subgroup_results_text, subgroup_table

    frame = analysis_frame(load_trial_data(Path(__file__).resolve().parents[1] / "data"), "OS")
    b = ArdBuilder("05_subgroups", population="ITTFL")
    subgroup_ard(b, subgroup_report(frame, ["AGEGR1"], strata=["ER"]), paramcd="OS")
    ard = fill_stat_fmt(b.frame())
    assert ">=50" in set(ard["group2_level"]) and "≥50" not in set(ard["group2_level"])
    view = ArdView(ard)
    labels = {"AGEGR1": "Age (years)"}
    assert "≥50" in list(subgroup_table(view, labels)["Level"])
    text = subgroup_results_text(view, labels, "deaths", "Resection (arm B)")
    assert "Age \\(years\\): \\<50" in text  # Markdown: escaped once
    assert "\\\\" not in text  # never twice
