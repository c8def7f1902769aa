"""What a reader must never see in the book: internal names and machine values.

``reader_problems(text)`` lists the occurrences in reader-visible ``text`` (the HTML pages
without code, the PDF's text, the Word file's text) of ``True``/``None``/``nan``, ``.0000``,
snake_case or dotted keys (``results.os.hr``, and two-part ones such as ``study.trials``),
file paths, ``PARAMCD``, ADaM flag variables (``SAFFL``, ``ADSL.PPROTFL``) and variable=value
conditions (``ER=Positive``), a Markdown escape shown (``\\+``). ``inline_code_problems(html)`` lists the inline code of a
page's prose (``<code>`` outside code blocks and folded code) that names an ADaM variable or
a run parameter (the study text's "ADSL `SAFFL`", "the `population` parameter"): prose may
show code only where code is shown. tests/test_book_outputs.py applies both to the default,
per-protocol and colon books.
"""

from __future__ import annotations

import html as html_lib
import re

from helpers.config.params import SPECS

#: File name endings and web domains a two-part dotted name may end with: a file name the book
#: must show ("adsl.xpt" with its checksum) or a site ("doi.org") is not a configuration key.
FILE_ENDINGS = ("xpt", "csv", "parquet", "sas7bdat", "json", "yaml", "yml", "pdf", "docx",
                "html", "zip", "txt", "org", "com", "net", "io", "gov", "edu")
#: R functions the methods name as R spells them (with a dot): a reader can look them up.
R_FUNCTIONS = ("cox.zph", "survfit.formula")

#: ADaM IG variables a book might leak (a footnote's "CNSR: the ADaM censoring code").
ADAM_NAMES = ("CNSR", "CNSDTDSC", "EVNTDESC", "USUBJID", "SUBJID", "STUDYID", "AVAL", "AVALC",
              "AVALU", "PARAMN", "ARMCD", "ACTARMCD", "AEDECOD", "AEBODSYS", "AETOXGR",
              "ATOXGR", "AESER", "AEREL", "DCUTDT", "RANDDT", "TRTSDT", "TRTEDT", "DTHDT",
              "STARTDT")

#: (what, pattern) of every kind of internal text.
PATTERNS = (
    ("a Python value", re.compile(r"\b(?:True|False|None|nan|NaN)\b")),
    ("four zero decimals", re.compile(r"\.0000\b")),
    ("a snake_case key", re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")),
    ("a dotted key", re.compile(r"\b[a-z][a-z0-9]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*\b")),
    # two parts of at least two letters each ("study.trials", "populations.safety"): not
    # "e.g.", "i.e.", "1.5", "Fig. 2", nor a file name or site of FILE_ENDINGS
    ("a dotted key", re.compile(r"(?<![\w./-])[a-z][a-z0-9_]+\.(?!(?:%s)\b)[a-z][a-z0-9_]+\b(?![.\w])"
                                % "|".join(FILE_ENDINGS))),
    ("a file path", re.compile(r"(?<![\w.])(?:[\w-]+/)+[\w-]+\.(?:py|ya?ml|csv|ipynb|json|parquet|xpt|R)\b")),
    ("a CDISC variable name", re.compile(r"\bPARAMCD\b")),
    # ADaM flags end in FL (SAFFL, ITTFL, PPROTFL, SURGFL); a dataset's variable: ADSL.AGE;
    # the ADaM IG's own names no reader's abbreviation shares (not ADT, ARM, AGE)
    ("an ADaM variable name", re.compile(r"\b[A-Z][A-Z0-9]{1,5}FL\b|\bAD[A-Z]{2,6}\.[A-Z][A-Z0-9]*\b"
                                         r"|\bTRT\d\d[PA]N?\b|\b(?:%s)\b" % "|".join(ADAM_NAMES))),
    ("a variable=value condition", re.compile(r"\b[A-Z][A-Z0-9]{1,7}=[\w+-]")),
    # Markdown escaped twice shows its backslash ("Resection \+ systemic therapy")
    ("a Markdown escape", re.compile(r"\\[-+()<>*_\[\]#`.!{}|~@$&]")),
)

#: Inline code naming an ADaM variable: an upper-case name of 2 to 8 letters and digits
#: (SAFFL, TRT01P, AVAL), a dataset's variable (ADSL.SAFFL) or a condition (PARAMCD=OS).
_ADAM_CODE = re.compile(r"^(?:AD[A-Z]{2,6}\.)?[A-Z][A-Z0-9]{1,7}(?:\s*=.*)?$")


def reader_problems(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Each internal text found in ``text`` with some context ("a snake_case key 'run_label'
    in '... run_label ...'"); ``allowed``: literal strings that may appear (e.g. the run's
    label on the title page, a commit hash)."""
    for item in (*allowed, *R_FUNCTIONS):
        text = text.replace(item, " ")
    # web addresses (a reference's URL, https://www.jstor.org/stable/...) are for readers;
    # the PDF may break one after a slash
    text = re.sub(r"\bhttps?://\S*/\s+[\w./-]+|\bhttps?://\S+", " ", text)
    found = []
    for what, pattern in PATTERNS:
        for match in pattern.finditer(text):
            context = " ".join(text[max(0, match.start() - 50):match.end() + 50].split())
            found.append(f"{what} {match.group(0)!r} in '{context}'")
    return found


def inline_code_problems(page: str) -> list[str]:
    """Inline code in the prose of an HTML ``page`` (``<code>`` outside ``<pre>`` blocks and
    folded code) that names an ADaM variable ("ADSL `SAFFL`") or a run parameter ("the
    `population` parameter"), with some context: words belong there, code only where the
    book shows code."""
    page = re.sub(r'<details class="code-fold">.*?</details>|<pre\b.*?</pre>', " ", page, flags=re.S)
    found = []
    for match in re.finditer(r"<code\b[^>]*>(.*?)</code>", page, flags=re.S):
        code = html_lib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()
        what = ("an ADaM variable name" if _ADAM_CODE.match(code) else
                "a parameter name" if code in SPECS else None)
        if what:
            context = re.sub(r"<[^>]+>", "", page[max(0, match.start() - 120):match.end() + 80])
            found.append(f"{what} in code {code!r} in '{' '.join(html_lib.unescape(context).split())}'")
    return found
