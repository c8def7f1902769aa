"""The supplement's three outputs read as a journal's supplement editor would (issue 19), for
the default, per-protocol and colon runs (slow: each is run and rendered once).

- PDF (pdftotext, pdfimages, pdftoppm, and Typst's own page of every table row): the title
  page ("Supplementary appendix to: ...", registration, version, date, data cut-off, run,
  commit), contents, lists of tables and figures, abbreviations, "Page x of y" and the running
  header; every table's caption on the page of its header row; no page holding a fragment of
  fewer than three rows of a table; figures embedded as vector graphics (no raster image, their
  text is text); pages rasterised into test-artifacts/ for a person to look at.
- Word (python-docx): every table and figure of the book with its ID, real tables, embedded
  figures.
- The same IDs (Table S1, Figure S1) with the same captions in HTML, PDF and Word.
- Reader-visible text of all three without True/None/nan, .0000, snake_case or dotted keys,
  file paths, PARAMCD, ADaM flags, variable=value conditions, and no inline code in the HTML
  prose naming an ADaM variable or a run parameter (``helpers.render.hygiene``, whose own
  checks are in tests/test_hygiene.py).
- No figure of the run reported a layout problem (overlap, text under 7 pt) when it was saved.
"""
from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from helpers.render.hygiene import inline_code_problems, reader_problems

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(shutil.which(t) is None for t in ("pdftotext", "pdfimages", "pdftoppm")),
                       reason="poppler-utils (pdftotext, pdfimages, pdftoppm) is not installed"),
]

CAPTION = re.compile(r"^((?:Table|Figure) S\d+): ?(.*)$")


def _run_and_render(tmp: Path, params_name: str) -> dict:
    """Run every notebook of ``params/NAME.yaml`` into ``tmp/run`` and render the book,
    keeping the build (book.typ); returns paths and the run's generation name."""
    from helpers.render.pandoc_book import render_book

    params = yaml.safe_load((ROOT / "params" / f"{params_name}.yaml").read_text())
    params["parameters"]["output_dir"] = str(tmp / "run")
    params_file = tmp / f"{params_name}.yaml"
    params_file.write_text(yaml.safe_dump(params, sort_keys=False))
    runner = Path(sys.executable).with_name("jcog1017-run")
    done = subprocess.run([str(runner), str(params_file), "--workers", "2"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        pytest.fail(f"run {params_name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    book = render_book(params_file, keep_build=tmp / "build")
    generation = (tmp / "run" / "current").resolve()
    return {"name": params_name, "run": tmp / "run", "book": book, "build": tmp / "build",
            "generation": generation.name, "site": book.html.parent}


@pytest.fixture(scope="module", params=["default", "per_protocol", "colon"])
def rendered(request, tmp_path_factory):
    if request.param == "colon" and not (ROOT / "data" / "examples" / "colon").is_dir():
        pytest.skip("the colon ADaM data are not built (make colon)")
    return _run_and_render(tmp_path_factory.mktemp(f"book-{request.param}"), request.param)


def _pdf_pages(pdf: Path) -> list[str]:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True)
    return done.stdout.split("\f")


def _pdf_text(pdf: Path) -> str:
    return "\n".join(_pdf_pages(pdf))


def _ids(lines) -> dict[str, str]:
    """ID -> the caption's first words, from caption lines ("Table S3: Baseline ...")."""
    out = {}
    for line in lines:
        match = CAPTION.match(" ".join(line.split()))
        if match and match.group(1) not in out:
            out[match.group(1)] = " ".join(match.group(2).split()[:4])
    return out


def _html_text(path: Path) -> str:
    """What a reader sees on a page: its main part without the folded code."""
    s = path.read_text(encoding="utf-8")
    s = re.sub(r'<details class="code-fold">.*?</details>', " ", s, flags=re.S)
    main = re.search(r"<main.*?</main>", s, re.S)
    s = main.group(0) if main else s
    s = re.sub(r"<(script|style)\b.*?</\1>", " ", s, flags=re.S)
    s = " ".join(s.split())  # pandoc wraps its HTML source: lines are the blocks below
    s = re.sub(r"<(br|/p|/div|/tr|/h\d|/li|/figcaption|/caption|/dt|/dd)\b[^>]*>", "\n", s)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", s))


def _docx(path: Path):
    import docx

    return docx.Document(str(path))


def _docx_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_pdf_front_matter_pages_and_running_header(rendered):
    pdf = rendered["book"].pdf
    pages = _pdf_pages(pdf)
    pages = pages[:-1] if not pages[-1].strip() else pages
    title = " ".join(pages[0].split())
    for expected in ("Supplementary appendix to:", "Supplement version", "Date", "Data cut-off",
                     "Run", "Source commit", rendered["generation"], f"Page 1 of {len(pages)}"):
        assert expected in title, expected
    if rendered["name"] != "colon":
        assert "Registration UMIN000005586" in title and "JCOG1017" in title
    front = " ".join(" ".join(pages[:8]).split())
    for heading in ("Contents", "List of tables", "List of figures", "Abbreviations"):
        assert heading in front, heading
    body = [p for p in pages[3:] if p.strip()]
    assert all(f"of {len(pages)}" in p for p in body), "a page without 'Page x of y'"
    assert sum("supplementary appendix" in p.splitlines()[0] for p in body if p.splitlines()) \
        >= len(body) // 2, "no running header"


def test_pdf_captions_stay_with_their_tables_and_no_fragment_under_three_rows(rendered):
    import typst

    build = rendered["build"]
    from helpers.core.fonts import typst_font_dirs

    marks = json.loads(typst.query(str(build / "book.typ"), "<supplement-mark>", field="value",
                                   root=str(build), font_paths=typst_font_dirs()))
    assert marks, "no table markers in the PDF"
    caption_page, header_page, rows = {}, {}, defaultdict(Counter)
    for m in marks:
        if m["kind"] == "caption":  # the list of tables repeats the caption: the last is the table's
            caption_page[m["table"]] = max(caption_page.get(m["table"], 0), m["page"])
        elif m["kind"] == "header":
            header_page.setdefault(m["table"], m["page"])
        else:
            rows[m["table"]][m["page"]] += 1
    stranded = [t for t in caption_page if t in header_page and caption_page[t] != header_page[t]]
    assert not stranded, f"captions on another page than their table: {stranded}"
    fragments = {t: dict(c) for t, c in rows.items()
                 if sum(c.values()) >= 3 and min(c.values()) < 3}
    assert not fragments, f"table fragments of fewer than three rows (table: page -> rows): {fragments}"


def test_pdf_table_header_repeats_on_every_page_of_its_rows(rendered):
    """A table broken across pages shows its header row again on each page (Typst's
    repeated table header: its marker is laid out on every page it is printed on)."""
    import typst

    from helpers.core.fonts import typst_font_dirs

    build = rendered["build"]
    marks = json.loads(typst.query(str(build / "book.typ"), "<supplement-mark>", field="value",
                                   root=str(build), font_paths=typst_font_dirs()))
    headers, rows = defaultdict(set), defaultdict(set)
    for m in marks:
        if m["kind"] == "header":
            headers[m["table"]].add(m["page"])
        elif m["kind"] == "row":
            rows[m["table"]].add(m["page"])
    broken = {t: pages for t, pages in rows.items() if len(pages) > 1}
    missing = {t: sorted(pages - headers[t]) for t, pages in rows.items() if pages - headers[t]}
    assert not missing, f"pages of a table without its header row (table: pages): {missing}"
    if rendered["name"] == "default":
        assert broken, "no table of the default book breaks across pages: the check checks nothing"


def test_pdf_figures_are_vector_with_text(rendered):
    pdf = rendered["book"].pdf
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert [row for row in listing if row.split()[2] == "image"] == [], "a raster image in the PDF"
    text = _pdf_text(pdf)
    assert "Number at risk" in text and "Months since randomisation" in text.replace("\n", " ")
    figures = sorted((rendered["run"] / "figures").rglob("*.svg"))
    ids = _ids(line.strip() for line in text.splitlines())
    shown = [i for i in ids if i.startswith("Figure")]
    # every figure of the run has its ID (a section without data keeps its ID, "not available")
    assert len(shown) >= len(figures) > 0
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / f"book-{rendered['name']}"
    for old in ARTIFACTS.glob(f"book-{rendered['name']}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(prefix)], check=True)


def test_same_ids_and_captions_in_html_pdf_and_word(rendered):
    site = rendered["site"]
    html_lines = [line for page in sorted(site.glob("*.html")) for line in _html_text(page).splitlines()]
    html_ids = _ids(html_lines)
    pdf_lines = _pdf_text(rendered["book"].pdf).splitlines()
    # the PDF's captions (after the lists of tables and figures, which hold them too)
    pdf_ids = _ids(line.strip() for line in pdf_lines)
    word = _docx(rendered["book"].docx)
    word_ids = _ids(p.text for p in word.paragraphs)
    assert html_ids, "no Table S/Figure S captions in the HTML book"
    assert set(html_ids) == set(pdf_ids) == set(word_ids)
    assert html_ids == word_ids
    numbers = sorted(int(i.split("S")[1]) for i in html_ids if i.startswith("Table"))
    assert numbers == list(range(1, len(numbers) + 1)), "table IDs are not S1, S2, ... in order"


def test_word_file_holds_every_table_and_figure(rendered):
    word = _docx(rendered["book"].docx)
    paragraphs = [p.text for p in word.paragraphs]
    ids = _ids(paragraphs)
    # a section without data keeps its ID with "Not available ..." under it, and no table
    absent = {CAPTION.match(t).group(1) for t, after in zip(paragraphs, paragraphs[1:] + [""])
              if CAPTION.match(t) and after.startswith("Not available")}
    tables = [i for i in ids if i.startswith("Table") and i not in absent]
    figures = [i for i in ids if i.startswith("Figure") and i not in absent]
    assert len(word.tables) >= len(tables) > 0
    assert len(word.inline_shapes) == len(figures) > 0
    svgs = sorted((rendered["run"] / "figures").rglob("*.svg"))
    assert len(figures) == len(svgs)
    first = " ".join(p.text for p in word.paragraphs[:20])
    assert "Supplementary appendix to:" in first and "Data cut-off" in first


def test_reader_visible_text_has_no_internal_names(rendered):
    allowed = (rendered["generation"],)
    problems = []
    for page in sorted(rendered["site"].glob("*.html")):
        problems += [f"HTML {page.name}: {p}" for p in reader_problems(_html_text(page), allowed)]
        problems += [f"HTML {page.name}: {p}" for p in
                     inline_code_problems(page.read_text(encoding="utf-8"))]
    problems += [f"PDF: {p}" for p in reader_problems(_pdf_text(rendered["book"].pdf), allowed)]
    problems += [f"Word: {p}" for p in reader_problems(_docx_text(_docx(rendered["book"].docx)), allowed)]
    assert not problems, "\n".join(problems[:40])


def test_no_figure_reported_a_layout_problem(rendered):
    found = []
    for path in sorted((rendered["run"] / "current" / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for out in cell.get("outputs", []):
                text = "".join(out.get("text", ""))
                if out.get("name") == "stderr" and "layout problem" in text:
                    found.append(f"{path.name}: {text.strip()}")
    assert not found, "\n".join(found)


def test_html_in_a_browser_at_1280_and_400_px(rendered):
    """Every page of the HTML book in Chromium at 1280 and 400 px: no horizontal overflow of
    the page (wide tables scroll in their own box), no console or page error, every link and
    image of the book resolves; Pagefind finds the overall-survival chapter for "hazard
    ratio" (test_browser.py checks more of the default book)."""
    from urllib.parse import urldefrag, urlparse

    from browser import chromium, chromium_missing_reason, inspect_page, serve_directory

    if chromium_missing_reason():
        pytest.skip(chromium_missing_reason())
    site = rendered["site"]
    pages = sorted(p.name for p in site.glob("*.html"))
    problems = []
    with serve_directory(site) as url, chromium() as browser:
        for width in (1280, 400):
            for name in pages:
                report = inspect_page(browser, f"{url}/{name}", viewport=(width, 900))
                problems += [f"{name} at {width} px: {e}" for e in
                             report.console_errors + report.page_errors + report.failed_requests]
                problems += [f"{name}: image {im['src']} not loaded" for im in report.broken_images]
                if width == 400:  # links once
                    for link in report.links:
                        target = urlparse(urldefrag(link)[0])
                        if link.startswith(url) and target.path not in ("", "/") and \
                                not (site / target.path.lstrip("/")).exists():
                            problems.append(f"{name}: link {link} leads nowhere")
        for width in (1280, 400):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            for name in pages:
                page.goto(f"{url}/{name}", wait_until="networkidle")
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 1:
                    problems.append(f"{name} at {width} px: the page scrolls sideways by {overflow} px")
            if width == 1280:
                page.goto(f"{url}/index.html", wait_until="networkidle")
                hits = page.evaluate("""async () => {
                    const pagefind = await import("/pagefind/pagefind.js");
                    const found = await pagefind.search("hazard ratio");
                    const pages = await Promise.all(found.results.map(r => r.data()));
                    return pages.map(p => p.url); }""")
                os_pages = [p for p in pages if re.search(
                    r"<h1[^>]*>(?:(?!</h1>).)*Overall survival", (site / p).read_text(encoding="utf-8"), re.S)]
                if not any(p in h for p in os_pages for h in hits):
                    problems.append(f"search for 'hazard ratio' finds {hits}, not {os_pages}")
            context.close()
    assert not problems, "\n".join(problems[:40])
