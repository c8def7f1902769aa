"""Headless Debian Chromium driven by Playwright for Python, for the browser checks.

Helpers-free test utilities: serve a directory over http on 127.0.0.1 (a thread), open a page,
collect console errors and page errors, check that every <img> loaded, read the page text and
save screenshots into test-artifacts/ (gitignored).
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright (Python) is not installed (pip install -e '.[dev]')"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - keep pytest output clean
        pass

    def do_GET(self):
        # Chromium asks every host for /favicon.ico on its own; a page that declares no icon
        # is not broken, so answer "no content" instead of a 404 that logs a console error.
        if self.path == "/favicon.ico" and not (Path(self.directory) / "favicon.ico").exists():
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()


@contextlib.contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 (free port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class PageReport:
    """What a page did in the browser."""
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)  # src, naturalWidth, naturalHeight, complete
    links: list[str] = field(default_factory=list)  # absolute href of every <a href>
    text: str = ""
    screenshot: Path | None = None

    @property
    def broken_images(self) -> list[dict]:
        return [im for im in self.images if not im["complete"] or im["naturalWidth"] <= 0]


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A Playwright Browser on Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def inspect_page(browser, url: str, screenshot: str | None = None,
                 viewport: tuple[int, int] = (1280, 900)) -> PageReport:
    """Open `url`, wait for the network to settle, scroll to load lazy images, report."""
    report = PageReport(url=url)
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    page.on("console", lambda m: report.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: report.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: report.failed_requests.append(f"{r.url}: {r.failure}"))
    try:
        page.goto(url, wait_until="networkidle", timeout=60_000)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        # wait until every image finished (loaded or failed) so naturalWidth is final
        page.wait_for_function(
            "Array.from(document.images).every(i => i.complete)", timeout=30_000)
        report.images = page.evaluate(
            """Array.from(document.images).map(i => ({src: i.currentSrc || i.src,
                 naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight,
                 complete: i.complete}))""")
        report.links = page.evaluate("Array.from(document.links).map(a => a.href)")
        report.text = page.inner_text("body")
        if screenshot:
            ARTIFACTS.mkdir(exist_ok=True)
            report.screenshot = ARTIFACTS / screenshot
            page.screenshot(path=str(report.screenshot), full_page=True)
    finally:
        context.close()
    return report


def normalise_text(text: str) -> str:
    """Collapse whitespace and unify dashes/minus signs, for finding numbers in page text."""
    for ch in "\u2013\u2014\u2212":
        text = text.replace(ch, "-")
    return " ".join(text.replace("\u00a0", " ").split())
