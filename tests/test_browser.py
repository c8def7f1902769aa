"""The HTML supplement in a real browser (headless Debian Chromium via Playwright).

1. The harness itself, on a page built here from a tiny executed notebook (fast).
2. The real thing (slow): run every notebook for params/default.yaml into a temporary run
   directory, render it (Quarto when on PATH, else the nbconvert preview), open every page in
   Chromium and check: no console errors, every figure loaded, the key results of the run
   (OS HR and CI, LRFS HR, median OS per arm) on the page as the run computed them.
   A screenshot of the OS chapter goes to test-artifacts/.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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
    tmp = tmp_path_factory.mktemp("report")
    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    params["parameters"]["output_dir"] = str(tmp / "run")
    params_file = tmp / "default.yaml"
    params_file.write_text(yaml.safe_dump(params, sort_keys=False))

    runner = Path(sys.executable).with_name("jcog1017-run")
    run_cmd = [str(runner)] if runner.exists() else [sys.executable, "-m", "helpers.run"]
    steps = [run_cmd + [str(params_file), "--workers", "2"]]
    if shutil.which("quarto"):
        steps.append([sys.executable, "-m", "helpers.render", "quarto", str(params_file)])
    else:
        steps.append([sys.executable, "-m", "helpers.render", "preview", str(params_file)])
    for cmd in steps:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}):\n"
                        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    run_dir = tmp / "run"
    site = run_dir / "_book" if shutil.which("quarto") else run_dir / "preview"
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
    os_pages = [p for p in pages if "03_overall_survival" in p]
    assert os_pages, f"no overall-survival page among {pages}"
    problems, texts = [], {}
    with serve_directory(site) as url, chromium() as browser:
        for page in pages:
            shot = "report_overall_survival.png" if page == os_pages[0] else None
            report = inspect_page(browser, f"{url}/{page}", screenshot=shot)
            texts[page] = normalise_text(report.text)
            if report.console_errors or report.page_errors:
                problems.append(f"{page}: console {report.console_errors} page {report.page_errors}")
            if report.broken_images:
                problems.append(f"{page}: images not loaded {report.broken_images}")
    assert not problems, "\n".join(problems)

    os_text = texts[os_pages[0]]
    for name in ("os_hr", "os_ci", "os_median_A", "os_median_B"):
        assert key[name] in os_text, f"{name} = {key[name]} not on {os_pages[0]}"
    lrfs_pages = [p for p in pages if "04_lrfs" in p]
    assert lrfs_pages and key["lrfs_hr"] in texts[lrfs_pages[0]], \
        f"LRFS HR {key['lrfs_hr']} not on the LRFS page"
    # the front page shows the run's key results (Quarto: embedded from 10_reproduction)
    front = texts["index.html"]
    if shutil.which("quarto"):
        for name in ("os_hr", "os_ci", "lrfs_hr"):
            assert key[name] in front, f"{name} = {key[name]} not on the front page"
    assert (ROOT / "test-artifacts" / "report_overall_survival.png").stat().st_size > 0
