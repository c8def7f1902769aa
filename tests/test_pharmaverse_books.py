"""Issue 18's third book, end to end: the pharmaverse-shaped three-arm ADaM exactly as
``validation/pharmaverse_adam.py`` writes it (``make pharmaverse``), run with
``params/pharmaverse.yaml`` (both comparisons of ``studies/pharmaverse.yaml`` in one run, each
into a directory of its own) and rendered by the pandoc + Typst renderer into one book per
comparison. Neither book speaks of JCOG1017 nor shows a "not available" placeholder, and each
names its own comparison."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from test_study_words import BANNED

sys.path.insert(0, str(ROOT / "validation"))
import pharmaverse_adam  # noqa: E402

SLUGS = ("arm-a-vs-arm-b", "arm-c-vs-arm-b")


@pytest.fixture(scope="module")
def pharmaverse_books(tmp_path_factory) -> Path:
    """Both comparisons run by the runner's command line and rendered by the renderer's."""
    from helpers.render.cli import main as render
    from helpers.run.cli import main as run

    base = tmp_path_factory.mktemp("pharmaverse_books")
    pharmaverse_adam.write(base / "adam")
    params = yaml.safe_load((ROOT / "params" / "pharmaverse.yaml").read_text())
    params["parameters"].update({"data_dir": str(base / "adam"), "output_dir": str(base / "run"),
                                 "study": str(ROOT / "studies" / "pharmaverse.yaml")})
    (base / "params.yaml").write_text(yaml.safe_dump(params))
    assert run([str(base / "params.yaml"), "--workers", "2"]) == 0
    assert render(["book", str(base / "params.yaml")]) == 0
    return base / "run"


def _text(book: Path) -> str:
    html = " ".join(re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8"))
                    for p in book.glob("*.html"))
    pdf = next(book.glob("*.pdf"))
    return html + "\n" + subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                        text=True, check=True).stdout


@pytest.mark.slow
def test_both_comparisons_make_a_book_of_the_three_arm_trial(pharmaverse_books):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    names = set()
    for slug in SLUGS:
        book = pharmaverse_books / slug / "_book"
        pdf = next(book.glob("*.pdf"))
        names.add(pdf.name)
        assert (book / pdf.name.replace(".pdf", ".docx")).is_file()
        text = _text(book)
        found = [w for w in BANNED if w.lower() in text.lower()]
        assert not found, (slug, found)
        assert "not available" not in text.lower(), slug
        arm = "ARM A" if slug.startswith("arm-a") else "ARM C"
        label = {"ARM A": "A: Drug X", "ARM C": "C: Combination"}[arm]
        assert label in text and "B: Placebo" in text, slug
        # the other experimental arm is counted in the flow as not compared, by its label
        other = "C: Combination (ARM C)" if arm == "ARM A" else "A: Drug X (ARM A)"
        assert f"randomised to {other} were not compared" in " ".join(text.split()), slug
        # the sponsor's arm codes are never read as the supplement's A and B
        # ("Other arm A: Drug X" is the label of the arm not compared)
        assert not re.search(r"\barm [AB]\b(?!:)", text), slug
        assert "(control arm)" in text and "the experimental arm against the control arm" in text
        assert "What this book leaves out" in text and "Key results of this run" in text
    assert len(names) == 2, names  # one file name per comparison
