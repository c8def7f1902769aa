"""Text from data or configuration, shown literally in every output format.

An arm label, a subgroup level, an endpoint name comes from the trial's ADaM or the study
configuration: whatever it holds (``<script>``, ``$x$``, ``#``, ``@home``, a right-to-left
override) the supplement shows those characters and nothing else. Where such text is put into
Markdown (``IPython.display.Markdown``: pandoc and Quarto read it as pandoc Markdown, Jupyter as
CommonMark) it goes through :func:`md_text`. HTML tables (``DataFrame.to_html``) escape their
cells themselves (pandas' ``escape=True``); figures draw text with ``text.parse_math`` off
(``helpers.report.plots._style``), so ``$`` is never mathtext; the Typst writer of pandoc escapes what
pandoc parsed as text.

Nothing here imports beyond the standard library: every layer may use it.
"""

from __future__ import annotations

import re
import string
import unicodedata

__all__ = ["BIDI_CONTROLS", "md_code", "md_text"]

#: Unicode bidirectional formatting characters: embeddings, overrides, isolates, marks.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FSI, _PDI = "\u2068", "\u2069"  # first-strong isolate ... pop directional isolate

# The ASCII punctuation that means something in pandoc Markdown or CommonMark, inline or at the
# start of a line (emphasis, code, links, raw HTML, entities, math, citations, attributes,
# sub/superscript, tables, lists such as "1)" or "(a)", fenced divs, smart quotes, dashes and
# ellipses); both read a backslash before any ASCII punctuation as that character. Left as they
# are, being plain text anywhere: , ; ? / % =
_MD_SPECIAL = "\\`*_[]()<>$@&#{}~^|!\"'-.+:"
assert set(_MD_SPECIAL) <= set(string.punctuation)
_MD_ESCAPES = {ord(c): "\\" + c for c in _MD_SPECIAL}


def md_text(value: object) -> str:
    """``value`` (any object, through ``str``) as Markdown that shows exactly its characters.

    - Markdown's special ASCII punctuation is backslash-escaped: no emphasis, heading, list, link, raw HTML
      (``<script>``, ``<img onerror=...>``), entity (``&lt;``), math (``$``), citation or
      cross-reference (``@key``), Quarto shortcode or attribute can come from it;
    - line breaks, tabs and other control characters become a space (a label is one line:
      a blank line would end the paragraph, a ``#`` after a newline start a heading);
    - text holding bidirectional controls (e.g. U+202E RIGHT-TO-LEFT OVERRIDE) is wrapped in
      a first-strong isolate (U+2068 ... U+2069), so it cannot reorder the sentence around it;
    - other characters (letters of any script, zero-width characters) are kept as they are.
    """
    text = _one_line(value).translate(_MD_ESCAPES)
    if any(ch in BIDI_CONTROLS for ch in text):
        text = f"{_FSI}{text}{_PDI}"
    return text


def _one_line(value: object) -> str:
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in str(value))


def md_code(value: object) -> str:
    """``value`` as a Markdown code span (a file name, a column name): delimited by more
    backticks than any run inside it, control characters as spaces; shown literally."""
    text = _one_line(value)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"
