"""What a reader must never see in the book: internal names and machine values.

``reader_problems(text)`` lists the occurrences in reader-visible ``text`` (the HTML pages
without code, the PDF's text, the Word file's text) of ``True``/``None``/``nan``, ``.0000``,
snake_case or dotted keys, file paths and ``PARAMCD``. tests/test_book_outputs.py applies it to
the default, per-protocol and colon books.
"""

from __future__ import annotations

import re

#: (what, pattern) of every kind of internal text.
PATTERNS = (
    ("a Python value", re.compile(r"\b(?:True|False|None|nan|NaN)\b")),
    ("four zero decimals", re.compile(r"\.0000\b")),
    ("a snake_case key", re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")),
    ("a dotted key", re.compile(r"\b[a-z][a-z0-9]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*\b")),
    ("a file path", re.compile(r"(?<![\w.])(?:[\w-]+/)+[\w-]+\.(?:py|ya?ml|csv|ipynb|json|parquet|xpt|R)\b")),
    ("a CDISC variable name", re.compile(r"\bPARAMCD\b")),
)


def reader_problems(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Each internal text found in ``text`` with some context ("a snake_case key 'run_label'
    in '... run_label ...'"); ``allowed``: literal strings that may appear (e.g. the run's
    label on the title page, a commit hash)."""
    for item in allowed:
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
