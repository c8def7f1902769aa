"""Render a run: the Quarto book; without Quarto, the same book (HTML + PDF) through pandoc and
Typst; or an nbconvert HTML preview.

``python -m helpers.render quarto PARAMS.yaml``   -> RUN/_book/ (Quarto: HTML book + Typst PDF)
``python -m helpers.render book PARAMS.yaml``     -> RUN/_book/ (pandoc + Typst, no Quarto)
``python -m helpers.render auto PARAMS.yaml``     -> quarto when on PATH, else book
``python -m helpers.render preview PARAMS.yaml``  -> RUN/preview/index.html

Every renderer reads the notebooks the runner executed (RUN/notebooks/*.ipynb) and never
executes anything; each output directory is built aside and swapped into place, so a failed
render leaves the previous one intact.
"""

from .cli import main
from .common import RenderError, executed_notebooks, notebook_title
from .pandoc_book import render_book
from .preview import index_html, notebook_html, preview
from .quarto import GET_QUARTO, quarto, quarto_command

__all__ = ["GET_QUARTO", "RenderError", "executed_notebooks", "index_html", "main",
           "notebook_html", "notebook_title", "preview", "quarto", "quarto_command", "render_book"]
