"""The Quarto render of a run: ``quarto render`` on a copy of the project beside the run's notebooks.

``python -m helpers.render quarto PARAMS.yaml`` -> RUN/_book/ (HTML book + PDF, per _quarto.yml).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from helpers.core.atomic import replace_directory
from helpers.config.params import REPO_ROOT, load_parameter_file

from .book_plan import drop_sections, quarto_config, run_book_plan
from .common import RenderError, executed_notebooks, pinned_generation, read_notebook
from .preface import preface_markdown, read_ard
from .project import output_dir_name, read_book_project
from .qc_appendix import qc_appendix_markdown

#: The quality-control appendix's document in the Quarto build directory.
QC_APPENDIX = "quality_control.qmd"

GET_QUARTO = ("Quarto renders the full supplement (HTML book + PDF): `conda env create -f "
              "environment.yml` includes it, or `pip install quarto-cli` on a machine with "
              "internet, or https://quarto.org/docs/get-started/. Without it `python -m "
              "helpers.render book PARAMS.yaml` renders the book with pandoc and Typst.")
#: Files of the Quarto project (repository root) copied beside the run's notebooks.
QUARTO_PROJECT_SUFFIXES = (".qmd", ".bib", ".csl", ".css", ".scss")


def quarto_command(build_dir: Path) -> list[str]:
    """The Quarto command line rendering the project copied into ``build_dir``."""
    return ["quarto", "render", str(build_dir), "--to", "all"]


def write_project(config: Path, build: Path, run_dir: Path, project_dir: Path) -> None:
    """Write the run's Quarto project into ``build``: ``_quarto.yml`` for the study of the run
    (``book_plan.quarto_config``: its title block, bibliography, the chapters kept), the
    preface ``index.qmd`` (``preface_markdown``), the bibliographies and the executed
    notebooks without the sections left out; then the quality-control appendix is added
    (``add_qc_appendix``)."""
    import yaml

    generation = pinned_generation(run_dir)
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    (build / "notebooks").mkdir(parents=True, exist_ok=True)
    if not (data.get("book") or {}).get("chapters"):  # not a book of chapters: as it is
        shutil.copy2(config, build / "_quarto.yml")
        for path in executed_notebooks(run_dir):
            shutil.copy2(path, build / "notebooks" / path.name)
        return
    plan = run_book_plan(read_book_project(config), generation, project_dir)
    data = quarto_config(data, plan)
    (build / "_quarto.yml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                                       encoding="utf-8")
    if plan.writes_preface:
        (build / "index.qmd").write_text(preface_markdown(plan, read_ard(generation)),
                                         encoding="utf-8")
    for bib in plan.bibliographies:
        shutil.copy2(bib, build / bib.name)
    for path in executed_notebooks(run_dir):
        if not plan.has_chapter(path.stem):  # a chapter left out is not rendered at all
            continue
        nb = drop_sections(read_notebook(path), plan.sections_left_out(path.stem))
        (build / "notebooks" / path.name).write_text(json.dumps(nb, ensure_ascii=False, indent=1),
                                                      encoding="utf-8")


def add_qc_appendix(config: Path, build: Path, run_dir: Path, params: str) -> None:
    """Write ``build/_quarto.yml``: ``config`` with the quality-control appendix
    (``qc_appendix``, written to ``build/quality_control.qmd``) as the book's appendix and
    among the documents to render."""
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    (build / QC_APPENDIX).write_text(qc_appendix_markdown(run_dir, params, quarto=True),
                                     encoding="utf-8")
    book = data.setdefault("book", {})
    book["appendices"] = [*(book.get("appendices") or []), QC_APPENDIX]
    render = (data.setdefault("project", {})).get("render")
    if render is not None:
        data["project"]["render"] = [*render, QC_APPENDIX]
    (build / "_quarto.yml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                                       encoding="utf-8")


def quarto(params_path: str | Path, project_dir: Path = REPO_ROOT,
           run_dir: Path | None = None) -> Path:
    """Render the run with Quarto into RUN/_book; return that directory.

    The project files of ``project_dir`` (``_quarto.yml``, ``*.qmd``, ``*.bib``) and the
    run's executed notebooks are copied into a build directory inside the run; Quarto renders
    it there (``execute: enabled: false``: nothing re-executes) and the book is swapped in.
    """
    quarto_bin = shutil.which("quarto")
    if quarto_bin is None:
        raise RenderError(f"quarto is not on PATH. {GET_QUARTO}")
    run_dir = run_dir or load_parameter_file(params_path).output_dir  # or one comparison's
    config = project_dir / "_quarto.yml"
    if not config.is_file():
        raise RenderError(f"{config}: no Quarto project to render")
    output_name = output_dir_name(config)
    build = run_dir / "quarto-build"  # not hidden: Quarto skips dot-paths
    shutil.rmtree(build, ignore_errors=True)
    try:
        (build / "notebooks").mkdir(parents=True)
        for path in sorted(project_dir.iterdir()):
            if path.is_file() and path.suffix in QUARTO_PROJECT_SUFFIXES:
                shutil.copy2(path, build / path.name)
        write_project(config, build, run_dir, project_dir)
        add_qc_appendix(build / "_quarto.yml", build, run_dir, str(params_path))
        command = [quarto_bin, *quarto_command(build)[1:]]
        done = subprocess.run(command, cwd=build)
        if done.returncode != 0:
            raise RenderError(f"`{' '.join(command)}` failed with exit status {done.returncode}")
        if not (build / output_name).is_dir():
            raise RenderError(f"quarto wrote no {output_name}/ in {build}")
        replace_directory(build / output_name, run_dir / output_name)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return run_dir / output_name


def quarto_project(params_path: str | Path, project_dir: Path = REPO_ROOT,
                   run_dir: Path | None = None) -> Path:
    """Write the run's Quarto project (``write_project``, with its quality-control appendix)
    into RUN/quarto (replaced); ``quarto render RUN/quarto`` renders the book the pandoc
    renderer makes. ``run_dir``: one comparison's run (default the parameter file's).
    Returns that directory."""
    run_dir = run_dir or load_parameter_file(params_path).output_dir
    config = project_dir / "_quarto.yml"
    target = run_dir / "quarto"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted(project_dir.iterdir()):
        if path.is_file() and path.suffix in QUARTO_PROJECT_SUFFIXES:
            shutil.copy2(path, target / path.name)
    write_project(config, target, run_dir, project_dir)
    add_qc_appendix(target / "_quarto.yml", target, run_dir, str(params_path))
    return target
