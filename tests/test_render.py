"""Rendering a run (helpers.render): the nbconvert HTML preview, and the Quarto command with a
stand-in ``quarto`` on PATH (the real Quarto render is tested in test_quarto_project.py)."""

import base64
import os
import shutil
import stat
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

import helpers.render as render
from helpers.run import cli


@pytest.fixture(autouse=True)
def _hand_made_runs_count_as_complete(monkeypatch):
    """These tests render run directories made by hand (no runner, no run record); that an
    incomplete run is refused is tested in tests/test_render_complete.py."""
    import helpers.render.common as common

    monkeypatch.setattr(common, "require_complete", lambda run_dir, generation=None: None)


# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"


def executed_notebook(title: str, with_image: bool) -> nbformat.NotebookNode:
    outputs = [new_output("stream", name="stdout", text="hello\n")]
    if with_image:
        outputs.append(new_output("display_data",
                                  data={"image/png": base64.b64encode(PNG).decode()}))
    cell = new_code_cell("print('hello')", execution_count=1, outputs=outputs)
    return new_notebook(cells=[new_markdown_cell(f"Intro.\n\n# {title} {{#sec-x}}\n\nText."), cell])


@pytest.fixture
def run_params(tmp_path):
    """A parameter file whose run directory holds three executed notebooks."""
    run_dir = tmp_path / "run"
    (run_dir / "notebooks").mkdir(parents=True)
    for name, title in [("02_km", "Kaplan-Meier & risk"), ("01_population", "Population"),
                        ("10_end", "Reproduction")]:
        nbformat.write(executed_notebook(title, name == "02_km"),
                       run_dir / "notebooks" / f"{name}.ipynb")
    params = tmp_path / "params.yaml"
    params.write_text(f"parameters:\n  run_label: sensitivity-1\n  output_dir: {run_dir}\n")
    return params


def test_preview_index_lists_notebooks_in_reading_order_with_titles(run_params, capsys):
    assert render.main(["preview", str(run_params)]) == 0
    preview = run_params.parent / "run" / "preview"
    index = (preview / "index.html").read_text()
    links = [index.index(f'href="{name}.html"') for name in ("01_population", "02_km", "10_end")]
    assert links == sorted(links)
    assert ">Population<" in index and ">Kaplan-Meier &amp; risk<" in index
    assert "{#sec-x}" not in index and "sensitivity-1" in index
    page = (preview / "02_km.html").read_text()
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}' in page
    assert "hello" in page
    assert page.count('<details class="supplement-code"><summary>Code</summary>') == 1  # folded
    assert 'src="http' not in page  # reads offline
    out = capsys.readouterr().out
    assert str(preview / "index.html") in out and "quarto-cli" in out


def test_failed_preview_keeps_the_previous_one(run_params, capsys):
    assert render.main(["preview", str(run_params)]) == 0
    preview = run_params.parent / "run" / "preview"
    before = {p.name: p.read_bytes() for p in preview.iterdir()}
    (run_params.parent / "run" / "notebooks" / "11_broken.ipynb").write_text("{not json")
    assert render.main(["preview", str(run_params)]) == 1
    assert "11_broken.ipynb: not a readable notebook" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in preview.iterdir()} == before
    assert sorted(p.name for p in preview.parent.iterdir()) == ["notebooks", "preview"]


def test_nothing_to_render_exits_1(tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text(f"parameters:\n  output_dir: {tmp_path / 'empty'}\n")
    assert render.main(["preview", str(params)]) == 1
    assert "no executed notebooks" in capsys.readouterr().err


def test_quarto_missing_exits_1_with_how_to_get_it(run_params, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(run_params.parent / "no-bin"))
    assert render.main(["quarto", str(run_params)]) == 1
    err = capsys.readouterr().err
    assert "quarto is not on PATH" in err and "environment.yml" in err


FAKE_QUARTO = """#!/bin/sh
# stand-in for quarto: record the arguments and the project it was given, write a book
echo "$@" > "$2/_book.args"
mkdir -p "$2/_book"
(cd "$2" && find . -type f | sort) > "$2/_book/files.txt"
echo "<html>book</html>" > "$2/_book/index.html"
exit ${FAKE_QUARTO_STATUS:-0}
"""


@pytest.fixture
def fake_quarto(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    project = tmp_path / "project"
    project.mkdir()
    (project / "_quarto.yml").write_text("project:\n  type: book\n  output-dir: _book\n")
    for name in ("index.qmd", "references.bib", "notes.txt"):
        (project / name).write_text(name)
    return project


def test_quarto_renders_a_copy_of_the_project_with_the_run_notebooks(run_params, fake_quarto):
    book = render.quarto(run_params, project_dir=fake_quarto)
    run_dir = run_params.parent / "run"
    assert book == run_dir / "_book"
    assert (book / "index.html").read_text() == "<html>book</html>\n"
    files = (book / "files.txt").read_text().split()
    assert {"./_quarto.yml", "./index.qmd", "./references.bib",
            "./notebooks/01_population.ipynb", "./notebooks/02_km.ipynb"} <= set(files)
    assert "./notes.txt" not in files
    assert not (run_dir / "quarto-build").exists()


def test_failed_quarto_render_keeps_the_previous_book(run_params, fake_quarto, monkeypatch, capsys):
    book = render.quarto(run_params, project_dir=fake_quarto)
    (book / "index.html").write_text("previous")
    monkeypatch.setenv("FAKE_QUARTO_STATUS", "3")
    with pytest.raises(render.RenderError, match="exit status 3"):
        render.quarto(run_params, project_dir=fake_quarto)
    assert (book / "index.html").read_text() == "previous"
    assert not (run_params.parent / "run" / "quarto-build").exists()


def test_quarto_command_renders_all_formats():
    assert render.quarto_command(Path("/r/quarto-build")) == [
        "quarto", "render", "/r/quarto-build", "--to", "all"]


@pytest.mark.slow
def test_preview_of_a_real_run_embeds_matplotlib_figures(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIXTURES, notebooks)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "adsl.csv").write_text("USUBJID,AGE\n001,50\n")
    params = tmp_path / "params.yaml"
    params.write_text(f"parameters:\n  run_label: toy\n  output_dir: {tmp_path / 'run'}\n"
                      f"  data_dir: {tmp_path / 'data'}\n  strata: [ER]\n")
    assert cli.main([str(params), "--notebooks-dir", str(notebooks)]) == 0
    assert render.main(["preview", str(params)]) == 0
    preview = tmp_path / "run" / "preview"
    index = (preview / "index.html").read_text()
    for name, title in [("01_summary", "Toy summary"), ("02_figure", "Toy figure"),
                        ("03_control", "Toy control")]:
        assert f'<a href="{name}.html">{title}</a>' in index
        assert (preview / f"{name}.html").is_file()
    assert 'src="data:image/png;base64,iVBOR' in (preview / "02_figure.html").read_text()


def test_preview_page_drops_quarto_attributes_from_headings():
    import nbformat

    from helpers.render import notebook_html

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Overall survival {#sec-overall-survival}\n\n## Curves {#sec-curves .unnumbered}")])
    page = notebook_html(nb)
    assert "Overall survival" in page and "Curves" in page
    assert "{#sec-" not in page and ".unnumbered" not in page
