"""The Quarto book project (_quarto.yml, index.qmd, references.bib) against the notebooks.

Static checks need no Quarto: the project parses and is a book that never re-executes; every
chapter is a paired notebook in reading order and every notebook is a chapter; every chapter
opens with `# Title {#sec-...}`; cross-reference labels are unique, captioned, and the ones
index.qmd references or embeds exist; every citation is in references.bib. The real render
needs Quarto and skips without it.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NO_QUARTO = "quarto is not installed (pip's quarto-cli downloads a binary; use the conda environment)"
CROSSREF_PREFIXES = ("fig-", "tbl-", "sec-", "eq-", "lst-", "thm-", "lem-", "cor-", "prp-",
                     "cnj-", "def-", "exm-", "exr-")
REQUIRED_REFERENCES = {
    "shien2023asco", "shien2012protocol", "kaplan1958", "greenwood1926", "brookmeyer1982",
    "cox1972", "efron1977", "schoenfeld1981", "schoenfeld1983", "grambsch1994",
    "schemper1996", "royston2013", "therneau2024survival", "davidsonpilon2019",
}


def _config() -> dict:
    return yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))


def _flatten(chapters: list) -> list[str]:
    out = []
    for item in chapters:
        if isinstance(item, str):
            out.append(item)
        else:
            out.extend(_flatten(item.get("chapters", [])))
    return out


def _chapters() -> list[str]:
    return _flatten(_config()["book"]["chapters"])


def _notebook_chapters() -> list[str]:
    """Chapter notebooks as stems, e.g. '03_overall_survival'."""
    return [Path(c).stem for c in _chapters() if c.startswith("notebooks/")]


def _py(stem: str) -> Path:
    return NOTEBOOKS / f"{stem}.py"


def _cells(stem: str):
    """The cells of notebooks/<stem>.py; none when it is missing (the tests say so)."""
    return jupytext.read(_py(stem)).cells if _py(stem).is_file() else []


def _labels(stem: str) -> dict[str, str]:
    """label -> the source of the cell that carries it (`#| label:` code cells, `{#sec-}` headings)."""
    labels = {}
    for cell in _cells(stem):
        if cell.cell_type == "code":
            for m in re.finditer(r"^#\|\s*label:\s*([\w-]+)\s*$", cell.source, re.M):
                labels[m.group(1)] = cell.source
        elif cell.cell_type == "markdown":
            for m in re.finditer(r"\{#((?:sec|fig|tbl)-[\w-]+)[^}]*\}", cell.source):
                labels[m.group(1)] = cell.source
    return labels


def _all_labels() -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for stem in _notebook_chapters():
        for label in _labels(stem):
            seen.setdefault(label, []).append(stem)
    return seen


def _citations(markdown: str) -> set[str]:
    keys = set(re.findall(r"(?<![\w.@])-?@([A-Za-z][\w:-]*[\w])", markdown))
    return {k for k in keys if not k.startswith(CROSSREF_PREFIXES)}


#: The bibliographies of the default study's book: the methods' and the study's own.
BIBLIOGRAPHIES = (ROOT / "references.bib", ROOT / "studies/jcog1017/jcog1017.bib")


def _bib_keys() -> set[str]:
    return {key for bib in BIBLIOGRAPHIES
            for key in re.findall(r"^@\w+\{([^,\s]+),", bib.read_text(), re.M)}


def _preface_sources() -> str:
    """What the preface of the default study's book is written from (helpers/render/preface.py
    and the study's text snippets): its references, embeds and citations."""
    texts = [ROOT / "helpers/render/preface.py", *sorted((ROOT / "studies/jcog1017/text").glob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in texts)


# --------------------------------------------------------------------------- project


def test_project_is_a_book_that_never_executes():
    config = _config()
    assert config["project"]["type"] == "book"
    assert config["project"]["output-dir"] == "_book"
    assert config["execute"]["enabled"] is False and config["execute"]["ipynb"] is False
    assert "eval" not in config["execute"], "eval: false would make Quarto drop cell outputs"
    html, typst = config["format"]["html"], config["format"]["typst"]
    assert html["code-fold"] is True and config["toc"] is True and config["number-sections"]
    assert typst["toc"] is True
    assert config["bibliography"] == "references.bib"
    for document in config["project"]["render"]:
        assert document in ("index.qmd", "references.qmd", "notebooks/*.ipynb")


def test_chapters_are_the_notebooks_in_reading_order():
    chapters = _chapters()
    assert chapters[0] == "index.qmd" and chapters[-1] == "references.qmd"
    for chapter in chapters:
        if not chapter.startswith("notebooks/"):
            assert (ROOT / chapter).is_file(), chapter
    stems = _notebook_chapters()
    assert stems, "no notebook chapters"
    assert stems == sorted(stems), "chapters must follow the notebooks' numbering"
    numbers = [int(s[:2]) for s in stems]  # gaps allowed (08 is kept for the meta-analysis)
    assert len(set(numbers)) == len(numbers) and numbers[0] == 1, numbers
    missing = [s for s in stems if not _py(s).is_file()]
    assert not missing, f"chapters without a paired notebooks/NN_name.py: {missing}"
    for stem in stems:  # the executed .ipynb is the chapter; a committed one must pair the .py
        assert jupytext.read(_py(stem)).cells, stem
    on_disk = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    assert on_disk == stems, f"notebooks not listed as chapters: {set(on_disk) - set(stems)}"


@pytest.mark.parametrize("stem", _notebook_chapters())
def test_chapter_opens_with_a_labelled_title(stem):
    if not _py(stem).is_file():
        pytest.fail(f"notebooks/{stem}.py is missing")
    first_md = next((c for c in _cells(stem) if c.cell_type == "markdown"), None)
    assert first_md is not None, f"{stem}: no markdown cell"
    assert re.match(r"^# .+\{#sec-[\w-]+\}\s*$", first_md.source.strip().splitlines()[0]), (
        f"{stem}: the first markdown cell must start with '# Title {{#sec-name}}'")


def test_crossref_labels_are_unique_and_captioned():
    labels = _all_labels()
    duplicated = {k: v for k, v in labels.items() if len(v) > 1}
    assert not duplicated, f"labels used in more than one notebook: {duplicated}"
    for stem in _notebook_chapters():
        if not _py(stem).is_file():
            continue
        for label, source in _labels(stem).items():
            if label.startswith("fig-"):
                assert re.search(r"^#\|\s*fig-cap:", source, re.M), f"{stem}: {label} has no fig-cap"
            if label.startswith("tbl-"):
                assert re.search(r"^#\|\s*tbl-cap:", source, re.M), f"{stem}: {label} has no tbl-cap"


def test_index_references_and_embeds_exist():
    index = _preface_sources()
    own = set(re.findall(r"\{#(sec-[\w-]+)", index))
    labels = _all_labels()
    refs = set(re.findall(r"@((?:fig|tbl|sec)-[\w-]*[\w])", index)) - own
    missing = sorted(r for r in refs if r not in labels)
    assert not missing, f"index.qmd references labels no notebook defines: {missing}"
    embeds = re.findall(r"\{\{<\s*embed\s+notebooks/([\w]+)\.ipynb#([\w,-]+)", index)
    assert embeds, "index.qmd embeds nothing from the run"
    for stem, ids in embeds:
        assert stem in _notebook_chapters(), f"embed from a notebook that is not a chapter: {stem}"
        for cell in ids.split(","):
            # an embedded cell keeps its label; a fig-/tbl- label would then exist twice in the
            # book (and twice in the one Typst document): embed plain-labelled cells only
            assert not cell.startswith(CROSSREF_PREFIXES), f"embed of crossref label {cell}"
            assert cell in _labels(stem) if _py(stem).is_file() else False, (
                f"{stem}.py has no cell '#| label: {cell}'")


def test_citations_are_in_references_bib():
    keys = _bib_keys()
    assert REQUIRED_REFERENCES <= keys, f"missing: {REQUIRED_REFERENCES - keys}"
    assert len(keys) == sum(len(re.findall(r"^@\w+\{", bib.read_text(), re.M))
                            for bib in BIBLIOGRAPHIES)
    cited = _citations(_preface_sources())
    for stem in _notebook_chapters():
        if _py(stem).is_file():
            for cell in _cells(stem):
                if cell.cell_type == "markdown":
                    cited |= _citations(cell.source)
    assert cited, "nothing cited"
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"


def test_every_reference_has_an_identifier():
    text = "\n".join(bib.read_text(encoding="utf-8") for bib in BIBLIOGRAPHIES)
    for entry in re.split(r"\n(?=@)", text)[1:]:
        key = re.match(r"@\w+\{([^,]+),", entry).group(1)
        if key != "greenwood1926":  # a 1926 HMSO report: no DOI exists
            assert re.search(r"\b(doi|url)\s*=", entry), f"{key}: no doi/url"


# --------------------------------------------------------------------------- real render


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("quarto") is None, reason=NO_QUARTO)
def test_quarto_renders_a_run(tmp_path):
    """Run the notebooks into tmp, render that run with Quarto: HTML book + Typst PDF."""
    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    params["parameters"]["output_dir"] = str(tmp_path / "run")
    params_file = tmp_path / "default.yaml"
    params_file.write_text(yaml.safe_dump(params, sort_keys=False))
    for cmd in ([sys.executable, "-m", "helpers.run", str(params_file)],
                [sys.executable, "-m", "helpers.render", "quarto", str(params_file)]):
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    book = tmp_path / "run" / "_book"
    assert (book / "index.html").is_file()
    for stem in _notebook_chapters():
        page = book / "notebooks" / f"{stem}.html"
        assert page.is_file(), page
        html = page.read_text(encoding="utf-8")
        assert "?@" not in html, f"{stem}: unresolved cross-reference"
    assert (book / "jcog1017-supplement.pdf").stat().st_size > 0
