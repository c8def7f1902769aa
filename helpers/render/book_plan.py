"""The book of one run, chosen from what its study gives: chapters, title page, preface.

Both renderers (pandoc + Typst, and Quarto) make the same book from :func:`book_plan`:

- the chapters are those of the project's ``_quarto.yml`` (the template: parts, order) whose
  notebook did not leave itself out: a notebook whose chapter does not apply to the study
  (no trial table, no planning assumptions, no published figures, no adverse events) records
  ``omitted`` in its results JSON (``NotebookSession.chapter``); a section that does not
  apply records ``unavailable`` (``NotebookSession.section``). Each is listed once in the
  preface with its reason, and the section's heading and cells are left out of the chapter
  (:func:`drop_sections`), never shown as a placeholder;
- title, subtitle, author, PDF file name and bibliography come from the study configuration
  (``helpers.config.study.book``); :func:`quarto_config` writes them into the ``_quarto.yml``
  that Quarto renders, so ``quarto render`` makes the same book;
- the preface (:func:`preface_markdown`) holds the study's own words (its ``preface.md`` and
  ``trial.md``), the key results of the run from its ARD, and what the book leaves out.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .common import RenderError, cell_source
from .project import BookProject, Chapter

#: The bibliography of the methods, in the project directory (every study's book cites it).
METHODS_BIBLIOGRAPHY = "references.bib"
#: The project's ``index.qmd`` holding this line asks for the preface written from the study.
PREFACE_MARKER = "<!-- preface: written per run from the study -->"


@dataclass(frozen=True)
class Omission:
    """A chapter or section left out of the book: its notebook, title, reason, and (for a
    section) the ``sec-`` label of its heading."""
    notebook: str
    title: str
    reason: str
    label: str | None = None
    chapter: bool = False
    chapter_title: str = ""  # a section's: the title of the chapter it belongs to


@dataclass(frozen=True)
class BookPlan:
    """The book of one run: the project (chapters kept, study's title block), the study, the
    generation's parameters of each notebook, and what was left out."""
    project: BookProject
    study: object
    parameters: dict
    omitted: list = field(default_factory=list)
    bibliographies: tuple = ()  # absolute paths: the methods' and the study's

    def sections_left_out(self, notebook: str) -> set[str]:
        return {o.label for o in self.omitted if o.notebook == notebook and o.label}

    @property
    def writes_preface(self) -> bool:
        """Whether the preface is written from the study (``preface.preface_markdown``): when
        the study is known and the project's ``index.qmd`` asks for it (``PREFACE_MARKER``)."""
        return self.study is not None and self.preface_requested

    preface_requested: bool = False

    def has_chapter(self, notebook: str) -> bool:
        return any(Path(c.path).stem == notebook for c in self.project.chapters)


def _chapter_title(generation: Path, notebook: str) -> str:
    """The title of the executed notebook's chapter (its first level-1 heading, without its
    attributes), "" when it has none."""
    from .common import cell_source, read_notebook

    path = generation / "notebooks" / f"{notebook}.ipynb"
    if not path.is_file():
        return ""
    for cell in read_notebook(path).get("cells", []):
        if cell.get("cell_type") == "markdown":
            match = re.search(r"^# (.+?)\s*(\{[^}]*\})?\s*$", cell_source(cell), re.M)
            if match:
                return match.group(1).strip()
    return ""


def _results(generation: Path, notebook: str) -> dict:
    try:
        return json.loads((generation / "results" / f"{notebook}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _parameters(generation: Path) -> dict:
    try:
        record = json.loads((generation / "run_record.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: (entry or {}).get("parameters", {})
            for name, entry in (record.get("notebooks") or {}).items()}


def _keep(chapters: list[Chapter], dropped: set[str]) -> list[Chapter]:
    """``chapters`` without the notebooks ``dropped``; a part's title moves to its first kept
    chapter, and a part with none is left out."""
    out, pending = [], None
    for chapter in chapters:
        part = chapter.part or None
        if part:
            pending = part
        if Path(chapter.path).stem in dropped:
            continue
        out.append(Chapter(chapter.path, pending if pending else None))
        pending = None
    return out


def book_plan(template: BookProject, generation: Path, study, project_dir: Path) -> BookPlan:
    """The book of the run generation ``generation`` (its results JSON say what was left out)
    for ``study`` (its ``StudyConfig``): ``template`` is the project's ``_quarto.yml``."""
    omitted: list[Omission] = []
    dropped: set[str] = set()
    index = project_dir / "index.qmd"
    requested = index.is_file() and PREFACE_MARKER in index.read_text(encoding="utf-8")
    for chapter in template.chapters:
        path = Path(chapter.path)
        if path.suffix != ".ipynb":
            continue
        results = _results(generation, path.stem)
        if results.get("omitted"):
            dropped.add(path.stem)
            omitted.append(Omission(path.stem, str(results["omitted"].get("title", path.stem)),
                                    str(results["omitted"].get("reason", "")), chapter=True))
            continue
        for title, entry in (results.get("unavailable") or {}).items():
            entry = entry if isinstance(entry, dict) else {"reason": str(entry)}
            omitted.append(Omission(path.stem, str(title), str(entry.get("reason", "")),
                                    entry.get("label"),
                                    chapter_title=_chapter_title(generation, path.stem)))
    if study is None:  # no known study: the template's title block and bibliography
        project = replace(template, chapters=_keep(template.chapters, dropped))
        bibs = [project_dir / b for b in ([template.bibliography] if isinstance(
            template.bibliography, str) else template.bibliography or [])]
        return BookPlan(project=project, study=None, parameters={}, omitted=omitted,
                        bibliographies=tuple(bibs), preface_requested=requested)
    book = study.book
    metadata = {"title": book.book_title}
    subtitle, output_file = book.subtitle, book.output_file
    if len(study.comparisons) > 1:  # one book per comparison: say which, name the file by it
        arms = study.arms
        which = f"{arms['B'].label} versus {arms['A'].label}"
        subtitle = f"{subtitle}. Comparison: {which}" if subtitle else f"Comparison: {which}"
        output_file = f"{output_file}-{study.comparison}"
    if subtitle:
        metadata["subtitle"] = subtitle
    if book.author:
        metadata["author"] = book.author
    bibs = [project_dir / METHODS_BIBLIOGRAPHY] if (project_dir / METHODS_BIBLIOGRAPHY).is_file() else []
    if book.bibliography:
        bibs.append(book.path(book.bibliography))
    names = [p.name for p in bibs]
    if len(set(names)) != len(names):
        raise RenderError(f"{study.path}: key 'study.bibliography': the file name {bibs[-1].name} "
                          f"is that of the methods' bibliography; rename it")
    project = replace(template, chapters=_keep(template.chapters, dropped), metadata=metadata,
                      bibliography=names or None, output_file=output_file)
    return BookPlan(project=project, study=study, parameters=_parameters(generation),
                    omitted=omitted, bibliographies=tuple(bibs), preface_requested=requested)


def quarto_config(template: dict, plan: BookPlan) -> dict:
    """The ``_quarto.yml`` of the run's book: ``template`` (the project's ``_quarto.yml``)
    with the study's title block, output file, bibliography and the chapters kept."""
    data = copy.deepcopy(template)
    book = data.setdefault("book", {})
    for key in ("title", "subtitle", "author"):
        book.pop(key, None)
    book.update(plan.project.metadata)
    book["output-file"] = plan.project.output_file
    chapters: list = []
    current = None
    for chapter in plan.project.chapters:
        if chapter.part:
            current = {"part": chapter.part, "chapters": [chapter.path]}
            chapters.append(current)
        elif current is not None and Path(chapter.path).suffix == ".ipynb":
            current["chapters"].append(chapter.path)
        else:  # a .qmd after the parts (references) stands outside them
            current = None
            chapters.append(chapter.path)
    book["chapters"] = chapters
    bib = plan.project.bibliography
    if bib:
        data["bibliography"] = [bib] if isinstance(bib, str) else list(bib)
    else:
        data.pop("bibliography", None)
    return data


def drop_sections(nb: dict, labels: set[str]) -> dict:
    """The executed notebook ``nb`` without the sections whose headings carry ``labels``
    (``{#sec-x}``): the heading's markdown cell and every cell up to the next heading of the
    same or a higher level. Code cells with a figure or table label and no output (a part of
    a section that did not apply) are left out too."""
    import re

    cells, out, skip_level = nb.get("cells", []), [], None
    for cell in cells:
        source = cell_source(cell)
        heading = re.match(r"(#+) .*?\{#(sec-[\w-]+)\}", source) if cell.get("cell_type") == "markdown" else None
        if heading is None and cell.get("cell_type") == "markdown":
            plain = re.match(r"(#+) ", source)
            level = len(plain.group(1)) if plain else None
        else:
            level = len(heading.group(1)) if heading else None
        if skip_level is not None and level is not None and level <= skip_level:
            skip_level = None
        if heading and heading.group(2) in labels:
            skip_level = len(heading.group(1))
        if skip_level is not None:
            continue
        if cell.get("cell_type") == "code" and not cell.get("outputs") and \
                re.search(r"^#\| label: (fig|tbl)-", source, re.M):
            continue
        out.append(cell)
    return {**nb, "cells": out}


def run_book_plan(template: BookProject, generation: Path, project_dir: Path) -> BookPlan:
    """:func:`book_plan` of ``generation`` for the study its notebooks ran with (the run
    record's ``study`` parameter). A run directory whose record names no study (made by hand)
    has no known study: its book is the template's, with what its results JSON leave out."""
    from helpers.config.study import load_study

    params = _parameters(generation)
    study_path = next((p.get("study") for p in params.values() if p.get("study")), None)
    if study_path is None:
        return book_plan(template, generation, None, project_dir)
    comparison = next((p.get("comparison") for p in params.values() if p.get("comparison")), None)
    return book_plan(template, generation, load_study(study_path).for_comparison(comparison),
                     project_dir)
