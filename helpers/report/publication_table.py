"""The one table builder of the supplement: a table as a journal prints it, through Great Tables
(``great_tables``, the Python port of R's gt) rather than hand-made HTML.

Every table of every chapter is a pandas DataFrame (what its CSV holds; the numbers are the
ARD's ``stat_fmt``); :func:`publication_table` lays it out and :func:`book_table` gives the
HTML the book shows and the notes printed under it. What the DataFrame says decides the layout:

- **stub**: a named index (one level) or the first column, left-aligned; no index column and no
  spare header row of pandas. A two-level index is a row group (level 0: "Age, years",
  "Sex") over its levels (level 1: "n", "Mean (SD)", "Female"), in the order of the rows (the
  producers give clinical order). ``attrs["groups"]``: a column holding the row group instead
  (the subgroup table's "Subgroup" over its "Level"); a row with no level is a row of its own.
- **indented levels**: leading spaces of a stub label ("    Progression ...") indent it one
  level per four spaces (at least one), an em space one level; a row group's levels are
  indented one level.
- **column spanners**: a two-level column index (arm over its grade bands), or
  ``attrs["spanners"]``: ``{spanner: {column: label}}`` (the secondary endpoints' "Arm A" over
  "Events/N" and "Median").
- **footnote marks**: a footnote ``"a Stratified by ..."`` of ``attrs["footnotes"]`` whose
  letter ends a cell ("Stratified Cox a") becomes Great Tables' ``tab_footnote`` on that cell:
  a superscript mark, its text under the table (Great Tables orders the marks). Other notes
  and the population, data cut and data sources are ``tab_source_note``\\ s.
- **alignment**: columns of numbers right-aligned and aligned on their decimal marks part by
  part (:func:`align_decimals`: "0.87 (0.72–1.05)", "12 (5.9%)", "< 0.0001" line up number
  by number as a journal sets them), text left-aligned. The PDF wraps them only at a space
  (``quarto_syntax.lua``).

The HTML of Great Tables is rewritten to the subset pandoc keeps on its way to the PDF
(Typst) and Word: marks as ``<sup>``, indentation as em spaces, alignment as ``text-align``
styles, row-group headings as full-width cells, no ``<tfoot>`` (pandoc would make it a Typst
table footer repeated on every page): the notes follow the table as Markdown, kept with it by
the renderer (``helpers/render/quarto_syntax.lua``).
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = ["BookTable", "align_decimals", "book_table", "publication_table"]

#: A footnote of ``attrs["footnotes"]`` that names its mark: "a Stratified by ER."
MARKED_NOTE = re.compile(r"^([a-z]) (.+)$", re.S)
EM_SPACE = "\u2003"

#: Blanks standing for characters of a wider cell, as wide as them in the HTML's font and
#: exactly so in the PDF (supplement.typ shows each in a table as that character, hidden):
#: a figure space for a digit (or a character without a blank of its own), a punctuation
#: space for a full stop, a three-per-em space for a parenthesis, an em quad for "%".
FIGURE_SPACE = "\u2007"
PUNCTUATION_SPACE = "\u2008"
GHOSTS = {".": PUNCTUATION_SPACE, "(": "\u2004", ")": "\u2004", "%": "\u2001", " ": "\u00a0"}

#: A cell that is a number as printed: "0.87", "< 0.0001", "178 (86.8%)", "−2.1 to 4.4", "–".
NUMBER_CELL = re.compile(r"^\s*([<>≤≥]\s*)?[−\-–]?\d|^\s*[–—-]?\s*$|^\s*NE\b")


@dataclass(frozen=True)
class BookTable:
    """A table as the book shows it: ``html`` (the table, pandoc's HTML subset) and ``notes``
    (plain text lines under it: each footnote with its ``mark``, then the source notes)."""

    html: str
    notes: tuple[tuple[str, str], ...]  # (mark or "", text)


def _cell_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every cell as the text pandas prints (floats in pandas' own column format: the same
    digits as the former ``to_html``), missing values empty."""
    out = {}
    for column in df.columns:
        series = df[column]
        if pd.api.types.is_float_dtype(series) and series.notna().any():
            printed = series.to_string(index=False, na_rep="").split("\n")
            out[column] = [text.strip() if pd.notna(v) else "" for text, v in zip(printed, series)]
        else:
            out[column] = [_cell_text(v) for v in series]
    return pd.DataFrame(out, columns=df.columns)


#: One number of a cell as printed: integer digits, decimals, or "NE" (not estimable).
_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?|NE")
#: A sign or comparison belonging to the number after it ("< 0.0001", "−2.1", "(-0.5").
_SIGN = re.compile(r"(?:^|(?<=[\s(]))(?:[<>≤≥]\s?|[−-])$")


#: A number joined to the one before it: the upper limit of a range, the denominator of n/N.
_JOINED = re.compile(r"(?:[–/]| to )\s?[−-]?$")


def _ghost(text: str) -> str:
    """Blank space as wide as ``text`` (``GHOSTS``; a no-break space for a space)."""
    return "".join(GHOSTS.get(c, FIGURE_SPACE) for c in text)


def _parts(value: str):
    """"12 (5.9%)" -> (["", " ("], ["12", "5"], [None, "9"], "%)"); None when the cell is
    prose (letters after its last number, or a long worded separator): no number column."""
    texts, ints, decimals, at = [], [], [], 0
    for match in _NUMBER.finditer(value):
        texts.append(value[at:match.start()])
        ints.append(match.group(1) or match.group(0))
        decimals.append(match.group(2))
        at = match.end()
    tail = value[at:]
    if re.search(r"[A-Za-z]", tail) or any(re.search(r"[A-Za-z]", t) and len(t) > 6 for t in texts):
        return None
    return texts, ints, decimals, tail


def _align_group(parsed: dict, members: list[int], out: list[str]) -> None:
    """Pad the cells ``members`` of ``parsed`` (cells of one shape) into ``out``."""
    cells = [parsed[i] for i in members]
    slots = max(len(p[1]) for p in cells)
    texts_w, digits_w, decimals, marked = [], [], [], []
    for k in range(slots):
        having = [p for p in cells if len(p[1]) > k]
        texts_w.append(max((p[0][k] for p in having), key=len))
        digits_w.append(max(len(p[1][k]) for p in having))
        decimals.append(max(len(p[2][k] or "") for p in having))
        marked.append(any(p[2][k] is not None for p in having))
    for i in members:
        texts, ints, fractions, tail = parsed[i]
        cell, deferred = "", ""
        for k, (text, digits, fraction) in enumerate(zip(texts, ints, fractions)):
            pad = (_ghost(texts_w[k][: max(len(texts_w[k]) - len(text), 0)])
                   + FIGURE_SPACE * (digits_w[k] - len(digits)))
            # the pad goes before a sign ("< 0.0001", "−2.1") or the digits, after the text
            # before them ("( 5.9%)"); the first number's at the cell's start; none after a
            # range's dash or a slash ("0.8–1.0", "45/67", not "0.8– 1.0"): the cell's end
            # takes it up
            sign = _SIGN.search(text)
            cut = 0 if k == 0 else sign.start() if sign else len(text)
            joined = bool(k and _JOINED.search(text))
            if joined:
                deferred, pad = deferred + pad, ""
            cell += text[:cut] + pad + text[cut:] + digits
            if fraction is not None:
                decimal_pad = FIGURE_SPACE * (decimals[k] - len(fraction))
                cell += "." + fraction
            else:  # an integer or "NE" among decimals: blanks for the mark and decimals
                decimal_pad = (PUNCTUATION_SPACE + FIGURE_SPACE * decimals[k]) if marked[k] else ""
            if joined:  # "95.9–NE)", not "95.9–NE   )"
                deferred += decimal_pad
            else:
                cell += decimal_pad
        out[i] = cell + tail + deferred
    width = max(len(out[i]) for i in members)
    longest = next(out[i] for i in members if len(out[i]) == width)
    for i in members:  # a cell with fewer numbers ("0" under "12 (5.9%)"): as wide as the widest
        out[i] += _ghost(longest[len(out[i]):])


def align_decimals(values: Sequence[str]) -> list[str]:
    """The cells of one column of numbers padded so that they line up number by number on
    the decimal mark when right-aligned, as journals set them. Cells of one shape (the same
    text between and after their numbers: every "n (x%)", every "HR (lower–upper)") are
    aligned together: the k-th number of each ("0.87", "0.72", "1.05" of "0.87 (0.72–1.05)";
    "12" and "5.9" of "12 (5.9%)") has its integer digits padded on the left (before a sign
    or "<", after the text before it: "( 5.9%)") and its decimals on the right, with blanks
    as wide as what they stand for (``_ghost``: figure spaces for digits, a punctuation space
    for a missing decimal mark), and each cell is padded to the width of the widest. Cells of
    several numbers are of one shape only when printed at one precision (a time-to-event
    summary's medians and hazard ratios in one column are not aligned with each other); a
    bare count ("0", "205") joins the commonest shape whose first number is a count ("0" and
    the "n" row under the counts of "12 (5.9%)"); bare numbers otherwise align among
    themselves (p-values at 2 to 4 decimals on their decimal marks); other shapes (a baseline
    table's "Mean (SD)" among its "n (%)" rows) are aligned among themselves. Cells without a digit ("", "–") are left as
    they are, and so is a column with prose after a number ("0.15 (one-sided log-rank)").
    Our own because Great Tables' ``cols_align_decimal`` (R gt's ``align_to_char``) aligns
    only the first number of a numeric column, and these cells are printed text with several
    numbers each (the ARD's ``stat_fmt``)."""
    parsed = {}
    for i, value in enumerate(values):
        if re.search(r"\d", value):
            parts = _parts(value)
            if parts is None:
                return list(values)
            parsed[i] = parts
    groups: dict[tuple, list[int]] = {}
    for i, (texts, ints, decimals, tail) in parsed.items():
        bare = len(ints) == 1 and not tail
        # a power's digits ("×10⁻¹⁶", "×10⁻⁹") do not make another shape; numbers of several
        # (an estimate with its CI) are of one shape when printed at one precision ("76.0
        # (68.1–89.0)" and "0.92 (0.73–1.18)" are different statistics), "NE" at any
        precision = () if bare else tuple("*" if n == "NE" else len(d or "")
                                          for n, d in zip(ints, decimals))
        groups.setdefault((tuple(texts[1:]), re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]", "", tail), precision),
                          []).append(i)
    for shape in [s for s in groups if "*" in s[2]]:  # "NE (133.6–NE)" with "62.4 (48.2–74.6)"
        alike = [o for o in groups if o != shape and o[:2] == shape[:2] and "*" not in o[2]
                 and len(o[2]) == len(shape[2])
                 and all(a == "*" or a == b for a, b in zip(shape[2], o[2]))]
        if alike:
            groups[max(alike, key=lambda o: len(groups[o]))] += groups.pop(shape)
    # a bare count ("0", the "n" row's "205") under the counts of the commonest shape of
    # several numbers whose first is a count ("12 (5.9%)")
    counts = [o for o in groups if o[2] and o[2][0] == 0]
    bare_counts = [i for i in groups.get(((), "", ()), []) if not parsed[i][2][0]
                   and parsed[i][1][0] != "NE"]
    if counts and bare_counts:
        groups[max(counts, key=lambda o: len(groups[o]))] += bare_counts
        rest = [i for i in groups.pop(((), "", ())) if i not in bare_counts]
        if rest:
            groups[((), "", ())] = rest
    out = list(values)
    for members in groups.values():
        if len(members) > 1:
            _align_group(parsed, sorted(members), out)
    return out


def _flat(df: pd.DataFrame) -> tuple[pd.DataFrame, str, str | None, dict, str]:
    """(frame with unique string columns, stub column, group column or None, spanners
    ``{spanner: {column: label}}``, stubhead label)."""
    frame = df.copy()
    spanners: dict = {}
    if isinstance(frame.columns, pd.MultiIndex):
        columns = []
        for top, *rest in frame.columns:
            key = f"{top} / {' / '.join(map(str, rest))}"
            spanners.setdefault(str(top), {})[key] = " / ".join(map(str, rest))
            columns.append(key)
        frame.columns = columns
    else:
        frame.columns = [str(c) for c in frame.columns]
        for spanner, members in (df.attrs.get("spanners") or {}).items():
            spanners[spanner] = {str(c): label for c, label in members.items() if str(c) in frame}
    group = None
    if isinstance(frame.index, pd.MultiIndex):
        names = [n or "" for n in frame.index.names]
        group, stub = f"_group:{names[0]}", f"_stub:{names[1]}"
        frame.index = frame.index.set_names([group, stub, *names[2:]])
        frame = frame.reset_index()
        stubhead = names[0]
    elif not isinstance(frame.index, pd.RangeIndex) or frame.index.name:
        name = frame.index.name or ""
        stub = f"_stub:{name}"
        frame = frame.rename_axis(stub).reset_index()
        stubhead = name
    else:
        stub = frame.columns[0]
        stubhead = stub
        if df.attrs.get("groups") in frame.columns:
            group = df.attrs["groups"]
            stub = next(c for c in frame.columns if c != group)
            stubhead = group
    return frame, stub, group, spanners, stubhead


def _marks(frame: pd.DataFrame, notes: Sequence[str]) -> tuple[list, list[str]]:
    """Footnotes naming a mark that ends a cell -> [(text, row, column)] with the mark taken
    off the cell; the other notes as they are."""
    marked, rest = [], []
    for note in notes:
        match = MARKED_NOTE.match(note)
        places = []
        if match:
            end = f" {match.group(1)}"
            for column in frame.columns:
                for i, value in enumerate(frame[column]):
                    if isinstance(value, str) and value.endswith(end) and len(value) > len(end):
                        places.append((i, column))
        if not places:
            rest.append(note)
            continue
        for i, column in places:
            frame.at[i, column] = frame.at[i, column][: -len(match.group(1)) - 1]
            marked.append((match.group(2), i, column))
    return marked, rest


def publication_table(df: pd.DataFrame, source_notes: Sequence[str] = ()):
    """``df`` as a Great Tables ``GT`` (layout: the module's docstring): the footnotes of
    ``df.attrs["footnotes"]`` marked where they name a cell, ``source_notes`` (population,
    data cut, "Source: ADSL, ADTTE") after the table's unmarked notes."""
    from great_tables import GT, loc

    frame, stub, group, spanners, stubhead = _flat(df)
    frame = _as_text(frame)
    marked, unmarked = _marks(frame, [n for n in df.attrs.get("footnotes", []) if n])
    indent = [0] * len(frame)
    for i, label in enumerate(frame[stub]):
        prefix = label[: len(label) - len(label.lstrip())]  # spaces, or em spaces (4 each)
        spaces = prefix.count(" ") + 4 * (len(prefix) - prefix.count(" "))
        indent[i] = -(-spaces // 4) if spaces else 0
        frame.at[i, stub] = label.strip()
    if group is not None:
        for i in range(len(frame)):
            if frame.at[i, stub] == "":  # a group without levels ("All patients"): its own row
                frame.at[i, stub], frame.at[i, group] = frame.at[i, group], ""
            else:
                indent[i] += 1
    numeric = [c for c in frame.columns if c not in (stub, group)
               and all(NUMBER_CELL.match(v) for v in frame[c])]
    for column in numeric:
        frame[column] = align_decimals(list(frame[column]))
    table = GT(frame, rowname_col=stub, groupname_col=group)
    if stubhead and not stubhead.startswith("_"):
        table = table.tab_stubhead(stubhead)
    for spanner, members in spanners.items():
        if members:
            table = table.tab_spanner(spanner, columns=list(members))
            table = table.cols_label(**{c: label for c, label in members.items()})
    left = [c for c in frame.columns if c not in numeric and c not in (stub, group)]
    if numeric:
        table = table.cols_align("right", columns=numeric)
    if left:
        table = table.cols_align("left", columns=left)
    for level in sorted(set(indent) - {0}):
        table = table.tab_stub_indent(rows=[i for i, n in enumerate(indent) if n == level],
                                      indent=level)
    for text, row, column in marked:
        where = loc.stub(rows=[row]) if column == stub else loc.body(columns=[column], rows=[row])
        table = table.tab_footnote(text, locations=where, placement="right")
    for note in [*unmarked, *source_notes]:
        table = table.tab_source_note(note)
    return table.opt_footnote_marks("letters").sub_missing(missing_text="")


_MARK = re.compile(r'<span class="gt_footnote_marks"[^>]*>(.*?)</span>', re.S)
_ALIGN = re.compile(r'<t([hd])([^>]*?)class="([^"]*\bgt_(left|right|center)\b[^"]*)"')
_INDENT = re.compile(r'(<t[hd][^>]*class="[^"]*\bgt_indent_(\d)\b[^"]*"[^>]*>)')
_TAG = re.compile(r"<[^>]+>")


def _text_of(fragment: str) -> str:
    return html_lib.unescape(_TAG.sub("", fragment)).strip()


def book_table(gt) -> BookTable:
    """The HTML of ``gt`` as the book takes it (pandoc's subset: the module's docstring) and
    its notes: footnotes with their marks (Great Tables' order), then source notes."""
    raw = gt.as_raw_html()
    table = raw[raw.index("<table"): raw.rindex("</table>") + len("</table>")]
    foot = re.search(r"<tfoot.*?</tfoot>", table, re.S)
    notes: list[tuple[str, str]] = []
    sources: list[tuple[str, str]] = []
    if foot:
        for row in re.findall(r"<tr class=\"gt_(footnotes|sourcenotes)\">(.*?)</tr>", foot.group(0), re.S):
            kind, cell = row
            mark = _MARK.search(cell)
            if kind == "footnotes":
                notes.append((_text_of(mark.group(1)) if mark else "",
                              _text_of(_MARK.sub("", cell, count=1))))
            else:
                sources.append(("", _text_of(cell)))
        table = table.replace(foot.group(0), "")
    table = _MARK.sub(r"<sup>\1</sup>", table)
    table = _INDENT.sub(lambda m: m.group(1) + EM_SPACE * int(m.group(2)), table)
    table = _ALIGN.sub(lambda m: f'<t{m.group(1)}{m.group(2)}class="{m.group(3)}" '
                                 f'style="text-align: {m.group(4)}"', table)
    # a row group's heading: a full-width body cell (a <th> would make pandoc start a new
    # table head there); an empty one (a row of its own) is dropped
    table = re.sub(r'<tr class="gt_group_heading_row">\s*<th class="gt_group_heading" colspan="(\d+)"[^>]*>\s*</th>\s*</tr>',
                   "", table)
    table = re.sub(r'<tr class="gt_empty_group_heading">.*?</tr>', "", table, flags=re.S)
    table = re.sub(r'<th class="gt_group_heading" colspan="(\d+)"[^>]*>(.*?)</th>',
                   r'<td class="gt_group_heading" colspan="\1" style="text-align: left">\2</td>',
                   table, flags=re.S)
    # the column labels and spanners bold in every output (Typst bolds only a first row)
    head = re.search(r"<thead>.*?</thead>", table, re.S)
    if head:
        table = table.replace(head.group(0), re.sub(
            r"(<th(?:\s[^>]*)?>)\s*(.*?)\s*(</th>)",
            lambda m: f"{m.group(1)}<strong>{m.group(2)}</strong>{m.group(3)}" if m.group(2) else m.group(0),
            head.group(0), flags=re.S))
    # a row label is a body cell (pandoc would print a column of <th> as bold row heads)
    table = re.sub(r'<th scope="row"([^>]*)>(.*?)</th>', r'<td\1>\2</td>', table, flags=re.S)
    table = re.sub(r'\s(id|headers)="[^"]*"', "", table)
    table = re.sub(r"<table[^>]*>", '<table class="gt_table">', table, count=1)
    return BookTable(html=table, notes=tuple(notes + sources))
