"""Issue 18, parts 1, 2 and 4: the book speaks of the study it ran on.

- the notebooks and the renderer name no trial: JCOG1017's words live in studies/jcog1017/;
- the study's words (title, output file, bibliography, text folder, procedure) are read and
  checked;
- the book plan keeps the chapters a study gives and lists what it leaves out;
- the CONSORT flow shows every randomised arm;
- the colon book (rendered from a colon run the test session makes itself, as CI does not run
  `make colon` before the tests) has none of JCOG1017's words and no "not available" placeholder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers.config.study import StudyConfigError, load_study

ROOT = Path(__file__).resolve().parents[1]
TRIAL_WORDS = re.compile(r"jcog1017|breast|resection", re.I)
#: Words of JCOG1017 that must not appear in another study's book.
BANNED = ("JCOG", "PRIM-BC", "breast", "resection", "menopaus", "metasta", "receptor", "Shien",
          "ulcer")


def _files(paths):
    for path in paths:
        yield from (p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_helpers_and_notebooks_name_no_trial():
    """JCOG1017's words (its name, breast cancer, resection) live in studies/jcog1017/ only."""
    paths = [ROOT / "notebooks", ROOT / "helpers"]
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
            for p in _files(paths)
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if TRIAL_WORDS.search(line)]
    assert not hits, "\n".join(hits)


def test_the_study_owns_its_words():
    jcog = load_study("studies/jcog1017.yaml").book
    assert jcog.output_file == "jcog1017-supplement"
    assert jcog.snippet("preface").startswith("This is the reproducible analysis supplement")
    assert jcog.procedure.flag == "SURGFL" and jcog.path(jcog.trials).is_file()
    colon = load_study("studies/colon.yaml")
    assert colon.book.output_file == "colon-supplement" and colon.reference is None
    assert colon.book.trials is None and colon.book.procedure is None
    text = " ".join(filter(None, [colon.title, colon.book.book_title, colon.book.subtitle,
                                  colon.book.snippet("preface"), colon.book.snippet("trial")]))
    assert not [w for w in BANNED if w.lower() in text.lower()]


@pytest.mark.parametrize("change, key", [
    ({"output_file": "a/b.pdf"}, "study.output_file"),
    ({"text": "no/such/folder"}, "study.text"),
    ({"bibliography": "missing.bib"}, "study.bibliography"),
    ({"procedure": {"label": "Surgery"}}, "study.procedure.flag"),
    ({"procedure": {"label": "Surgery", "flag": "SURGFL", "when": 1}}, "study.procedure.when"),
])
def test_bad_study_words_are_refused_naming_the_key(tmp_path, change, key):
    data = yaml.safe_load((ROOT / "studies/colon.yaml").read_text())
    data["study"].update(change)
    data["study"].pop("bibliography", None) if "bibliography" not in change else None
    data["study"].pop("text", None) if "text" not in change else None
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(StudyConfigError) as err:
        load_study(path)
    assert str(path) in str(err.value) and repr(key) in str(err.value)


def test_chapters_left_out_move_the_part_title_and_keep_the_order():
    from helpers.render.book_plan import _keep
    from helpers.render.project import Chapter

    chapters = [Chapter("index.qmd"), Chapter("notebooks/06_safety.ipynb", "Safety"),
                Chapter("notebooks/07_sensitivity.ipynb", "Robustness"),
                Chapter("notebooks/08_meta_analysis.ipynb"), Chapter("notebooks/09_design.ipynb"),
                Chapter("references.qmd")]
    kept = _keep(chapters, {"06_safety", "07_sensitivity", "09_design"})
    assert kept == [Chapter("index.qmd"), Chapter("notebooks/08_meta_analysis.ipynb", "Robustness"),
                    Chapter("references.qmd")]


def test_sections_left_out_drop_their_heading_and_cells():
    from helpers.render.book_plan import drop_sections

    def md(text):
        return {"cell_type": "markdown", "source": text, "metadata": {}}

    def code(text, outputs=()):
        return {"cell_type": "code", "source": text, "metadata": {}, "outputs": list(outputs)}

    out = {"output_type": "display_data", "data": {"text/plain": "x"}, "metadata": {}}
    nb = {"cells": [md("# Chapter {#sec-c}"), md("## Kept"), code("a", [out]),
                    md("## Procedure {#sec-procedure}"), code("b", [out]),
                    code("#| label: tbl-x\nc"), md("## Next"), code("#| label: fig-y\nd"),
                    code("#| label: fig-z\ne", [out])]}
    kept = [c["source"] for c in drop_sections(nb, {"sec-procedure"})["cells"]]
    assert kept == ["# Chapter {#sec-c}", "## Kept", "a", "## Next", "#| label: fig-z\ne"]


def test_consort_flow_shows_the_arms_not_compared():
    import pandas as pd

    from helpers.ard import ArdView
    from helpers.report.plots.consort import consort_diagram, consort_flow

    rows = [("", "registered", "", 929), ("", "not_randomised", "", 0), ("", "randomised", "", 929),
            ("A", "randomised", "", 315), ("B", "randomised", "", 304), ("", "excluded_arm", "Lev", 310)]
    rows = [("flow", *row) for row in rows] + [("populations", "A", "ITTFL", "", 315),
                                               ("populations", "B", "ITTFL", "", 304)]
    ard = pd.DataFrame([{"analysis_id": a, "group1_level": g, "variable": v,
                         "variable_level": lv, "stat_name": "n", "stat": n, "stat_fmt": str(n)}
                        for a, g, v, lv, n in rows])
    flow = consort_flow(ArdView(ard), {"A": "Observation", "B": "Lev+5FU"}, {"itt": "ITTFL"})
    assert flow["other_arms"] == {"Lev": "310"}
    ax = consort_diagram(flow)
    texts = [t.get_text() for t in ax.texts if t.get_gid() == "consort box"]
    assert any("Lev: n = 310" in t and "not compared" in t for t in texts)
    assert not any("none" in t.lower() for t in texts), texts


def _book_text(run: Path) -> str:
    book = run / "_book"
    html = " ".join(re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8"))
                    for p in book.glob("*.html"))
    pdf = next(book.glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return html + "\n" + text.stdout


@pytest.mark.slow
def test_colon_book_speaks_only_of_the_colon_trial(colon_supplement_run):
    """The colon supplement (R's colon trial written as ADaM by the test session, run with
    params/colon.yaml) rendered by pandoc + Typst: none of JCOG1017's words, no placeholder,
    the PDF named by the study, the preface lists what is left out and gives the key results."""
    import shutil

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    run = colon_supplement_run
    from helpers.render.pandoc_book import render_book

    book = render_book(ROOT / "params" / "colon.yaml", run_dir=run)
    assert book.pdf.name == "colon-supplement.pdf"
    text = _book_text(run)
    found = [w for w in BANNED if w.lower() in text.lower()]
    assert not found, found
    assert "not available" not in text.lower()
    assert "What this book leaves out" in text and "Key results of this run" in text
    # in the figure, not the text; the table says it (the HTML's text: the PDF's figures are
    # vector, their words are text too)
    html = " ".join(re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8"))
                    for p in (run / "_book").glob("*.html"))
    assert "Lev: n = 310" not in html
    assert "310" in text


def _validator() -> Path | None:
    for base in (ROOT.parent, ROOT.parent.parent):
        path = base / "shared" / "quarto" / "validate_quarto.py"
        if path.is_file():
            return path
    return None


@pytest.mark.slow
def test_colon_quarto_project_is_the_same_book_and_valid(colon_supplement_run):
    """The run's _quarto.yml lists the chapters of the pandoc book (the omitted ones left out),
    carries the study's title and output file, and passes Quarto's schema."""
    import sys

    import yaml as _yaml

    from helpers.render.quarto import quarto_project

    project = quarto_project(ROOT / "params" / "colon.yaml", run_dir=colon_supplement_run)
    config = _yaml.safe_load((project / "_quarto.yml").read_text())
    book = config["book"]
    assert book["output-file"] == "colon-supplement" and "Colon" in book["title"]
    flat = [c for item in book["chapters"]
            for c in (item["chapters"] if isinstance(item, dict) else [item])]
    assert "notebooks/08_meta_analysis.ipynb" not in flat and "notebooks/06_safety.ipynb" not in flat
    assert "notebooks/01_population.ipynb" in flat and flat[0] == "index.qmd"
    assert sorted(p.name for p in (project / "notebooks").iterdir()) == sorted(
        Path(c).name for c in flat if c.endswith(".ipynb"))  # no orphan page of a left-out chapter
    assert set(config["bibliography"]) == {"references.bib", "colon.bib"}
    preface = (project / "index.qmd").read_text()
    assert "What this book leaves out" in preface and "not available" not in preface.lower()
    validator = _validator()
    if validator is None:
        pytest.skip("../shared/quarto/validate_quarto.py is not here")
    done = subprocess.run([sys.executable, str(validator), str(project)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
