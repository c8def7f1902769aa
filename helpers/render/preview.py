"""The nbconvert HTML preview of a run: one page per executed notebook, code folded.

``python -m helpers.render preview PARAMS.yaml`` -> RUN/preview/index.html. Never executes
anything; the directory is built aside and swapped into place.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

from helpers.core.atomic import atomic_directory
from helpers.config.params import load_parameter_file

from .common import cell_source, executed_notebooks, notebook_title, read_notebook

_EXTERNAL_SCRIPT = re.compile(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>\s*')


#: Pandoc/Quarto attributes after a heading, e.g. `` {#sec-overall-survival}``.
_QUARTO_ATTRIBUTES = re.compile(r"[ \t]*\{#[A-Za-z][\w:.-]*[^}\n]*\}")


#: nbconvert's JupyterLab template with each code cell's input folded under "Code".
FOLDED_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{% block input_group -%}
{%- if cell.cell_type == 'code' -%}
<details class="supplement-code"><summary>Code</summary>
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
            cell["source"] = _QUARTO_ATTRIBUTES.sub("", cell_source(cell))
    exporter = HTMLExporter(template_name="lab", embed_images=True,
                            extra_loaders=[jinja2.DictLoader({"folded.html.j2": FOLDED_TEMPLATE})],
                            template_file="folded.html.j2")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook_title(nb, "")}})
    return _EXTERNAL_SCRIPT.sub("", body)  # the preview reads offline: no CDN scripts


def index_html(run_label: str, pages: list[tuple[str, str]],
               title: str = "Analysis supplement") -> str:
    """The preview's index: the book's ``title`` (the study's), the run label and links to
    ``(file, title)`` pages in order."""
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>'
                      for href, title in pages)
    label, title = html.escape(run_label), html.escape(title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}: run {label}</title>
  <style>body {{ font-family: sans-serif; max-width: 48rem; margin: 2rem auto; }}</style>
</head>
<body>
  <h1>{title}</h1>
  <p>Run <strong>{label}</strong>. HTML preview of the executed notebooks; the full
  supplement (book and PDF) is rendered by Quarto or by <code>python -m helpers.render book</code>.</p>
  <ol>
{items}
  </ol>
</body>
</html>
"""


def preview(params_path: str | Path, run_dir: Path | None = None) -> Path:
    """Write RUN/preview/ (index.html + one page per executed notebook); return the index.
    ``run_dir``: the run (default the parameter file's ``output_dir``; one comparison's)."""
    pfile = load_parameter_file(params_path)
    run_dir = run_dir or pfile.output_dir
    target = run_dir / "preview"
    pages = []
    notebooks = executed_notebooks(run_dir)
    with atomic_directory(target) as build:
        for path in notebooks:
            nb = read_notebook(path)
            page = f"{path.stem}.html"
            (build / page).write_text(notebook_html(nb), encoding="utf-8")
            pages.append((page, notebook_title(nb, path.stem)))
        from helpers.config.study import load_study

        study = load_study(pfile.parameters.get("study"))
        (build / "index.html").write_text(index_html(pfile.run_label, pages, study.book.book_title),
                                          encoding="utf-8")
    return target / "index.html"
