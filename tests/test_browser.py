"""The HTML supplement in a real browser (headless Debian Chromium via Playwright).

1. The harness itself, on a page built here from a tiny executed notebook (fast).
2. The real thing (slow): run every notebook for params/default.yaml into a temporary run
   directory, render the book (`python -m helpers.render auto`: Quarto when on PATH, else
   pandoc + Typst), open every page in Chromium and check: no console errors, every figure
   loaded, links between chapters lead to pages of the book, no unresolved cross-reference,
   the key results of the run (OS HR and CI, LRFS HR, median OS per arm) on the page as the
   run computed them. Screenshots of the front page and the OS chapter go to test-artifacts/.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from supplement_run import run_and_render
from browser import (chromium, chromium_missing_reason, inspect_page, normalise_text,
                     serve_directory)

ROOT = Path(__file__).resolve().parent.parent

_missing = chromium_missing_reason()
pytestmark = pytest.mark.skipif(_missing is not None, reason=_missing or "")


# --------------------------------------------------------------------------- the harness


def _executed_notebook_html(directory: Path) -> Path:
    """Execute a two-cell notebook (a matplotlib figure, a formatted HR) and export it to HTML."""
    import nbclient
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Overall survival"),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(figsize=(4, 3))\n"
            "ax.step([0, 12, 24, 36], [1.0, 0.8, 0.6, 0.5], where='post')\n"
            "ax.set_xlabel('Months from randomisation')\n"
            "plt.show()\n"
            "hr, lo, hi = 0.857, 0.686, 1.072\n"
            "print(f'HR {hr:.2f} (90% CI {lo:.2f}-{hi:.2f})')"),
    ]
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    # our page must work offline: drop nbconvert's CDN scripts (require.js, MathJax)
    body = re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', "", body)
    page = directory / "03_overall_survival.html"
    page.write_text(body, encoding="utf-8")
    (directory / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"><title>run</title></head><body>'
        '<h1>Run</h1><ul><li><a href="03_overall_survival.html">Overall survival</a></li></ul>'
        "</body></html>", encoding="utf-8")
    return page


def test_harness_reads_an_executed_notebook_page(tmp_path):
    _executed_notebook_html(tmp_path)
    with serve_directory(tmp_path) as url, chromium() as browser:
        report = inspect_page(browser, f"{url}/03_overall_survival.html",
                              screenshot="harness_overall_survival.png")
    assert report.console_errors == [] and report.page_errors == [], report
    assert report.images, "the executed notebook's figure is not on the page"
    assert report.broken_images == []
    assert all(im["naturalWidth"] > 0 for im in report.images)
    assert "HR 0.86 (90% CI 0.69-1.07)" in normalise_text(report.text)
    assert report.screenshot is not None and report.screenshot.stat().st_size > 0


def test_harness_catches_broken_pages(tmp_path):
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><meta charset="utf-8"></head><body>'
        '<img src="figures/missing.png" alt="missing">'
        '<script>console.error("boom")</script>'
        '<script>throw new Error("uncaught")</script></body></html>', encoding="utf-8")
    with serve_directory(tmp_path) as url, chromium() as browser:
        report = inspect_page(browser, f"{url}/index.html")
    assert any("boom" in m for m in report.console_errors)
    assert any("uncaught" in m for m in report.page_errors)
    assert [im["src"].rsplit("/", 1)[-1] for im in report.broken_images] == ["missing.png"]


# --------------------------------------------------------------------------- the real run


@pytest.fixture(scope="module")
def rendered_run(tmp_path_factory):
    """Run the notebooks for params/default.yaml into a temp dir, render; (run dir, site root, index)."""
    run_dir = run_and_render(tmp_path_factory.mktemp("report"), "auto")
    site = run_dir / "_book"
    assert (site / "index.html").is_file(), f"no {site / 'index.html'} after rendering"
    return run_dir, site


def _key_results(run_dir: Path) -> dict[str, str]:
    """The key results as the notebooks print them: HR and CI to 2 decimals, medians to 1
    (results/03_overall_survival.json and the "lrfs" entry of results/04_lrfs.json)."""
    os_ = json.loads((run_dir / "results" / "03_overall_survival.json").read_text())
    lrfs = json.loads((run_dir / "results" / "04_lrfs.json").read_text())["lrfs"]
    out = {}
    for name, res in (("os", os_), ("lrfs", lrfs)):
        hr = res["hazard_ratio"]
        out[f"{name}_hr"] = f"{hr['hr']:.2f}"
        out[f"{name}_ci"] = f"{hr['lower']:.2f}-{hr['upper']:.2f}"
    medians = dict(zip(os_["medians"]["group"], os_["medians"]["median"]))
    for arm in ("A", "B"):
        out[f"os_median_{arm}"] = f"{medians[arm]:.1f}"
    return out


def _chapter_page(pages: list[str], stem: str) -> str:
    """The page of notebook chapter ``stem``: Quarto names it notebooks/<stem>.html, the
    pandoc book by the chapter's label (``# Title {#sec-...}`` of the notebook)."""
    import jupytext

    first = next(c for c in jupytext.read(ROOT / "notebooks" / f"{stem}.py").cells
                 if c.cell_type == "markdown")
    label = re.search(r"\{#(sec-[\w-]+)", first.source).group(1)
    found = [p for p in pages if stem in p or Path(p).stem == label]
    assert found, f"no page of chapter {stem} ({label}) among {pages}"
    return found[0]


def _pages(site: Path) -> list[str]:
    """Every HTML page of the rendered site, relative to it (chapters, index)."""
    skip = {"search.json"}
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html")
                  if p.name not in skip and "site_libs" not in p.parts)


@pytest.mark.slow
def test_report_in_browser(rendered_run):
    run_dir, site = rendered_run
    key = _key_results(run_dir)
    pages = _pages(site)
    os_page = _chapter_page(pages, "03_overall_survival")
    front_page = "index.html" if shutil.which("quarto") else "preface.html"
    shots = {os_page: "report_overall_survival.png", front_page: "report_front_page.png"}
    problems, texts, links = [], {}, {}
    with serve_directory(site) as url, chromium() as browser:
        for page in pages:
            report = inspect_page(browser, f"{url}/{page}", screenshot=shots.get(page))
            texts[page] = normalise_text(report.text)
            links[page] = report.links
            if report.console_errors or report.page_errors or report.failed_requests:
                problems.append(f"{page}: console {report.console_errors} page "
                                f"{report.page_errors} requests {report.failed_requests}")
            if report.broken_images:
                problems.append(f"{page}: images not loaded {report.broken_images}")
            if "?@" in report.text or "??" in report.text:
                problems.append(f"{page}: unresolved cross-reference in the text")
        # links between chapters: every internal link leads to a page of the book
        targets = {link.split("#")[0] for page_links in links.values() for link in page_links
                   if link.startswith(url)}
        for target in sorted(targets):
            relative = target[len(url) + 1:] or "index.html"
            if relative not in pages and not (site / relative).is_file():  # the PDF, Word
                problems.append(f"link to {relative}, which is not a page of the book")
    assert not problems, "\n".join(problems)
    chapter_links = {t for t in targets if t.endswith((f"/{os_page}", f"/{_chapter_page(pages, '04_lrfs')}"))}
    assert len(chapter_links) == 2, "the chapters do not link to each other"

    os_text = texts[os_page]
    for name in ("os_hr", "os_ci", "os_median_A", "os_median_B"):
        assert key[name] in os_text, f"{name} = {key[name]} not on {os_page}"
    assert re.search(r"Figure S\d+: Overall survival", os_text), "the OS figure has no ID"
    lrfs_page = _chapter_page(pages, "04_lrfs")
    assert key["lrfs_hr"] in texts[lrfs_page], f"LRFS HR {key['lrfs_hr']} not on the LRFS page"
    # the front page shows the run's key results, embedded from 10_reproduction
    front = texts[front_page]
    for name in ("os_hr", "os_ci", "lrfs_hr"):
        assert key[name] in front, f"{name} = {key[name]} not on the front page"
    for shot in shots.values():
        assert (ROOT / "test-artifacts" / shot).stat().st_size > 0


@pytest.mark.slow
def test_book_reads_at_1280_and_400_px_and_searches(rendered_run):
    """Issue 19: no horizontal overflow of the page at 1280 px and 400 px (wide tables scroll
    in their own box), the contents mark the current chapter, every figure has alt text, the
    PDF and Word files are linked, and Pagefind's search finds the OS chapter for "hazard
    ratio" without a server of its own (the static files only)."""
    _, site = rendered_run
    if not (site / "pagefind").is_dir():
        pytest.skip("the book was rendered by Quarto (its own search)")
    from playwright.sync_api import sync_playwright  # noqa: F401 (chromium() uses it)

    os_page = _chapter_page(_pages(site), "03_overall_survival")
    problems = []
    with serve_directory(site) as url, chromium() as browser:
        for width in (1280, 400):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            for name in ("index.html", os_page, _chapter_page(_pages(site), "02_baseline")):
                page.goto(f"{url}/{name}", wait_until="networkidle")
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 1:
                    problems.append(f"{name} at {width} px: the page scrolls sideways by {overflow} px")
                current = page.evaluate(
                    "Array.from(document.querySelectorAll('nav#TOC a[aria-current=page]'))"
                    ".map(a => a.getAttribute('href'))")
                if name != "index.html" and not (current and current[0].startswith(name)):
                    problems.append(f"{name}: the contents do not mark it as current ({current})")
                alts = page.evaluate("Array.from(document.querySelectorAll('figure img'))"
                                     ".map(i => i.getAttribute('alt') || '')")
                if any(not a.startswith("Figure S") for a in alts):
                    problems.append(f"{name}: a figure without alt text: {alts}")
                links = page.evaluate("Array.from(document.querySelectorAll('.book-downloads a'))"
                                      ".map(a => a.getAttribute('href'))")
                if sorted(Path(h).suffix for h in links) != [".docx", ".pdf"] or \
                        not all((site / h).is_file() for h in links):
                    problems.append(f"{name}: PDF and Word links {links}")
                page.screenshot(path=str(ROOT / "test-artifacts" / f"book_{Path(name).stem}_{width}.png"),
                                full_page=True)
            if width == 1280:
                page.goto(f"{url}/index.html", wait_until="networkidle")
                page.fill(".pagefind-ui__search-input", "hazard ratio")  # the search box works
                page.wait_for_selector(".pagefind-ui__result-link", timeout=20_000)
                hits = page.evaluate("""async () => {  // every page found, not the first five shown
                    const pagefind = await import("/pagefind/pagefind.js");
                    const found = await pagefind.search("hazard ratio");
                    const pages = await Promise.all(found.results.map(r => r.data()));
                    return pages.map(p => p.url); }""")
                if not any(os_page in h for h in hits):
                    problems.append(f"search for 'hazard ratio' does not find {os_page}: {hits}")
            if errors:
                problems.append(f"console errors at {width} px: {errors}")
            context.close()
    assert not problems, "\n".join(problems)
