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
- **alignment**: columns of numbers right-aligned (the HTML book does not wrap them, the PDF
  wraps them only at a space: ``quarto_syntax.lua``), text left-aligned.

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

__all__ = ["BookTable", "book_table", "publication_table"]

#: A footnote of ``attrs["footnotes"]`` that names its mark: "a Stratified by ER."
MARKED_NOTE = re.compile(r"^([a-z]) (.+)$", re.S)
EM_SPACE = "\u2003"

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
