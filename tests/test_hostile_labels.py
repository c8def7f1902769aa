"""Labels from the data or the study configuration are shown literally in every output.

The whole supplement runs on the bundled data with hostile arm labels (study configuration and
ADSL.ARM) and a hostile subgroup level (ADSL.SUBTYPE and its configured levels): script tags,
HTML event handlers, Typst/Markdown specials, a right-to-left override, a zero-width space and
Japanese. The book renders (no "unresolved reference" from an ``@`` in a label), its HTML holds
no element or attribute that came from a label (parsed with html.parser), the labels' text is
there, and the PDF's text (pdftotext) shows the labels' characters.
"""
from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import ROOT, run_supplement
from study_paths import read_study

CONTROL = "<script>alert('arm')</script> 全身療法 $x$ #h *b* \\ @home 100%"
EXPERIMENTAL = "<img src=x onerror=alert(1)> Resection [@kaplan1958] _u_ \u202eRTL\u202c z\u200bw"
LEVEL = "Triple <b onmouseover=alert(2)>neg</b> {#sec-x} @sec-x `c` ~s~ ^p^ &amp;"

#: What a reader must see of each label in the PDF's text: pdftotext gives the visual order
#: (the right-to-left override reorders "RTL") and drops or adds invisible characters.
VISIBLE = {CONTROL: [CONTROL], LEVEL: [LEVEL],
           EXPERIMENTAL: ["<img src=x onerror=alert(1)> Resection [@kaplan1958] _u_", "zw"]}
INVISIBLE = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b"))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    shutil.copytree(ROOT / "data", data)
    adsl = pd.read_csv(data / "adsl.csv", dtype=str, keep_default_na=False)
    adsl["ARM"] = adsl["ARM"].replace({"Systemic therapy alone": CONTROL,
                                       "Resection + systemic therapy": EXPERIMENTAL})
    adsl["SUBTYPE"] = adsl["SUBTYPE"].replace({"Triple negative": LEVEL})
    adsl.to_csv(data / "adsl.csv", index=False)
    (data / "SYNTHETIC.sha256").unlink()  # no longer the synthetic data as generated
    study = read_study(ROOT / "studies" / "jcog1017.yaml")
    study["arms"]["control"]["label"] = CONTROL
    study["arms"]["experimental"]["label"] = EXPERIMENTAL
    for group in study["subgroups"]:
        if group["variable"] == "SUBTYPE":
            group["levels"] = [LEVEL if v == "Triple negative" else v for v in group["levels"]]
    (base / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True), encoding="utf-8")
    run_dir = base / "run"
    report = run_supplement(run_dir, {"study": str(base / "study.yaml"), "data_dir": str(data)})
    assert not report.failed, [f.error for f in report.failed]
    from helpers.render import render_book

    render_book(base / "run.yaml")
    return run_dir


class _Elements(HTMLParser):
    """Every start tag and attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
def test_html_book_holds_no_element_or_attribute_from_a_label(hostile_run):
    pages = sorted((hostile_run / "_book").glob("*.html"))
    assert pages
    texts = []
    for page in pages:
        parser = _Elements()
        parser.feed(page.read_text(encoding="utf-8"))
        # the book's own scripts (helpers/render/book.html: Pagefind's UI and its start), no other
        scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
        assert scripts in ([], [{"src": "pagefind/pagefind-ui.js"}, {}]), (page.name, scripts)
        for tag, attrs in parser.tags:
            assert tag not in ("b", "iframe", "object"), (page.name, tag, attrs)
            handlers = [name for name in attrs if name.startswith("on")]
            assert not handlers, (page.name, tag, attrs)
            if tag == "img":  # the run's figures only
                assert attrs["src"].startswith("media/") and set(attrs) <= {"src", "style", "alt"}, attrs
        texts.append(_flat("".join(parser.text)))
    text = " ".join(texts)
    for label in (CONTROL, EXPERIMENTAL, LEVEL):  # shown, as text, with every character
        assert _flat(label) in text, label
    assert "?@" not in text  # no label was read as a cross-reference


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None,
                    reason="poppler-utils (pdftotext) is not installed; .ci/run installs it")
def test_pdf_shows_the_labels_characters(hostile_run):
    pdf = next((hostile_run / "_book").glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    # a label may wrap inside a narrow table cell (a line break, a soft hyphen): compare the
    # characters without white space
    bare = lambda t: "".join(t.translate(INVISIBLE).replace("\u00ad", "").split())  # noqa: E731
    flat = _flat(text.translate(INVISIBLE))
    for label, parts in VISIBLE.items():
        for part in parts:
            assert bare(part) in bare(text), label
    assert "?@" not in flat
