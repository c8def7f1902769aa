"""The book without Quarto (helpers.render.pandoc_book + quarto_syntax.lua), read as a reader would.

1. A tiny book built here (fast): numbered captioned figures and tables, @fig/@tbl/@sec
   references with chapter numbers, an embed, citeproc, folded code in HTML and none in the
   PDF, HTML tables as real tables; errors for unresolved references and missing chapters; a
   failed render keeps the previous book.
2. The real run (slow): every notebook for params/default.yaml into a temporary run, rendered;
   the PDF checked with poppler (pdfimages, pdftotext) and rasterised with pdftoppm into
   test-artifacts/pdf/ for a person to look at.
"""
from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers.render import RenderError, render_book
from supplement_run import run_and_render


@pytest.fixture(autouse=True)
def _hand_made_runs_count_as_complete(monkeypatch):
    """These tests render run directories made by hand (no runner, no run record); that an
    incomplete run is refused is tested in tests/test_render_complete.py."""
    import helpers.render.common as common

    monkeypatch.setattr(common, "require_complete", lambda run_dir, generation=None: None)


ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "pdf"
NO_POPPLER = "poppler-utils (pdftotext, pdfimages, pdftoppm) is not installed; .ci/run installs it"
needs_poppler = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("pdftotext", "pdfimages", "pdftoppm")),
    reason=NO_POPPLER)

# an 8x8 PNG (red square)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC")
TABLE_HTML = ("<table><thead><tr><th>Arm</th><th>Median</th></tr></thead>"
              "<tbody><tr><td>A</td><td>71.1</td></tr><tr><td>B</td><td>75.0</td></tr></tbody></table>")


def pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True)
    return done.stdout.replace("\f", "\n")


def pdf_images(pdf: Path) -> list[list[str]]:
    """Rows of ``pdfimages -list`` for the images proper (no soft masks)."""
    done = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    return [row for row in rows if row[2] == "image"]


def _code(source, outputs):
    return new_code_cell(source, execution_count=1, outputs=outputs)


def _tiny_book(tmp_path: Path, reference: str = "@fig-square") -> Path:
    """A project (_quarto.yml, index.qmd, references) and a run with two executed notebooks;
    returns the parameter file."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "_quarto.yml").write_text(yaml.safe_dump({
        "project": {"type": "book", "output-dir": "_book"},
        "book": {"title": "Tiny book", "author": "Tester", "output-file": "tiny",
                 "chapters": ["index.qmd", {"part": "Results", "chapters": [
                     "notebooks/01_alpha.ipynb", "notebooks/02_beta.ipynb"]}, "references.qmd"]},
        "bibliography": "references.bib"}))
    (project / "index.qmd").write_text(
        "# Preface {.unnumbered}\n\nSee @sec-beta and the square in @fig-square. Methods as in [@kaplan1958].\n\n"
        "{{< embed notebooks/02_beta.ipynb#summary >}}\n\n"
        "::: {.callout-important}\n## Synthetic data\nNot real.\n:::\n")
    (project / "references.qmd").write_text("# References {.unnumbered}\n\n::: {#refs}\n:::\n")
    (project / "references.bib").write_text(
        "@article{kaplan1958,\n  author = {Kaplan, E. L. and Meier, Paul},\n  title = {Nonparametric "
        "estimation from incomplete observations},\n  journal = {JASA},\n  year = {1958}\n}\n")
    run = tmp_path / "run" / "notebooks"
    run.mkdir(parents=True)
    image = new_output("display_data", data={"image/png": base64.b64encode(PNG).decode(),
                                             "text/plain": "<Figure>"})
    alpha = new_notebook(cells=[
        new_markdown_cell("# Alpha {#sec-alpha}\n\nIntro.\n\n## Square {#sec-square}\n\n"
                          f"The square is {reference}; its table @tbl-median; see @sec-square."),
        _code("#| label: fig-square\n#| fig-cap: \"A red square.\"\nshow_square()", [image]),
        _code("#| label: tbl-median\n#| tbl-cap: \"Medians by arm.\"\nshow_table()",
              [new_output("display_data", data={"text/html": TABLE_HTML, "text/plain": "df"})]),
    ])
    beta = new_notebook(cells=[
        new_markdown_cell("# Beta {#sec-beta}\n\nBack to @fig-square."),
        _code("#| label: summary\nsummary()", [new_output(
            "display_data", data={"text/markdown": "The **summary** sentence 0.87.", "text/plain": "md"})]),
        _code("print('stdout line')", [new_output("stream", name="stdout", text="stdout line\n"),
                                        new_output("stream", name="stderr", text="a warning\n")]),
    ])
    nbformat.write(alpha, run / "01_alpha.ipynb")
    nbformat.write(beta, run / "02_beta.ipynb")
    params = tmp_path / "params.yaml"
    params.write_text(f"parameters:\n  output_dir: {tmp_path / 'run'}\n")
    return params


def _project(params: Path) -> Path:
    return params.parent / "project"


def test_tiny_book_html_numbers_references_embeds_and_folds_code(tmp_path):
    params = _tiny_book(tmp_path)
    book = render_book(params, project_dir=_project(params))
    pages = {p.name: " ".join(p.read_text(encoding="utf-8").split()) for p in book.html.parent.glob("*.html")}
    assert {"index.html", "preface.html", "sec-alpha.html", "sec-beta.html", "references.html"} <= set(pages)
    alpha = pages["sec-alpha.html"]
    assert '<figure id="fig-square"' in alpha and "Figure S1: A red square." in alpha
    assert "Table S1: Medians by arm." in alpha and "<td>71.1</td>" in alpha
    assert re.search(r'<a href="(sec-alpha.html)?#fig-square"[^>]*>Figure S1</a>', alpha)
    assert re.search(r'<a\s+href="(sec-alpha.html)?#sec-square"[^>]*>Section 1.1</a>', alpha)
    assert '<details class="code-fold"><summary>Code</summary>' in alpha
    assert "#| label" not in alpha  # cell options are not shown
    beta = pages["sec-beta.html"]
    assert "stdout line" in beta and "a warning" not in beta
    assert re.search(r'href="sec-alpha.html#fig-square"[^>]*>Figure S1</a>', beta)
    preface = pages["preface.html"]
    assert re.search(r'href="sec-beta.html#sec-beta"[^>]*>Chapter 2</a>', preface)
    assert "<strong>summary</strong> sentence 0.87" in preface  # the embed
    assert "{{&lt;" not in preface and "Kaplan and Meier 1958" in preface
    assert 'class="callout callout-important"' in preface and "Synthetic data" in preface
    assert "Kaplan, E. L." in pages["references.html"]
    for name, page in pages.items():
        assert "?@" not in page, name
    assert (book.html.parent / "media" / "01_alpha").is_dir()


@needs_poppler
def test_tiny_book_pdf_has_numbered_figure_table_and_no_code(tmp_path):
    params = _tiny_book(tmp_path)
    book = render_book(params, project_dir=_project(params))
    assert book.pdf.name == "tiny.pdf"
    text = pdf_text(book.pdf)
    for expected in ("Figure S1: A red square.", "Table S1: Medians by arm.", "Chapter 2",
                     "Section 1.1", "1 Alpha", "1.1 Square", "2 Beta", "Results",
                     "Supplementary appendix", "List of tables", "List of figures", "Page 1 of",
                     "The summary sentence 0.87", "Kaplan and Meier 1958", "Synthetic data"):
        assert expected in text, expected
    assert "show_square()" not in text and "#| label" not in text  # no code in the PDF
    assert re.search(r"Arm\s+Median", text) and re.search(r"A\s+71\.1", text)  # a real table
    assert "?@" not in text and "??" not in text
    assert len(pdf_images(book.pdf)) == 1


def test_unresolved_reference_is_an_error_and_keeps_the_previous_book(tmp_path):
    params = _tiny_book(tmp_path)
    book = render_book(params, project_dir=_project(params))
    before = book.pdf.read_bytes()
    notebook = tmp_path / "run" / "notebooks" / "01_alpha.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("@fig-square", "@fig-missing")
    nbformat.write(nb, notebook)
    with pytest.raises(RenderError, match="unresolved cross-reference @fig-missing"):
        render_book(params, project_dir=_project(params))
    assert book.pdf.read_bytes() == before
    assert [p.name for p in (tmp_path / "run").iterdir() if p.name.startswith(".")] == []


def test_unknown_citation_is_an_error(tmp_path):
    params = _tiny_book(tmp_path)
    index = _project(params) / "index.qmd"
    index.write_text(index.read_text().replace("[@kaplan1958]", "[@nobody2020]"))
    with pytest.raises(RenderError, match="nobody2020"):
        render_book(params, project_dir=_project(params))


def test_chapter_not_executed_is_named(tmp_path):
    params = _tiny_book(tmp_path)
    (tmp_path / "run" / "notebooks" / "02_beta.ipynb").unlink()
    with pytest.raises(RenderError, match=r"02_beta.ipynb: chapter notebooks/02_beta.ipynb of "
                                          r"_quarto.yml was not executed"):
        render_book(params, project_dir=_project(params))


def test_chapters_come_from_quarto_yml(tmp_path):
    """A chapter added to _quarto.yml (e.g. a new notebook) is rendered without code changes."""
    params = _tiny_book(tmp_path)
    config = _project(params) / "_quarto.yml"
    data = yaml.safe_load(config.read_text())
    data["book"]["chapters"][1]["chapters"].reverse()  # beta before alpha
    config.write_text(yaml.safe_dump(data))
    book = render_book(params, project_dir=_project(params))
    alpha = (book.html.parent / "sec-alpha.html").read_text()
    assert "Figure S1: A red square." in alpha and 'header-section-number">2</span> Alpha' in alpha


def test_cli_book_mode(tmp_path, capsys, monkeypatch):
    from helpers.render import main

    params = tmp_path / "params.yaml"
    params.write_text(f"parameters:\n  output_dir: {tmp_path / 'empty'}\n")
    assert main(["book", str(params)]) == 1
    assert "no executed notebooks" in capsys.readouterr().err


# --------------------------------------------------------------------------- the real run


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    return run_and_render(tmp_path_factory.mktemp("book"), "book")


def _labels(prefix: str) -> list[str]:
    labels = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        labels += re.findall(rf"^#\|\s*label:\s*({prefix}-[\w-]+)", path.read_text(), re.M)
    return labels


@pytest.mark.slow
@needs_poppler
def test_real_pdf_as_a_reader_sees_it(real_book):
    pdf = real_book / "_book" / "jcog1017-supplement.pdf"
    figures = sorted((real_book / "figures").rglob("*.svg"))
    assert figures and pdf_images(pdf) == [], "a figure of the run is a raster image in the PDF"
    text = pdf_text(pdf)
    captions = {m.group(1) for m in re.finditer(r"^\s*((?:Figure|Table) S\d+):", text, re.M)}
    assert len({c for c in captions if c.startswith("Figure")}) == len(_labels("fig"))
    assert len({c for c in captions if c.startswith("Table")}) == len(_labels("tbl"))
    assert "?@" not in text and "??" not in text, "unresolved reference in the PDF"
    assert "{{<" not in text and "#| label" not in text
    results = json.loads((real_book / "results" / "03_overall_survival.json").read_text())
    hr = results["hazard_ratio"]
    flat = " ".join(text.replace("\u2013", "-").split())
    assert f"{hr['hr']:.2f} (90% CI {hr['lower']:.2f}-{hr['upper']:.2f})" in flat
    for median in results["medians"]["median"]:
        assert f"{median:.1f}" in flat
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / "page")], check=True)
    assert len(list(ARTIFACTS.glob("page-*.png"))) >= 10


def test_table_without_output_is_left_out_and_a_reference_to_it_is_an_error(tmp_path):
    """A labelled table cell with no output (a section that does not apply) is left out of
    the book, not shown as a placeholder; prose that still refers to it is an error."""
    params = _tiny_book(tmp_path)
    alpha = tmp_path / "run" / "notebooks" / "01_alpha.ipynb"
    nb = nbformat.read(alpha, as_version=4)
    nb.cells[2].outputs = []
    nbformat.write(nb, alpha)
    with pytest.raises(RenderError, match="unresolved cross-reference @tbl-median"):
        render_book(params, project_dir=_project(params))
    nb.cells[0].source = nb.cells[0].source.replace("; its table @tbl-median", "")
    nbformat.write(nb, alpha)
    book = render_book(params, project_dir=_project(params))
    page = " ".join((book.html.parent / "sec-alpha.html").read_text(encoding="utf-8").split())
    assert 'id="tbl-median"' not in page and "Medians by arm" not in page
    assert "not available" not in page.lower()
    assert "not available" not in pdf_text(book.pdf).lower()
