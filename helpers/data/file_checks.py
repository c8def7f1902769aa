"""Diagnostics of files as they arrive from sponsors: say what is really wrong with a table.

pandas and pyreadstat read many malformed files without a word, or fail naming a symptom
("column STUDYID is missing", "utf-8 codec can't decode"). These checks run in
``helpers.data.readers.read_table`` and raise ``DataValidationError`` naming the file, and the column or
rows where there are any:

- a spreadsheet under another name (xlsx/xls magic bytes);
- CSV layout (parsed with the csv module, which pandas' reader does not expose): another
  separator, a title line above the header row, a column named twice, rows with more or fewer
  fields than the header; an empty last column from trailing delimiters is *dropped* (stated
  in :class:`CsvLayout`);
- SAS files cut short: the XPORT record structure (80-byte records, observation length from
  the NAMESTR records) and the SAS7BDAT page count in its header, which pyreadstat does not
  check;
- date columns (ADaM ``*DT``/``*DTM``) holding plain numbers, which look like SAS numeric
  dates (days since 1960-01-01) without a date format: refused, so that no data cut is
  silently ignored;
- Parquet categorical columns become their values; timezone-aware date-times become naive
  dates when they are all at midnight local time, else they are refused (the calendar date
  would depend on the timezone).
"""

from __future__ import annotations

import csv
import io
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helpers.core.errors import DataValidationError

SPREADSHEET_MAGIC = {
    b"PK\x03\x04": "an Excel workbook (.xlsx, a zip archive)",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an Excel workbook (.xls)",
}
SEPARATORS = {";": "';' (semicolon)", "\t": "a tab", "|": "'|' (pipe)"}
#: ADaM names of numeric dates and date-times (REGDT, RANDDT, ADT, DCUTDT, ...)
DATE_COLUMN = re.compile(r"DTM?$")
XPT_RECORD = 80
SAS_EPOCH = pd.Timestamp("1960-01-01")


def check_not_spreadsheet(head: bytes, path: Path) -> None:
    """Refuse a spreadsheet given under a table suffix (the first bytes of the file)."""
    for magic, what in SPREADSHEET_MAGIC.items():
        if head.startswith(magic):
            raise DataValidationError(
                f"the file is {what}, not a {path.suffix.lstrip('.').upper() or 'data'} file; "
                f"export the sheet as comma-separated CSV", file=path)


def check_file(path: Path) -> None:
    """Refuse what is not a readable regular file, saying what it is: not found, a broken
    symbolic link (and where it points), a symbolic-link loop, a directory."""
    import errno
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataValidationError("is a symbolic link loop (the links point back to each "
                                      "other), not a data file", file=path) from None
        if exc.errno == errno.ENOENT and os.path.islink(path):
            raise DataValidationError(f"is a broken symbolic link (to {os.readlink(path)}, which "
                                      "does not exist)", file=path) from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise DataValidationError("file not found", file=path) from None
        raise DataValidationError(f"cannot be read ({exc.strerror})", file=path) from None
    if stat.S_ISDIR(mode):
        raise DataValidationError("is a directory, not a data file", file=path)


# --------------------------------------------------------------------------- CSV layout
@dataclass(frozen=True)
class CsvLayout:
    """What :func:`inspect_csv` found: ``trailing_delimiters`` means every line ends in an
    empty field beyond the named columns (an empty unnamed last column), which is dropped."""

    columns: tuple[str, ...]
    trailing_delimiters: bool
    trailing_rows: int = 0  # data rows that ended in the extra delimiter

    def note(self, path: Path) -> str:
        """What the reader did about the layout, for the run's data note ("" when nothing)."""
        if not self.trailing_delimiters:
            return ""
        return (f"`{path.name}`: {self.trailing_rows} data rows end in a delimiter (an empty, "
                "unnamed last column); that column was dropped.")


def decode_text(raw: bytes, path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark allowed); otherwise an error saying so."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataValidationError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save the file as "
            f"UTF-8 CSV", file=path) from None


def inspect_csv(text: str, path: Path) -> CsvLayout:
    """Check the layout of comma-separated ``text``; raise naming what is really wrong."""
    reader = csv.reader(io.StringIO(text, newline=""))  # quoted fields may span lines
    lines = [(reader.line_num, row) for row in reader if row]
    if not lines:
        raise DataValidationError("the file is empty (no header row)", file=path)
    header_line, header = lines[0]
    data = lines[1:]
    _check_separator(header, path)
    widths = [len(row) for _n, row in data]
    common = max(set(widths), key=widths.count) if widths else len(header)
    if len(header) < common and not (len(header) == common - 1
                                      and all(row[-1].strip() == "" for _n, row in data)):
        raise DataValidationError(
            f"line {header_line} ({_shorten(','.join(header))!r}) looks like a title above "
            f"the header row: it has {len(header)} field(s), the rows below have {common}; "
            f"remove it so that the first line holds the column names", file=path)
    names = [name.strip() for name in header]
    named = sum(bool(name) for name in names)
    if data and named < len(names) / 2 and all(field.strip() for field in data[0][1]):
        raise DataValidationError(
            f"line {header_line} ({_shorten(','.join(header))!r}) looks like a title above "
            f"the header row: only {named} of its {len(names)} fields are named; remove it so "
            f"that the first line holds the column names", file=path)
    trailing = False
    trailing_rows = 0
    if len(header) == common - 1:  # data rows end in a delimiter, the header does not
        trailing = True
        trailing_rows = sum(len(row) == common for _n, row in data)
        data = [(n, row[:-1]) if len(row) == common else (n, row) for n, row in data]
    elif names and names[-1] == "" and all(len(row) == len(header) and row[-1].strip() == ""
                                           for _n, row in data):
        trailing = True  # the header too ends in a delimiter: an empty, unnamed last column
        trailing_rows = len(data)
        names = names[:-1]
        data = [(n, row[:-1]) for n, row in data]
    _check_names(names, path)
    width = len(names)
    ragged = [n - 1 for n, row in data if len(row) != width]  # 1-based data rows (header = 0)
    if ragged:
        first = next(row for n, row in data if n - 1 == ragged[0])
        raise DataValidationError(
            f"rows with {len(first)} fields where the header has {width} columns",
            file=path, rows=ragged)
    return CsvLayout(tuple(names), trailing, trailing_rows)


def _check_separator(header: list[str], path: Path) -> None:
    if len(header) > 1:
        return
    line = header[0]
    found = max(SEPARATORS, key=line.count)
    if line.count(found):
        raise DataValidationError(
            f"the separator is {SEPARATORS[found]}, not ',': the header row "
            f"{_shorten(line)!r} is one column; save the file as comma-separated CSV", file=path)


def _check_names(names: list[str], path: Path) -> None:
    blank = [i + 1 for i, name in enumerate(names) if not name]
    if blank:
        raise DataValidationError(f"column {blank[0]} of the header row has no name", file=path)
    seen: dict[str, int] = {}
    for position, name in enumerate(names, 1):
        if name in seen:
            raise DataValidationError(
                f"appears twice in the header row (columns {seen[name]} and {position}); "
                f"which one to use is ambiguous", file=path, column=name)
        seen[name] = position


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


# --------------------------------------------------------------------------- SAS files cut short
def check_xpt_complete(path: Path) -> None:
    """Refuse a SAS transport (XPORT v5/v8) file that ends mid-record or mid-observation.

    The file is a sequence of 80-byte records; the NAMESTR records give each variable's
    position and length, hence the observation length; observations follow the OBS header
    record and the last record is padded with blanks. A file cut at an observation boundary
    that is also a record boundary cannot be told from a complete one by structure alone; a
    v8 OBS header's observation count closes that gap when present.
    """
    raw = path.read_bytes()
    if not raw.startswith(b"HEADER RECORD*******LIB"):
        raise DataValidationError("not a SAS transport (XPORT) file: no library header record",
                                  file=path)
    cut = f"the file is cut short ({len(raw)} bytes"
    if len(raw) % XPT_RECORD:
        raise DataValidationError(f"{cut}, not a whole number of {XPT_RECORD}-byte records)",
                                  file=path)
    records = [raw[i:i + XPT_RECORD] for i in range(0, len(raw), XPT_RECORD)]
    try:
        member = next(i for i, r in enumerate(records) if r.startswith(b"HEADER RECORD*******MEMB"))
        namestr = next(i for i, r in enumerate(records)
                       if r.startswith((b"HEADER RECORD*******NAMESTR", b"HEADER RECORD*******NAMSTV")))
        obs = next(i for i, r in enumerate(records) if r.startswith(b"HEADER RECORD*******OBS"))
    except StopIteration:
        raise DataValidationError(f"{cut}: the header records end before the observations)",
                                  file=path) from None
    size = int(records[member][74:78] or 140)
    nvars = int(records[namestr][54:58])
    descriptors = raw[(namestr + 1) * XPT_RECORD:obs * XPT_RECORD]
    if nvars <= 0 or len(descriptors) < nvars * size:
        raise DataValidationError(f"{cut}: damaged variable descriptors)", file=path)
    obs_length = max(struct.unpack(">h", descriptors[i * size + 4:i * size + 6])[0]
                     + struct.unpack(">l", descriptors[i * size + 84:i * size + 88])[0]
                     for i in range(nvars))
    body = raw[(obs + 1) * XPT_RECORD:]
    following = re.search(rb"HEADER RECORD\*{7}MEMB", body)  # a second member: stop there
    if following and following.start() % XPT_RECORD == 0:
        body = body[:following.start()]
    complete, rest = divmod(len(body), obs_length)
    if rest and body[complete * obs_length:].strip(b" "):
        raise DataValidationError(
            f"{cut}: it ends inside observation {complete + 1}, after {complete} complete "
            f"observations of {obs_length} bytes)", file=path)
    declared = records[obs][48:63].strip()
    if declared.isdigit() and int(declared) > complete:
        raise DataValidationError(f"{cut}: {complete} of the {int(declared)} observations its "
                                  f"header announces)", file=path)


def check_sas7bdat_complete(path: Path) -> None:
    """Refuse a SAS7BDAT file shorter than its header says (header + page count x page size)."""
    with open(path, "rb") as handle:
        head = handle.read(1024)
    size = path.stat().st_size
    if len(head) < 288:
        raise DataValidationError(f"the file is cut short ({size} bytes, shorter than a "
                                  f"SAS7BDAT header)", file=path)
    u64 = head[32] == 0x33
    a1 = 4 if head[35] == 0x33 else 0
    endian = "<" if head[37] == 0x01 else ">"
    header_length, page_size = struct.unpack(endian + "II", head[196 + a1:204 + a1])
    page_count = struct.unpack(endian + ("Q" if u64 else "I"),
                               head[204 + a1:204 + a1 + (8 if u64 else 4)])[0]
    expected = header_length + page_size * page_count
    if size < expected:
        raise DataValidationError(
            f"the file is cut short ({size} bytes; its header announces {page_count} pages of "
            f"{page_size} bytes after a {header_length}-byte header, {expected} bytes)", file=path)


# --------------------------------------------------------------------------- column contents
def check_no_numeric_dates(frame: pd.DataFrame, path: Path) -> None:
    """Refuse date columns (``*DT``, ``*DTM``) that hold plain numbers.

    A SAS date is a number of days since 1960-01-01; without a date format (XPT, SAS7BDAT:
    the file's metadata, which pyreadstat applies) or as text (CSV) it arrives as a number,
    and read as a date it would fall in 1970: a data cut would then silently keep everyone.
    """
    for name in frame.columns:
        column = frame[name]
        if not DATE_COLUMN.search(str(name)) or not pd.api.types.is_numeric_dtype(column) \
                or pd.api.types.is_bool_dtype(column) or column.isna().all():
            continue
        values = column.dropna()
        example = values.iloc[0]
        rows = list(values.index[:5] + 1)
        as_date = ""
        if abs(float(example)) < 1e6:
            as_date = f" ({example:g} = {(SAS_EPOCH + pd.Timedelta(days=float(example))).date()} " \
                      f"counted from 1960-01-01)"
        raise DataValidationError(
            f"holds numbers, not dates{as_date}: they look like SAS numeric dates (days since "
            f"1960-01-01) without a date format; write ISO dates (YYYY-MM-DD) or give the "
            f"variable a SAS date format", file=path, column=str(name), rows=rows)


def plain_parquet_columns(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Categorical columns as their values; timezone-aware date-times as naive dates.

    A timezone-aware column is taken at its own wall-clock time (the timezone it carries);
    when every value is at midnight it becomes a naive date. Values with a time of day are
    refused: which calendar date they mean depends on the timezone.
    """
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            frame[name] = pd.Series(column.astype(object), index=frame.index).infer_objects()
        elif isinstance(column.dtype, pd.DatetimeTZDtype):
            local = column.dt.tz_localize(None)
            timed = local.notna() & (local != local.dt.normalize())
            if timed.any():
                rows = list(frame.index[timed][:5] + 1)
                raise DataValidationError(
                    f"timezone-aware date-times with a time of day (e.g. "
                    f"{column[timed].iloc[0]}): the calendar date depends on the timezone; "
                    f"store dates", file=path, column=str(name), rows=rows)
            frame[name] = local
    return frame
