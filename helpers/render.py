"""Render a run: Quarto book, or an nbconvert HTML preview when Quarto is not installed.

``python -m helpers.render preview PARAMS.yaml``  -> RUN/preview/index.html (+ one page per notebook)
``python -m helpers.render quarto PARAMS.yaml``   -> RUN/_book/ (HTML book + PDF, per _quarto.yml)

Both render the notebooks the runner executed (RUN/notebooks/*.ipynb) and never execute
anything. Each output directory is built aside and swapped into place, so a failed render
leaves the previous one intact.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

from helpers.atomic import atomic_directory, replace_directory
from helpers.errors import ParameterError
from helpers.params import REPO_ROOT, load_parameter_file

GET_QUARTO = ("Quarto renders the full supplement (HTML book + PDF): `conda env create -f "
              "environment.yml` includes it, or `pip install quarto-cli` on a machine with "
              "internet, or https://quarto.org/docs/get-started/.")
#: Files of the Quarto project (repository root) copied beside the run's notebooks.
QUARTO_PROJECT_SUFFIXES = (".qmd", ".bib", ".csl", ".css", ".scss")
_EXTERNAL_SCRIPT = re.compile(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>\s*')
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*(\{#[^}]*\})?\s*$", re.MULTILINE)


class RenderError(RuntimeError):
    """The run cannot be rendered (nothing executed yet, Quarto missing or failing)."""


def executed_notebooks(run_dir: Path) -> list[Path]:
    """The executed notebooks of a run in reading order; error when there are none."""
    notebooks = sorted((run_dir / "notebooks").glob("*.ipynb"))
    if not notebooks:
        raise RenderError(f"{run_dir}: no executed notebooks; run `jcog1017-run PARAMS.yaml` first")
    return notebooks


#: Pandoc/Quarto attributes after a heading, e.g. `` {#sec-overall-survival}``.
_QUARTO_ATTRIBUTES = re.compile(r"[ \t]*\{#[A-Za-z][\w:.-]*[^}\n]*\}")


def notebook_title(nb: dict, fallback: str) -> str:
    """The first markdown heading of a notebook, without a Quarto label (``{#sec-...}``)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        match = _HEADING.search(source)
        if match:
            return match.group(1)
    return fallback


#: nbconvert's JupyterLab template with each code cell's input folded under "Code".
FOLDED_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{% block input_group -%}
{%- if cell.cell_type == 'code' -%}
<details class="jcog1017-code"><summary>Code</summary>
{{ super() }}
</details>
{%- else -%}{{ super() }}{%- endif -%}
{%- endblock input_group %}
"""


def notebook_html(nb: dict) -> str:
    """One executed notebook (an nbformat node) as a standalone HTML page: code folded,
    outputs and figures inline."""
    import jinja2
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":  # Quarto attributes mean nothing to nbconvert
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cell["source"] = _QUARTO_ATTRIBUTES.sub("", source)
    exporter = HTMLExporter(template_name="lab", embed_images=True,
                            extra_loaders=[jinja2.DictLoader({"folded.html.j2": FOLDED_TEMPLATE})],
                            template_file="folded.html.j2")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook_title(nb, "")}})
    return _EXTERNAL_SCRIPT.sub("", body)  # the preview reads offline: no CDN scripts


def index_html(run_label: str, pages: list[tuple[str, str]]) -> str:
    """The preview's index: the run label and links to ``(file, title)`` pages in order."""
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
                      for href, title in pages)
    label = html.escape(run_label)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>JCOG1017 supplement: run {label}</title>
  <style>body {{ font-family: sans-serif; max-width: 48rem; margin: 2rem auto; }}</style>
</head>
<body>
  <h1>JCOG1017 (PRIM-BC): analysis supplement</h1>
  <p>Run <strong>{label}</strong>. HTML preview of the executed notebooks; the full
  supplement (book and PDF) is rendered by Quarto.</p>
  <ol>
{items}
  </ol>
</body>
</html>
"""


def preview(params_path: str | Path) -> Path:
    """Write RUN/preview/ (index.html + one page per executed notebook); return the index."""
    import nbformat

    pfile = load_parameter_file(params_path)
    run_dir = pfile.output_dir
    target = run_dir / "preview"
    pages = []
    notebooks = executed_notebooks(run_dir)
    with atomic_directory(target) as build:
        for path in notebooks:
            try:
                nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
            except ValueError as exc:
                raise RenderError(f"{path}: not a readable notebook ({exc})") from None
            page = f"{path.stem}.html"
            (build / page).write_text(notebook_html(nb), encoding="utf-8")
            pages.append((page, notebook_title(nb, path.stem)))
        (build / "index.html").write_text(index_html(pfile.run_label, pages), encoding="utf-8")
    return target / "index.html"


def quarto_command(build_dir: Path) -> list[str]:
    """The Quarto command line rendering the project copied into ``build_dir``."""
    return ["quarto", "render", str(build_dir), "--to", "all"]


def quarto(params_path: str | Path, project_dir: Path = REPO_ROOT) -> Path:
    """Render the run with Quarto into RUN/_book; return that directory.

    The project files of ``project_dir`` (``_quarto.yml``, ``*.qmd``, ``*.bib``) and the
    run's executed notebooks are copied into a build directory inside the run; Quarto renders
    it there (``execute: enabled: false``: nothing re-executes) and the book is swapped in.
    """
    quarto_bin = shutil.which("quarto")
    if quarto_bin is None:
        raise RenderError(f"quarto is not on PATH. {GET_QUARTO}")
    pfile = load_parameter_file(params_path)
    run_dir = pfile.output_dir
    config = project_dir / "_quarto.yml"
    if not config.is_file():
        raise RenderError(f"{config}: no Quarto project to render")
    output_name = _output_dir_name(config)
    notebooks = executed_notebooks(run_dir)
    build = run_dir / "quarto-build"  # not hidden: Quarto skips dot-paths
    shutil.rmtree(build, ignore_errors=True)
    try:
        (build / "notebooks").mkdir(parents=True)
        shutil.copy2(config, build / "_quarto.yml")
        for path in sorted(project_dir.iterdir()):
            if path.is_file() and path.suffix in QUARTO_PROJECT_SUFFIXES:
                shutil.copy2(path, build / path.name)
        for path in notebooks:
            shutil.copy2(path, build / "notebooks" / path.name)
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


def _output_dir_name(config: Path) -> str:
    import yaml

    project = (yaml.safe_load(config.read_text(encoding="utf-8")) or {}).get("project") or {}
    name = str(project.get("output-dir", "_book"))
    if "/" in name or name.startswith("."):
        raise RenderError(f"{config}: project output-dir must be a plain directory name, got {name!r}")
    return name


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers.render {preview,quarto} PARAMS.yaml``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers.render", description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["preview", "quarto"])
    parser.add_argument("params", help="parameter file of the run, e.g. params/default.yaml")
    args = parser.parse_args(argv)
    try:
        if args.mode == "preview":
            index = preview(args.params)
            print(f"HTML preview: {index}\n{GET_QUARTO}")
        else:
            print(f"Quarto book: {quarto(args.params) / 'index.html'}")
    except (ParameterError, RenderError) as exc:
        print(f"helpers.render: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
