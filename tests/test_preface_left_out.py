"""The preface's list of what the book leaves out names chapters by their titles, never by
their notebooks (issue 19: "(notebook 12_standard_outputs)" was shown to readers)."""

from __future__ import annotations

import nbformat

from helpers.render.book_plan import BookPlan, Omission, _chapter_title
from helpers.render.preface import _left_out
from helpers.render.project import BookProject


def test_sections_name_their_chapter_by_title_and_chapters_by_their_own(tmp_path):
    plan = BookPlan(project=BookProject(chapters=[], metadata={}, bibliography=None, output_dir="_book", output_file="book"), study=None, parameters={},
                    omitted=[Omission("06_safety", "Safety", "the data have no adverse events",
                                      chapter=True),
                             Omission("12_standard_outputs", "DTHT01 deaths", "the data lack X",
                                      "sec-dtht01", chapter_title="Standard outputs")])
    text = _left_out(plan)
    assert "- Chapter *Safety*: the data have no adverse events." in text
    assert "- In chapter *Standard outputs*:\n    - *DTHT01 deaths*: the data lack X." in text
    assert "notebook" not in text and "12_standard_outputs" not in text and "06_safety" not in text


def test_the_chapter_title_is_the_notebooks_first_heading(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("Intro\n\n# Standard outputs {#sec-standard}\n\n## A part")])
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "12_standard_outputs.ipynb")
    assert _chapter_title(tmp_path, "12_standard_outputs") == "Standard outputs"
    assert _chapter_title(tmp_path, "13_absent") == ""


def test_the_preface_says_where_code_is_shown():
    """The preface is shared by the HTML (code folded above each output) and the PDF and Word
    editions (no code): it must not tell a PDF reader that code is folded above."""
    from helpers.render.preface import HOW

    text = " ".join(HOW.split())
    assert "HTML edition shows the code" in text and "the PDF and Word editions do not" in text
