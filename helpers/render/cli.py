"""Command line of the renderers: ``python -m helpers.render MODE PARAMS.yaml``."""

from __future__ import annotations

import argparse
import shutil
import sys

from helpers.core.diskfull import DiskFullError, is_disk_full, no_space_message
from helpers.config.params import load_parameter_file
from helpers.core.errors import ParameterError
from helpers.run.comparisons import comparison_files

from .common import RenderError
from .pandoc_book import render_book
from .preview import preview
from .quarto import GET_QUARTO, quarto, quarto_project

MODES = {
    "quarto": "Quarto book (HTML + PDF) in RUN/_book",
    "book": "the book without Quarto (pandoc + Typst) in RUN/_book",
    "auto": "quarto when it is on PATH, else book",
    "preview": "nbconvert HTML preview in RUN/preview",
    "quarto-project": "the run's Quarto project (the same book's _quarto.yml, preface, notebooks) in RUN/quarto, for `quarto render RUN/quarto`",
}


def main(argv: list[str] | None = None) -> int:
    """Render the run of a parameter file; returns the exit status (1 with a message on error)."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.render", description="Render the executed notebooks of a run.",
        epilog="; ".join(f"{mode}: {text}" for mode, text in MODES.items()))
    parser.add_argument("mode", choices=list(MODES))
    parser.add_argument("params", help="parameter file of the run, e.g. params/default.yaml")
    args = parser.parse_args(argv)
    mode = args.mode
    if mode == "auto":
        mode = "quarto" if shutil.which("quarto") else "book"
    try:
        # a study with several comparisons: one run, and one book, per comparison
        for slug, pfile in comparison_files(load_parameter_file(args.params)):
            run_dir = pfile.output_dir if slug else None
            if slug:
                print(f"comparison {slug}:")
            if mode == "quarto-project":
                print(f"Quarto project: {quarto_project(args.params, run_dir=run_dir)}")
            elif mode == "preview":
                print(f"HTML preview: {preview(args.params, run_dir)}\n{GET_QUARTO}")
            elif mode == "quarto":
                print(f"Quarto book: {quarto(args.params, run_dir=run_dir) / 'index.html'}")
            else:
                book = render_book(args.params, run_dir=run_dir)
                print(f"Book (pandoc + Typst, without Quarto): {book.html}\nPDF: {book.pdf}")
    except (ParameterError, RenderError, DiskFullError) as exc:
        print(f"helpers.render: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk in the Quarto or preview path: where, not a traceback
        if not is_disk_full(exc):
            raise
        print(f"helpers.render: {no_space_message(exc.filename or args.params)}", file=sys.stderr)
        return 1
    return 0
