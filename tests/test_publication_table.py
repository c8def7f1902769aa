"""The one table builder (helpers/report/publication_table.py): tables laid out as journals
print them through Great Tables, in the HTML subset that survives pandoc to Typst and Word."""

from __future__ import annotations

import re
import subprocess
import zipfile

import pandas as pd
import pytest

from helpers.report.publication_table import (EM_SPACE, FIGURE_SPACE, GHOSTS, book_table,
                                              publication_table)

#: The blanks that line numbers up on their decimal marks (tests/test_table_typesetting.py).
ALIGNMENT = str.maketrans("", "", "".join({FIGURE_SPACE, *GHOSTS.values()}))


def _book(df, sources=()):
    return book_table(publication_table(df, sources))


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr.*?</tr>", html, re.S)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).translate(ALIGNMENT).strip(" \n")
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def _cox() -> pd.DataFrame:
    df = pd.DataFrame([{"Analysis": "Stratified Cox (primary) a", "HR": "0.87",
                        "CI": "90% CI 0.69–1.09", "p": "0.15 (one-sided log-rank)"},
                       {"Analysis": "Unstratified Cox", "HR": "0.85", "CI": "90% CI 0.68–1.07",
                        "p": "0.12 (one-sided log-rank)"}])
    df.attrs["footnotes"] = ["a Stratified by ER, HER2.", "Wald CIs."]
    return df


def test_a_footnote_mark_is_a_superscript_on_its_cell_and_its_text_goes_under_the_table():
    table = _book(_cox(), ["Population: full analysis set. Data cut: none.", "Source: ADSL, ADTTE."])
    assert "Stratified Cox (primary)<sup>a</sup>" in table.html
    assert "(primary) a<" not in table.html and "<tfoot" not in table.html
    assert table.notes == (("a", "Stratified by ER, HER2."), ("", "Wald CIs."),
                           ("", "Population: full analysis set. Data cut: none."),
                           ("", "Source: ADSL, ADTTE."))
    # no pandas index column, no spare header row: one header row, the stub's label first
    head = re.search(r"<thead>.*?</thead>", table.html, re.S).group(0)
    assert [_cells(r) for r in _rows(head)] == [["Analysis", "HR", "CI", "p"]]
    assert len(_rows(table.html)) == 3
    assert "<th" not in table.html.split("</thead>")[1]  # row labels are cells, not bold row heads


def test_a_letter_not_ending_a_cell_is_no_mark():
    df = _cox()
    df.attrs["footnotes"] = ["b Not used.", "a Stratified by ER."]
    table = _book(df)
    assert ("", "b Not used.") in table.notes and ("a", "Stratified by ER.") in table.notes


def test_stub_left_numbers_right():
    html = _book(_cox()).html
    body = _rows(html)[1]
    assert re.search(r'<t[hd][^>]*style="text-align: left"[^>]*>Stratified', body)
    for number in ("0.87", "90% CI 0.69–1.09"):
        assert re.search(rf'style="text-align: right"[^>]*>{re.escape(number)}<', body), number


def test_row_groups_indent_their_levels_in_the_order_given():
    df = pd.DataFrame({"Characteristic": ["Age, years", "Age, years", "Menopausal status",
                                          "Menopausal status"],
                       "Statistic": ["n", "Median (min–max)", "Premenopausal", "Postmenopausal"],
                       "Arm A (N=205)": ["205", "56.0 (28.0–80.0)", "68 (33.2%)", "137 (66.8%)"]}
                      ).set_index(["Characteristic", "Statistic"])
    html = _book(df).html
    rows = [_cells(r) for r in _rows(html)]
    assert rows[0] == ["Characteristic", "Arm A (N=205)"]
    assert rows[1] == ["Age, years"] and 'colspan="2"' in _rows(html)[1]
    assert rows[2] == [f"{EM_SPACE}n", "205"]
    assert [r[0] for r in rows[4:]] == ["Menopausal status", f"{EM_SPACE}Premenopausal",
                                        f"{EM_SPACE}Postmenopausal"]


def test_a_group_column_and_a_row_without_a_level():
    df = pd.DataFrame({"Subgroup": ["All patients", "Age (years)", "Age (years)"],
                       "Level": ["", "<50", "≥50"], "HR (95% CI)": ["0.85 (0.65–1.12)",
                                                                "0.47 (0.27–0.79)", "1.09 (0.80–1.51)"]})
    df.attrs["groups"] = "Subgroup"
    rows = [_cells(r) for r in _rows(_book(df).html)]
    assert rows == [["Subgroup", "HR (95% CI)"], ["All patients", "0.85 (0.65–1.12)"],
                    ["Age (years)"], [f"{EM_SPACE}&lt;50", "0.47 (0.27–0.79)"],
                    [f"{EM_SPACE}≥50", "1.09 (0.80–1.51)"]]


def test_leading_spaces_indent_and_column_index_levels_are_spanners():
    columns = pd.MultiIndex.from_tuples([("Arm A (N=205)", "Any grade"), ("Arm A (N=205)", "Grade ≥3"),
                                         ("Arm B (N=202)", "Any grade"), ("Arm B (N=202)", "Grade ≥3")])
    df = pd.DataFrame([["178 (86.8%)", "73 (35.6%)", "187 (92.6%)", "77 (38.1%)"],
                       ["78 (38.0%)", "41 (20.0%)", "72 (35.6%)", "44 (21.8%)"],
                       ["61 (29.8%)", "3 (1.5%)", "63 (31.2%)", "4 (2.0%)"]],
                      index=pd.Index(["Any adverse event", "    Neutropenia", f"{EM_SPACE}Fatigue"],
                                     name="Preferred term"),
                      columns=columns)
    html = _book(df).html
    head = _rows(re.search(r"<thead>.*?</thead>", html, re.S).group(0))
    assert _cells(head[0]) == ["Preferred term", "Arm A (N=205)", "Arm B (N=202)"]
    assert head[0].count('colspan="2"') == 2 and 'rowspan="2"' in head[0]
    assert _cells(head[1]) == ["Any grade", "Grade ≥3", "Any grade", "Grade ≥3"]
    assert _cells(_rows(html)[3])[0] == f"{EM_SPACE}Neutropenia"
    assert _cells(_rows(html)[4])[0] == f"{EM_SPACE}Fatigue"


def test_spanners_from_attrs_relabel_their_columns():
    df = pd.DataFrame({"Endpoint": ["LRFS"], "Arm A events/N": ["166/205"],
                       "Arm B events/N": ["119/202"], "p": ["< 0.0001"]})
    df.attrs["spanners"] = {"Events/N": {"Arm A events/N": "Arm A", "Arm B events/N": "Arm B"}}
    head = _rows(re.search(r"<thead>.*?</thead>", _book(df).html, re.S).group(0))
    assert _cells(head[0]) == ["Endpoint", "Events/N", "p"]
    assert _cells(head[1]) == ["Arm A", "Arm B"]


def test_cells_and_notes_are_text_never_markup():
    df = pd.DataFrame({"Arm": ["<b>A</b> & co"], "n": ["1"]})
    df.attrs["footnotes"] = ["<i>note</i> *x*"]
    table = _book(df)
    assert "&lt;b&gt;A&lt;/b&gt; &amp; co" in table.html and "<b>" not in table.html
    assert table.notes == (("", "<i>note</i> *x*"),)


def test_floats_print_as_pandas_printed_them_and_missing_is_empty():
    df = pd.DataFrame({"Scenario": ["a", "b"], "Deaths": [359.3, None], "k": [3, 4]})
    rows = [_cells(r) for r in _rows(_book(df).html)]
    assert rows[1:] == [["a", "359.3", "3"], ["b", "", "4"]]


@pytest.fixture(scope="module")
def pandoc():
    from helpers.render.pandoc_book import pandoc_path

    return pandoc_path()


def _spanned() -> pd.DataFrame:
    columns = pd.MultiIndex.from_tuples([("Arm A", "n"), ("Arm A", "%"), ("Arm B", "n"), ("Arm B", "%")])
    df = pd.DataFrame([["1 a", "10", "2", "20"]] * 4, columns=columns,
                      index=pd.Index(["x", "    y", "z", "w"], name="Row"))
    df.attrs["footnotes"] = ["a Marked."]
    return df


def test_pandoc_keeps_spans_marks_and_no_table_footer_in_typst(pandoc, tmp_path):
    (tmp_path / "t.html").write_text(_book(_spanned()).html, encoding="utf-8")
    typst = subprocess.run([pandoc, "t.html", "-f", "html", "-t", "typst"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout
    assert "colspan: 2" in typst and "rowspan: 2" in typst
    assert "1#super[a]" in typst
    assert "table.footer" not in typst
    assert "align: right" in typst and "align: left" in typst


def test_pandoc_gives_word_a_real_table_with_merged_cells_and_superscripts(pandoc, tmp_path):
    (tmp_path / "t.html").write_text(_book(_spanned()).html, encoding="utf-8")
    subprocess.run([pandoc, "t.html", "-f", "html", "-o", "t.docx"], cwd=tmp_path, check=True)
    xml = zipfile.ZipFile(tmp_path / "t.docx").read("word/document.xml").decode()
    assert "<w:tbl>" in xml
    assert '<w:gridSpan w:val="2" />' in xml
    assert '<w:vertAlign w:val="superscript" />' in xml
