"""The HTML book's pages made ready for readers, after pandoc wrote them.

- the contents list marks the chapter of each page (``aria-current="page"``, styled bold);
- every table sits in a ``.table-scroll`` box: a wide table scrolls inside it, not the page;
- Pagefind indexes the pages (``pagefind/``; the PyPI package ``pagefind[extended]`` ships the
  binary): full-text search in the browser, without a server of its own. The index covers the
  chapters' text (``data-pagefind-body`` on each page's ``main``), not the navigation.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .common import RenderError

_TOC = re.compile(r'(<nav id="TOC".*?</nav>)', re.S)
_TABLE = re.compile(r"(<table\b.*?</table>)", re.S)


def mark_current_chapter(html: str, page: str) -> str:
    """``html`` with the first contents link to ``page`` (``page`` or ``page#...``) marked as
    the current page."""
    def mark(match: re.Match) -> str:
        nav = match.group(1)
        link = re.compile(rf'<a href="{re.escape(page)}(#[^"]*)?"')
        return link.sub(lambda m: m.group(0) + ' aria-current="page"', nav, count=1)
    return _TOC.sub(mark, html, count=1)


def wrap_tables(html: str) -> str:
    """Every ``<table>`` inside a ``<div class="table-scroll">`` (once)."""
    return _TABLE.sub(lambda m: f'<div class="table-scroll">{m.group(1)}</div>', html)


def finish_pages(site: Path) -> None:
    """Mark the current chapter and wrap the tables of every page of ``site``."""
    for path in sorted(site.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        html = wrap_tables(mark_current_chapter(html, path.name))
        path.write_text(html, encoding="utf-8")


def index_search(site: Path) -> None:
    """Build the Pagefind search index of ``site`` into ``site/pagefind``; RenderError with
    Pagefind's message when it fails or is not installed."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        raise RenderError(f"pagefind could not index {site}: {exc}") from None
    if done.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
        raise RenderError(f"pagefind could not index {site} (pip install 'pagefind[extended]'):\n"
                          f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
