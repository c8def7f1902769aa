"""The book is one generation of a run, whatever a run publishes meanwhile, and a full disk
leaves the previous book (and the published run) as they were, with a clear error.

Tiny books (tests/test_render_book.py's) in real run layouts: generations published with
``helpers.run.layout.publish`` and a complete run record; a new generation is published
from inside the render (a patched chapter hook), a write fails with ENOSPC (patched)."""
from __future__ import annotations

import errno
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

import helpers.render.pandoc_book as pandoc_book
from helpers.core.diskfull import DiskFullError
from helpers.render import RenderError, render_book
from helpers.run.layout import RECORD, current_generation, new_generation, publish
from test_render_book import _project, _tiny_book

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                     reason="poppler-utils (pdftotext) is not installed; .ci/run installs it")


def _generation(run_dir: Path, notebooks: Path, word: str, label: str) -> Path:
    """A complete generation whose chapters say ``word`` (in their first paragraph)."""
    generation = new_generation(run_dir)
    shutil.copytree(notebooks, generation / "notebooks")
    names = []
    for path in sorted((generation / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source = nb.cells[0].source.replace("\n\n", f"\n\nFrom generation {word}.\n\n", 1)
        nbformat.write(nb, path)
        names.append(path.stem)
    (generation / RECORD).write_text(json.dumps({
        "status": "complete", "run_label": label, "finished_utc": "2024-01-02T03:04:05+00:00",
        "notebooks": {name: {} for name in names}}))
    return generation


@pytest.fixture
def two_generations(tmp_path):
    """A published generation ONE and an unpublished, complete generation TWO."""
    params = _tiny_book(tmp_path)
    run_dir = tmp_path / "run"
    made = tmp_path / "made-notebooks"
    (run_dir / "notebooks").rename(made)
    one = _generation(run_dir, made, "ONE", "first")
    two = _generation(run_dir, made, "TWO", "second")
    publish(run_dir, one)
    return params, run_dir, one, two


def _html_text(book: Path) -> str:
    return " ".join(p.read_text(encoding="utf-8") for p in sorted(book.glob("*.html")))


def test_a_run_published_during_the_render_does_not_enter_the_book(two_generations, monkeypatch):
    params, run_dir, one, two = two_generations
    original = pandoc_book.notebook_markdown
    calls = []

    def publish_after_the_first_chapter(nb, media_dir, media_prefix):
        calls.append(media_prefix)
        if len(calls) == 2:  # chapter 1 read, chapter 2 not yet: a run publishes now
            publish(run_dir, two)
        return original(nb, media_dir, media_prefix)

    monkeypatch.setattr(pandoc_book, "notebook_markdown", publish_after_the_first_chapter)
    book = render_book(params, project_dir=_project(params))
    assert len(calls) == 2 and current_generation(run_dir) == two  # it did publish mid-render
    html = _html_text(book.html.parent)
    assert html.count("From generation ONE.") == 2 and "generation TWO" not in html
    index = " ".join(book.html.read_text(encoding="utf-8").split())  # the front page names it
    assert f"<dt>Run</dt><dd>first, generation {one.name}, finished" in index
    if shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", str(book.pdf), "-"], capture_output=True, text=True,
                             check=True).stdout
        assert pdf.count("From generation ONE.") == 2 and "TWO" not in pdf
        assert one.name in pdf

    monkeypatch.setattr(pandoc_book, "notebook_markdown", original)
    html = _html_text(render_book(params, project_dir=_project(params)).html.parent)
    assert html.count("From generation TWO.") == 2 and "generation ONE" not in html
    assert two.name in html


def test_a_generation_removed_during_the_render_is_an_error_not_a_mixed_book(two_generations,
                                                                             monkeypatch):
    params, run_dir, one, two = two_generations
    book = render_book(params, project_dir=_project(params))
    before = book.pdf.read_bytes()
    original = pandoc_book.notebook_markdown

    def publish_and_clean(nb, media_dir, media_prefix):
        if current_generation(run_dir) == one:  # the next run publishes and removes ONE
            publish(run_dir, two)
            shutil.rmtree(one)
        return original(nb, media_dir, media_prefix)

    monkeypatch.setattr(pandoc_book, "notebook_markdown", publish_and_clean)
    with pytest.raises(RenderError, match="generation was removed while the book was rendered"):
        render_book(params, project_dir=_project(params))
    assert book.pdf.read_bytes() == before


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["image", "html"])
def test_full_disk_keeps_the_previous_book_and_says_where(two_generations, monkeypatch, capsys,
                                                          where):
    params, run_dir, one, two = two_generations
    book = render_book(params, project_dir=_project(params))
    before = {p.name: p.read_bytes() for p in book.html.parent.iterdir() if p.is_file()}
    if where == "image":  # the figures written for pandoc
        monkeypatch.setattr(Path, "write_bytes", _enospc)
    else:  # the finished HTML moved into the new book, just before the swap
        monkeypatch.setattr(pandoc_book.shutil, "move", _enospc)
    with pytest.raises(DiskFullError, match=re.escape(f"no space left on device at {run_dir}")):
        render_book(params, project_dir=_project(params))
    after = {p.name: p.read_bytes() for p in book.html.parent.iterdir() if p.is_file()}
    assert after == before
    assert not [p.name for p in run_dir.iterdir() if p.name.startswith((".book-build", "._book"))]

    from helpers.render import cli

    monkeypatch.setattr(cli, "render_book", lambda p, **kw: render_book(p, project_dir=_project(params), **kw))
    assert cli.main(["book", str(params)]) == 1
    err = capsys.readouterr().err
    assert f"no space left on device at {run_dir}" in err and "Traceback" not in err


def test_full_disk_in_a_tool_is_reported_as_such(two_generations, monkeypatch):
    """pandoc and Typst say ENOSPC in their own words; the error is the same."""
    params, run_dir, _, _ = two_generations

    def typst_full(*args, **kwargs):
        raise RuntimeError("failed to write PDF file (No space left on device (os error 28))")

    import typst

    monkeypatch.setattr(typst, "compile", typst_full)
    with pytest.raises(DiskFullError, match=r"no space left on device at .*tiny\.pdf"):
        render_book(params, project_dir=_project(params))
