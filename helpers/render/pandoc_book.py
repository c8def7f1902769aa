"""The book without Quarto: one pandoc document from the run's executed notebooks, written as a
chunked HTML book and as a PDF through Typst.

``python -m helpers.render book PARAMS.yaml`` -> RUN/_book/ (``index.html`` + one page per
chapter, ``<output-file>.pdf``). The chapters, their order, title and bibliography come from
``_quarto.yml``; the Quarto syntax (cell options, numbered captions, ``@fig-``/``@tbl-``/``@sec-``
references with chapter numbers, ``{{< embed >}}``, callouts, folded code) is handled by the Lua
filter ``quarto_syntax.lua``; citations by pandoc's citeproc. pandoc comes from
``pypandoc-binary``, the Typst compiler from ``typst`` (both PyPI).

The book is one generation of the run: ``RUN/current`` is resolved once and every notebook read
through that generation, whose name the front page states; a run publishing meanwhile does
not change what is rendered. The book is built aside and swapped in; a failure (a full disk:
"no space left on device at PATH") leaves the previous book as it was.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from helpers.core.atomic import atomic_directory
from helpers.config.params import REPO_ROOT, load_parameter_file
from helpers.core.diskfull import DiskFullError, is_disk_full, reporting_disk_full
from helpers.core.fonts import typst_font_dirs, typst_font_rules
from helpers.core.textsafe import md_code, md_text

from .book_plan import BookPlan, drop_sections, run_book_plan
from .common import RenderError, pinned_generation, read_notebook
from .front_matter import book_metadata
from .html_pages import finish_pages, index_search
from .notebook_markdown import notebook_markdown
from .preface import preface_markdown, read_ard
from .project import BookProject, read_book_project
from .qc_appendix import qc_appendix_markdown

HERE = Path(__file__).resolve().parent
LUA_FILTER = HERE / "quarto_syntax.lua"
TYPST_STYLE = HERE / "supplement.typ"
TYPST_TEMPLATE = HERE / "supplement_template.typ"
#: The book's metadata of the run (title, title page, abbreviations) in the build directory.
FRONT_METADATA = "front.yaml"
TYPST_PAGE = HERE / "typst_page.yaml"
HTML_STYLE = HERE / "book.css"
HTML_TEMPLATE = HERE / "book.html"
#: Typst font rules written into the build directory (``helpers.core.fonts.typst_font_rules``).
TYPST_FONTS = "fonts.typ"
#: Numbered heading depth and table-of-contents depth, as ``number-depth``/``toc-depth`` say.
TOC_DEPTH = 2


@dataclass(frozen=True)
class RenderedBook:
    """Where the book went: the HTML book's index page, the PDF and the Word file."""
    html: Path
    pdf: Path
    docx: Path | None = None


def pandoc_path() -> str:
    """The pandoc 3 binary shipped by pypandoc-binary (or pandoc on PATH)."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        found = shutil.which("pandoc")
        if found is None:
            raise RenderError("pandoc is missing: pip install pypandoc-binary") from None
        return found


def _marker(cls: str, content: str = "") -> str:
    return f"::: {{.{cls}}}\n{content}\n:::"


def generation_note(generation: Path) -> str:
    """The front page's statement of what is rendered: the run generation's name, run label
    and when the run finished (from its ``run_record.json``), as Markdown."""
    import json

    from helpers.run.layout import RECORD

    try:
        record = json.loads((generation / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    label = f" of run {md_code(record['run_label'])}" if record.get("run_label") else ""
    when = (f", finished {md_text(record['finished_utc'])} UTC" if record.get("finished_utc")
            else "")
    return _marker("book-generation",
                   f"Rendered from generation {md_code(generation.name)}{label}{when}.")


def book_markdown(project: BookProject, project_dir: Path, run_dir: Path, build: Path,
                  front: str = "", params: str = "PARAMS.yaml", qc_dir: Path | None = None,
                  plan: BookPlan | None = None) -> str:
    """The whole book as one Markdown document: the chapters of ``project`` in order, each
    after a ``.quarto-chapter`` marker (and a ``.quarto-part`` marker when it opens a part).
    ``.qmd`` chapters come from ``project_dir``; notebook chapters are the run's executed
    notebooks (``run_dir/notebooks/NAME.ipynb``; ``run_dir`` is the pinned generation), their
    images written under ``build/media``. ``front``: Markdown before the first chapter (the
    front page in HTML, after the contents in the PDF). The quality-control appendix
    (``qc_appendix``: the QC report of ``qc_dir``, the run directory, default ``run_dir``;
    ``params`` names the parameter file in it) closes the book. ``plan`` (``book_plan``): the
    preface is written from it, and the sections it leaves out are dropped from their
    notebooks."""
    import yaml

    parts = ["---\n" + yaml.safe_dump(project.metadata, sort_keys=False, allow_unicode=True) + "---"]
    if front:
        parts.append(front)
    for number, chapter in enumerate(project.chapters):
        # every chapter starts a PDF page; a part's title page-breaks before it instead
        if chapter.part:
            parts.append(_marker("quarto-part", chapter.part))
        elif number:
            parts.append("```{=typst}\n#pagebreak(weak: true)\n```")
        parts.append(_marker("quarto-chapter"))
        path = Path(chapter.path)
        if path.suffix == ".ipynb":
            executed = run_dir / "notebooks" / path.name
            if not executed.is_file():
                raise RenderError(f"{executed}: chapter {chapter.path} of _quarto.yml was not "
                                  "executed; run `python -m helpers.run PARAMS.yaml` first")
            nb = read_notebook(executed)
            if plan is not None:
                nb = drop_sections(nb, plan.sections_left_out(path.stem))
            parts.append(notebook_markdown(nb, build / "media" / path.stem, f"media/{path.stem}"))
        elif plan is not None and plan.writes_preface and path.name == "index.qmd":
            parts.append(preface_markdown(plan, read_ard(run_dir)))
        else:
            source = project_dir / path
            if not source.is_file():
                raise RenderError(f"{project_dir / '_quarto.yml'}: chapter {chapter.path} does not exist")
            parts.append(source.read_text(encoding="utf-8"))
    parts += ["```{=typst}\n#pagebreak(weak: true)\n```", _marker("quarto-chapter"),
              qc_appendix_markdown(qc_dir or run_dir, params, generation=run_dir)]
    return "\n\n".join(parts) + "\n"


def _pandoc(args: list[str], cwd: Path) -> None:
    command = [pandoc_path(), *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0 and is_disk_full(done.stderr):
        raise DiskFullError(cwd)
    if done.returncode != 0:
        raise RenderError(f"pandoc failed ({done.returncode}): {' '.join(args)}\n{done.stderr}")
    # the filter reports unresolved references and embeds, citeproc unknown citation keys,
    # as warnings: a book with "?@fig-x" or "(key?)" in it is an error here
    unresolved = [line for line in done.stderr.splitlines()
                  if "unresolved" in line or "Citeproc: citation" in line]
    if unresolved:
        raise RenderError("unresolved references:\n" + "\n".join(unresolved))


def _bibliography_names(project: BookProject) -> list[str]:
    bib = project.bibliography
    return [] if not bib else [bib] if isinstance(bib, str) else list(bib)


def pandoc_arguments(project: BookProject, to: str) -> list[str]:
    """The pandoc options shared by both outputs, then those of ``to`` (chunkedhtml, typst)."""
    args = ["book.md", "--from", "markdown", "--lua-filter", str(LUA_FILTER),
            "--toc", f"--toc-depth={TOC_DEPTH}", "--resource-path=.", "--metadata", "link-citations=true",
            "--metadata-file", FRONT_METADATA]
    for name in _bibliography_names(project):
        args += ["--bibliography", Path(name).name]
    if project.bibliography:
        args.append("--citeproc")
    if to == "chunkedhtml":
        args += ["--to", "chunkedhtml", "--split-level=1", "--chunk-template=%i.html",
                 "--mathml", "--css", HTML_STYLE.name,
                 "--template", str(HTML_TEMPLATE)]
    elif to == "docx":
        args += ["--to", "docx"]
    else:
        args += ["--to", "typst", "--standalone", "--template", str(TYPST_TEMPLATE),
                 "--include-in-header", str(TYPST_STYLE),
                 "--include-in-header", TYPST_FONTS, "--metadata-file", str(TYPST_PAGE)]
    return args


def render_book(params_path: str | Path, project_dir: Path = REPO_ROOT,
                run_dir: Path | None = None, keep_build: Path | None = None) -> RenderedBook:
    """Render the run of ``params_path`` into RUN/<output-dir> (``_book``): the chunked HTML
    book, ``<output-file>.pdf`` and ``<output-file>.docx``, from the generation published when
    the render starts. Built aside, swapped in only when all succeeded; DiskFullError naming
    the place when the disk fills up (the previous book is kept). ``run_dir``: the run (default
    the parameter file's ``output_dir``; a study with several comparisons: one comparison's
    run). ``keep_build``: a directory to copy the build into (``book.md``, ``book.typ`` and
    what it includes)."""
    run_dir = run_dir or load_parameter_file(params_path).output_dir
    template = read_book_project(project_dir / "_quarto.yml")
    generation = pinned_generation(run_dir)
    if not (generation / "notebooks").is_dir():
        raise RenderError(f"{run_dir}: no executed notebooks; run `python -m helpers.run PARAMS.yaml` first")
    plan = run_book_plan(template, generation, project_dir)
    project = plan.project
    target = run_dir / project.output_dir
    pdf_name = f"{project.output_file}.pdf"
    docx_name = f"{project.output_file}.docx"
    with reporting_disk_full(run_dir), \
            tempfile.TemporaryDirectory(dir=run_dir, prefix=".book-build.") as tmp, \
            atomic_directory(target) as out:
        build = Path(tmp)
        try:
            markdown = book_markdown(project, project_dir, generation, build,
                                     front=generation_note(generation),
                                     params=str(params_path), qc_dir=run_dir, plan=plan)
        except RenderError:
            if not generation.is_dir():
                raise RenderError(f"{generation}: this generation was removed while the book was "
                                  "rendered (a newer run was published); render again") from None
            raise
        (build / "book.md").write_text(markdown, encoding="utf-8")
        meta = book_metadata(generation, plan, project_dir, markdown, renderer=_renderer_name())
        meta["supplement-downloads"] = [{"label": "PDF", "href": pdf_name},
                                        {"label": "Word", "href": docx_name}]
        _write_metadata(build, meta)
        _build_book(project, project_dir, build, out / pdf_name, out / docx_name,
                    plan.bibliographies)
        if keep_build is not None:  # the sources of the PDF (book.typ), for tests that query it
            shutil.copytree(build, keep_build, dirs_exist_ok=True)
        finish_pages(build / "html")
        index_search(build / "html")
        for item in (build / "html").iterdir():
            shutil.move(str(item), out / item.name)
        shutil.copy2(HTML_STYLE, out / HTML_STYLE.name)
        if (build / "media").is_dir() and not (out / "media").exists():
            shutil.copytree(build / "media", out / "media")
    return RenderedBook(html=target / "index.html", pdf=target / pdf_name, docx=target / docx_name)


def _write_metadata(build: Path, meta: dict) -> None:
    import yaml

    (build / FRONT_METADATA).write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True),
                                        encoding="utf-8")


def _renderer_name() -> str:
    """What typesets the book, with versions: "pandoc 3.9 and Typst (typst-py 0.15.2)"."""
    import typst

    done = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True)
    first = done.stdout.splitlines()[0] if done.returncode == 0 and done.stdout else "pandoc"
    return f"{first} and Typst (typst-py {typst.__version__})"


def _build_book(project: BookProject, project_dir: Path, build: Path, pdf: Path, docx: Path,
                bibliographies: tuple = ()) -> None:
    """pandoc (HTML into ``build/html``, Word ``docx``, Typst) and Typst (``pdf``) on
    ``build/book.md``; ``bibliographies``: the files of the book's bibliography (default:
    ``_quarto.yml``'s)."""
    import typst

    bibs = list(bibliographies) or [project_dir / b for b in _bibliography_names(project)]
    for bib in bibs:
        if not bib.is_file():
            raise RenderError(f"{project_dir / '_quarto.yml'}: bibliography {bib} does not exist")
        shutil.copy2(bib, build / bib.name)
    shutil.copy2(HTML_STYLE, build / HTML_STYLE.name)
    (build / TYPST_FONTS).write_text(typst_font_rules(), encoding="utf-8")
    _pandoc([*pandoc_arguments(project, "chunkedhtml"), "--output", "html"], build)
    _pandoc([*pandoc_arguments(project, "typst"), "--output", "book.typ"], build)
    _pandoc([*pandoc_arguments(project, "docx"), "--output", str(docx)], build)
    try:
        typst.compile(str(build / "book.typ"), output=str(pdf), root=str(build),
                      font_paths=typst_font_dirs())
    except Exception as exc:  # typst raises its own TypstError (RuntimeError subclass)
        if is_disk_full(exc):
            raise DiskFullError(pdf) from None
        raise RenderError(f"typst could not compile {build / 'book.typ'}: {exc}") from None
