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
from dataclasses import dataclass, replace
from pathlib import Path

from helpers.core.atomic import atomic_directory
from helpers.config.params import REPO_ROOT, load_parameter_file
from helpers.core.diskfull import DiskFullError, is_disk_full, reporting_disk_full
from helpers.core.fonts import typst_font_dirs, typst_font_rules
from helpers.core.textsafe import md_code, md_text

from .common import RenderError, pinned_generation, read_notebook
from .front_matter import book_metadata
from .html_pages import finish_pages, index_search
from .notebook_markdown import notebook_markdown
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
                  front: str = "", params: str = "PARAMS.yaml") -> str:
    """The whole book as one Markdown document: the chapters of ``project`` in order, each
    after a ``.quarto-chapter`` marker (and a ``.quarto-part`` marker when it opens a part).
    ``.qmd`` chapters come from ``project_dir``; notebook chapters are the run's executed
    notebooks (``run_dir/notebooks/NAME.ipynb``; ``run_dir`` is the pinned generation), their
    images written under ``build/media``. ``front``: Markdown before the first chapter (the
    front page in HTML, after the contents in the PDF). The quality-control appendix
    (``qc_appendix``; ``params`` names the parameter file in it) closes the book."""
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
                                  "executed; run `jcog1017-run PARAMS.yaml` first")
            parts.append(notebook_markdown(read_notebook(executed), build / "media" / path.stem,
                                           f"media/{path.stem}"))
        else:
            source = project_dir / path
            if not source.is_file():
                raise RenderError(f"{project_dir / '_quarto.yml'}: chapter {chapter.path} does not exist")
            parts.append(source.read_text(encoding="utf-8"))
    parts += ["```{=typst}\n#pagebreak(weak: true)\n```", _marker("quarto-chapter"),
              qc_appendix_markdown(run_dir, params)]
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


def pandoc_arguments(project: BookProject, to: str) -> list[str]:
    """The pandoc options shared by both outputs, then those of ``to`` (chunkedhtml, typst)."""
    args = ["book.md", "--from", "markdown", "--lua-filter", str(LUA_FILTER),
            "--toc", f"--toc-depth={TOC_DEPTH}", "--resource-path=.", "--metadata", "link-citations=true",
            "--metadata-file", FRONT_METADATA]
    if project.bibliography:
        args += ["--citeproc", "--bibliography", Path(project.bibliography).name]
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
                keep_build: Path | None = None) -> RenderedBook:
    """Render the run of ``params_path`` into RUN/<output-dir> (``_book``): the chunked HTML
    book and ``<output-file>.pdf``, from the generation published when the render starts.
    Built aside, swapped in only when both succeeded; DiskFullError naming the place when the
    disk fills up (the previous book is kept). ``keep_build``: a directory to copy the build
    into (``book.md``, ``book.typ`` and what it includes)."""
    pfile = load_parameter_file(params_path)
    run_dir = pfile.output_dir
    project = read_book_project(project_dir / "_quarto.yml")
    generation = pinned_generation(run_dir)
    if not (generation / "notebooks").is_dir():
        raise RenderError(f"{run_dir}: no executed notebooks; run `jcog1017-run PARAMS.yaml` first")
    target = run_dir / project.output_dir
    pdf_name = f"{project.output_file}.pdf"
    docx_name = f"{project.output_file}.docx"
    with reporting_disk_full(run_dir), \
            tempfile.TemporaryDirectory(dir=run_dir, prefix=".book-build.") as tmp, \
            atomic_directory(target) as out:
        build = Path(tmp)
        # the study configuration's title and subtitle, not _quarto.yml's (one study's words)
        project = replace(project, metadata={key: value for key, value in project.metadata.items()
                                             if key not in ("title", "subtitle")})
        try:
            markdown = book_markdown(project, project_dir, generation, build,
                                     front=generation_note(generation),
                                     params=str(params_path))
        except RenderError:
            if not generation.is_dir():
                raise RenderError(f"{generation}: this generation was removed while the book was "
                                  "rendered (a newer run was published); render again") from None
            raise
        (build / "book.md").write_text(markdown, encoding="utf-8")
        meta = book_metadata(generation, pfile, project_dir, markdown, renderer=_renderer_name())
        meta["supplement-downloads"] = [{"label": "PDF", "href": pdf_name},
                                        {"label": "Word", "href": docx_name}]
        _write_metadata(build, meta)
        _build_book(project, project_dir, build, out / pdf_name, out / docx_name)
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


def _build_book(project: BookProject, project_dir: Path, build: Path, pdf: Path, docx: Path) -> None:
    """pandoc (HTML into ``build/html``, Word ``docx``, Typst) and Typst (``pdf``) on
    ``build/book.md``."""
    import typst

    if project.bibliography:
        bib = project_dir / project.bibliography
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
