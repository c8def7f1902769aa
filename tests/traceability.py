"""Traceability of printed numbers: every number a reader sees in a notebook's prose and
tables must be a number of that notebook's analysis results data (docs/ard.md) as printed
(``stat_fmt``), a level or CI level the ARD names, the run's data cut, or one of a short
list of structural numbers. Used by ``tests/test_traceability.py``.

The number rules are those of the R QC's printed-number check (``validation/qc/R/printed.R``),
so both sides agree on what a number is: tokens like ``0.87``, ``-19.4``, ``100.0`` (U+2212
counts as a minus sign; a hyphen or en dash right after a digit separates a range, so
``0.69-1.09`` is two numbers); digits inside a word, also after a hyphen that follows one
(``T1``, ``HER2``, ``MF07-01``, ``T1-2``, ``lancet_oncol_2015``), are not numbers; tokens compare as printed text (``62.0`` is not ``62``).

What a reader sees of an executed notebook (``RUN/notebooks/NN_name.ipynb``): its markdown
cells (without code spans, links' targets, HTML comments and Quarto ``{#...}``/``{...}``
attributes) and the ``text/markdown`` and ``text/html`` outputs of its code cells (display
data and results; HTML as its text, without tags and attributes). Code, ``text/plain`` reprs
and images are not prose.
"""

from __future__ import annotations

import csv
import html
import json
import math
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["Printed", "allowed_numbers", "number_tokens", "notebook_prose", "table_cells",
           "structural", "untraced"]

NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(?<![A-Za-z0-9_]-)-?[0-9]+(?:\.[0-9]+)?(?![A-Za-z0-9_])")
#: A number followed by a hyphen: a range ("0.69-1.09"), the hyphen is no minus sign.
RANGE = re.compile(r"(?<![A-Za-z0-9_.])([0-9]+(?:\.[0-9]+)?)-")

#: Structural numbers, each by its shape and the words before it (not statistics):
#: cross-reference numbers ("Chapter 3", "Table 3.2", "Figures 3.1 and 3.2", "Section 3.1"),
#: years of a citation ("Soran et al. 2018", "(Soran 2018)", "Lancet Oncol 2015") and the
#: CTCAE and MedDRA versions ("CTCAE v4.0", "CTCAE version 5.0", "MedDRA version 26.0"; the
#: study configuration's, in the AE tables' footnotes).
STRUCTURAL = (
    ("cross-reference",
     re.compile(r"^[1-9][0-9]?(?:\.[1-9][0-9]?)*$"),
     re.compile(r"\b(?:Chapter|Section|Table|Figure|Appendix)s?\s+"
                r"(?:[1-9][0-9.]*(?:,\s*|\s+and\s+|\s*[-–]\s*))*$", re.I)),
    ("citation year",
     re.compile(r"^(?:19|20)[0-9]{2}$"),
     re.compile(r"(?:\bet al\.?,?|\b[A-Z][A-Za-z-]+,?)\s*\(?$")),
    ("CTCAE version",
     re.compile(r"^[1-9](?:\.[0-9])?$"),
     re.compile(r"\bCTCAE\s*(?:v|version\s*)$")),
    ("MedDRA version",
     re.compile(r"^[1-9][0-9]?(?:\.[0-9])?$"),
     re.compile(r"\bMedDRA\s*(?:v|version\s*)$")),
    ("significance threshold of the wording",
     re.compile(r"^0\.05$"),
     re.compile(r"(?:<|\bbelow|\bunder)\s*$")),
)

#: Bibliographic references in source notes (``2015;16(13):1380-8``, ``41(16 suppl):523``,
#: "online 9 Sep 2015"): removed before numbers are read.
BIBLIOGRAPHIC = re.compile(
    r"\b(?:19|20)[0-9]{2};\s*[0-9]+(?:\s*\([^)]*\))?:\s*[0-9]+(?:[-–][0-9]+)?"
    r"|\b[0-9]{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (?:19|20)[0-9]{2}\b")


@dataclass(frozen=True)
class Printed:
    """One number as printed: where (``RUN``-relative file, cell or row/column) and its text."""
    where: str
    number: str
    text: str


def number_tokens(text: str) -> list[str]:
    """The number tokens of ``text`` (the module docstring's rules)."""
    return [token for token, _ in _spans(text)]


def _spans(text: str) -> Iterator[tuple[str, str]]:
    """(token, the text before it) of every number of ``text``."""
    clean = RANGE.sub(r"\1 ", text.replace("\u2212", "-"))  # 0.69-1.09: not -1.09
    for match in NUMBER.finditer(clean):
        yield match.group(0), clean[:match.start()]


def structural(token: str, before: str) -> bool:
    """True when ``token``, preceded by ``before``, is a structural number (``STRUCTURAL``:
    its shape and the words right before it), not a statistic."""
    tail = before[-60:]
    return any(shape.match(token) and context.search(tail) for _, shape, context in STRUCTURAL)


def allowed_numbers(rows: Iterable[dict]) -> set[str]:
    """The printed numbers a notebook's ARD rows justify: tokens of ``stat_fmt``, of the
    group and variable levels (landmark "36", grade "3"), of the data cut ("2020", "06",
    "30" of 2020-06-30), and CI levels as percentages ("90" of 0.90, as ``%g``)."""
    allowed: set[str] = set()
    for row in rows:
        for column in ("stat_fmt", "group1_level", "group2_level", "variable_level", "data_cut"):
            value = row.get(column)
            if isinstance(value, str) and value:
                allowed.update(number_tokens(value))
        level = row.get("conf_level")
        try:
            level = float(level)
        except (TypeError, ValueError):
            continue
        if not math.isnan(level):
            allowed.add(f"{100 * level:g}")
    return allowed


class _Text(HTMLParser):
    """The text of an HTML fragment (cells separated), without tags, attributes, scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        self.parts.append(" | ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def markdown_text(source: str) -> str:
    """What a reader sees of Markdown: without HTML comments, code, link targets, Quarto
    attributes (``{#sec-x}``, ``{.callout}``), cross-references (``@fig-km-os``) and
    citation keys (``[@soran2018]``); backslash-escaped punctuation as the character."""
    text = re.sub(r"<!--.*?-->", " ", source, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "] ", text)  # [label](target): keep the label
    text = re.sub(r"\{[#.][^}]*\}", " ", text)
    text = re.sub(r"@[A-Za-z0-9_:.-]+", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)  # inline HTML tags
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)  # backslash escapes: "0\.77" reads 0.77
    return BIBLIOGRAPHIC.sub(" ", html.unescape(text))


def _source(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def notebook_prose(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every piece of reader-visible prose of an executed notebook."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for index, cell in enumerate(nb.get("cells", []), start=1):
        if cell.get("cell_type") == "markdown":
            out.append((f"{path.name} cell {index} (markdown)", markdown_text(_source(cell["source"]))))
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                out.append((f"{path.name} cell {index} (Markdown output)",
                            markdown_text(_source(data["text/markdown"]))))
            elif "text/html" in data:
                out.append((f"{path.name} cell {index} (HTML output)",
                            html_text(_source(data["text/html"]))))
    return out


#: A whole cell that is a citation label, an author (or body) and a year ("Villacampa 2024",
#: "JCMT 2023", "Soran et al. 2018"): its year is no statistic (QC's CITATION_LABEL).
CITATION_LABEL = re.compile(r"^[A-Z][A-Za-z'-]+( et al\.)? (19|20)[0-9]{2}$")


def table_cells(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every cell of a table CSV, header rows included (as QC reads it);
    citation labels are left out."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return [(f"{path.parent.name}/{path.name} row {i} column {j}", cell)
            for i, row in enumerate(rows, start=1) for j, cell in enumerate(row, start=1)
            if not CITATION_LABEL.match(cell)]


def untraced(pieces: Iterable[tuple[str, str]], allowed: set[str],
             structure: bool = True) -> list[Printed]:
    """The numbers of ``pieces`` that are not ``allowed`` (nor, with ``structure``,
    structural: prose only; tables take no exemption, as QC reads them)."""
    missing = []
    for where, text in pieces:
        for token, before in _spans(text):
            if token in allowed or (structure and structural(token, before)):
                continue
            missing.append(Printed(where, token, " ".join(text.split())[:160]))
    return missing
