"""Files as sponsors send them (issue 10): each malformed file is refused by
``helpers.data.readers.read_table`` with a message naming the file, the column or rows and the real
cause, or read correctly where the meaning is unambiguous; reading never writes anything.
Every file is generated here."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from helpers.data.trial_data import load_trial_data
from helpers.core.errors import DataValidationError
from helpers.data.readers import FORMATS, read_table
from helpers.data.schemas import SCHEMAS, validate

DATA = Path(__file__).resolve().parents[1] / "data"
IRIS = Path(__file__).resolve().parent / "fixtures" / "sas" / "iris.sas7bdat"
CLEAN = "USUBJID,AVAL,CNSR\n001,12.5,0\n002,30.25,1\n003,7,0\n"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def refused(path: Path, *parts: str) -> DataValidationError:
    """read_table(path) raises naming the file and every part; nothing is written."""
    before = files(path.parent)
    with pytest.raises(DataValidationError) as info:
        read_table(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    for part in parts:
        assert part in message, message
    assert files(path.parent) == before
    return info.value


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_read_table_is_still_importable_with_its_formats():
    assert FORMATS[".csv"] == "csv" and set(FORMATS) == {".csv", ".parquet", ".xpt", ".sas7bdat"}


# --------------------------------------------------------------------------- CSV layout
@pytest.mark.parametrize("separator, said", [(";", "the separator is ';' (semicolon), not ','"),
                                             ("\t", "the separator is a tab, not ','")])
def test_other_separator_is_named(tmp_path, separator, said):
    path = write(tmp_path, "adtte.csv", CLEAN.replace(",", separator))
    refused(path, said, "save the file as comma-separated CSV")


def test_semicolon_adsl_is_reported_as_separator_not_missing_column(tmp_path):
    adsl = pd.read_csv(DATA / "adsl.csv", dtype=str, keep_default_na=False)
    data = tmp_path / "data"
    data.mkdir()
    for table in ("adtte", "adae"):
        (data / f"{table}.csv").write_bytes((DATA / f"{table}.csv").read_bytes())
    adsl.to_csv(data / "adsl.csv", sep=";", index=False)
    with pytest.raises(DataValidationError, match="the separator is ';'") as info:
        load_trial_data(data)
    assert info.value.file == str(data / "adsl.csv") and "missing" not in str(info.value)


def _xlsx_bytes(tmp_path: Path) -> bytes:
    """A minimal workbook (the parts every .xlsx has), built without a spreadsheet library."""
    path = tmp_path / "book.zip"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        book.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        book.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
    data = path.read_bytes()
    path.unlink()
    return data


def test_excel_workbook_named_csv(tmp_path):
    path = write(tmp_path, "adsl.csv", _xlsx_bytes(tmp_path))
    refused(path, "the file is an Excel workbook (.xlsx, a zip archive), not a CSV file",
            "export the sheet as comma-separated CSV")


def test_old_excel_workbook_named_csv(tmp_path):
    path = write(tmp_path, "adsl.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    refused(path, "the file is an Excel workbook (.xls), not a CSV file")


def test_latin1_text_is_named_not_a_codec_error(tmp_path):
    path = write(tmp_path, "adsl.csv", "USUBJID,SITE\n001,Gen\xe8ve\n".encode("latin-1"))
    refused(path, "not UTF-8 text (byte 0xe8 on line 2)")


def test_column_names_in_another_case_are_named(tmp_path):
    import pandera.pandas as pa

    schema = pa.DataFrameSchema({"STUDYID": pa.Column(str), "USUBJID": pa.Column(str),
                                 "AGE": pa.Column(int)}, name="ADSL")
    frame = pd.DataFrame({"studyid": ["S"], "Usubjid": ["001"], "AGE": [50]})
    with pytest.raises(DataValidationError) as info:
        validate(frame, schema, tmp_path / "adsl.csv")
    assert str(info.value) == (
        f"{tmp_path / 'adsl.csv'}: column STUDYID: required ADSL columns exist only in another "
        f"case ('studyid' for STUDYID, 'Usubjid' for USUBJID); column names are case-sensitive: "
        f"write them in upper case as in the data contract")
    with pytest.raises(DataValidationError, match=r"column USUBJID: required ADSL column exists "
                                                  r"only in another case \('usubjid' for USUBJID\)"):
        validate(pd.DataFrame({"STUDYID": ["S"], "usubjid": ["001"], "AGE": [50]}), schema,
                 tmp_path / "adsl.csv")
    with pytest.raises(DataValidationError, match="column USUBJID: required ADSL column exists"):
        validate(read_table(DATA / "adsl.csv").rename(columns={"USUBJID": "usubjid"}),
                 SCHEMAS["adsl"], tmp_path / "adsl.csv")  # the real schema too


def test_title_line_above_the_header(tmp_path):
    path = write(tmp_path, "adtte.csv", "ADTTE listing, data cut 2019-03-01\n" + CLEAN)
    refused(path, "line 1 ('ADTTE listing, data cut 2019-03-01') looks like a title above "
                  "the header row: it has 2 field(s), the rows below have 3")


def test_title_line_without_commas(tmp_path):
    path = write(tmp_path, "adtte.csv", "Time-to-event data\n" + CLEAN)
    refused(path, "looks like a title above the header row")


def test_title_line_padded_with_delimiters(tmp_path):
    path = write(tmp_path, "adtte.csv", "Listing 16.2.6,,\n" + CLEAN)
    refused(path, "line 1 ('Listing 16.2.6,,') looks like a title above the header row: only 1 "
                  "of its 3 fields are named")


def test_quoted_field_spanning_lines_is_one_row(tmp_path):
    text = 'USUBJID,AVAL,COMMENT\n001,12.5,"first line\nsecond line"\n002,3,plain\n'
    got = read_table(write(tmp_path, "adtte.csv", text))
    assert got["COMMENT"].tolist() == ["first line\nsecond line", "plain"]


@pytest.mark.parametrize("text", [
    "USUBJID,AVAL,CNSR,\n001,12.5,0,\n002,30.25,1,\n003,7,0,\n",  # header and rows
    "USUBJID,AVAL,CNSR\n001,12.5,0,\n002,30.25,1,\n003,7,0,\n",   # rows only
])
def test_trailing_delimiters_are_dropped_not_shifted(tmp_path, text):
    """An empty unnamed last column is dropped; the rows-only variant would make pandas use
    USUBJID as the index and shift every column by one."""
    clean = read_table(write(tmp_path, "clean.csv", CLEAN))
    got = read_table(write(tmp_path, "adtte.csv", text))
    pd.testing.assert_frame_equal(got, clean)
    assert list(got.columns) == ["USUBJID", "AVAL", "CNSR"] and got["USUBJID"].iloc[0] == "001"


def test_column_present_twice(tmp_path):
    path = write(tmp_path, "adtte.csv", "USUBJID,AVAL,CNSR,AVAL\n001,12.5,0,99\n002,3,1,98\n")
    error = refused(path, "column AVAL: appears twice in the header row (columns 2 and 4)")
    assert error.column == "AVAL"


def test_rows_with_extra_fields_are_listed(tmp_path):
    path = write(tmp_path, "adtte.csv", CLEAN + "004,5,1,surplus\n005,6,0,more\n")
    refused(path, "rows with 4 fields where the header has 3 columns (rows 4, 5)")


# --------------------------------------------------------------------------- SAS files cut short
def _xpt(tmp_path: Path, version: int) -> tuple[Path, bytes]:
    frame = pd.DataFrame({"USUBJID": [f"{i:03d}" for i in range(1, 401)],
                          "AETOXGR": [1 + i % 5 for i in range(400)],
                          "AEDECOD": ["Nausea", "Anaemia", "Fatigue", "Neutropenia"] * 100})
    path = tmp_path / "adae.xpt"
    pyreadstat.write_xport(frame, str(path), table_name="ADAE", file_format_version=version)
    return path, path.read_bytes()


@pytest.mark.parametrize("version", [5, 8])
def test_complete_xpt_is_read(tmp_path, version):
    path, _ = _xpt(tmp_path, version)
    assert len(read_table(path)) == 400


@pytest.mark.parametrize("version", [5, 8])
def test_truncated_xpt_mid_record(tmp_path, version):
    path, raw = _xpt(tmp_path, version)
    path.write_bytes(raw[:len(raw) * 6 // 10 // 80 * 80 + 37])  # 37 bytes into a record
    refused(path, "the file is cut short", "not a whole number of 80-byte records")


@pytest.mark.parametrize("version", [5, 8])
def test_truncated_xpt_at_a_record_boundary_mid_observation(tmp_path, version):
    """Cut after whole 80-byte records: the observations end mid-observation."""
    path, raw = _xpt(tmp_path, version)
    path.write_bytes(raw[:len(raw) // 2 // 80 * 80])
    refused(path, "the file is cut short", "it ends inside observation")


def test_truncated_v8_xpt_at_an_observation_boundary(tmp_path):
    """Cut where an observation and a record end together: pyreadstat reads the first 160
    observations without a word; the v8 header's observation count tells."""
    path, raw = _xpt(tmp_path, 8)
    start = raw.index(b"HEADER RECORD*******OBSV8") + 80
    path.write_bytes(raw[:start + 4 * 880])  # observations of 22 bytes: 880 = 40 of them
    assert len(pyreadstat.read_xport(str(path))[0]) == 160  # the silent behaviour
    refused(path, "the file is cut short", "160 of the 400 observations its header announces")


def test_truncated_sas7bdat(tmp_path):
    path = write(tmp_path, "adsl.sas7bdat", IRIS.read_bytes()[:100_000])
    refused(path, "the file is cut short (100000 bytes; its header announces 1 pages of 65536 "
                  "bytes after a 65536-byte header, 131072 bytes)")


def test_complete_sas7bdat_is_read(tmp_path):
    assert len(read_table(write(tmp_path, "iris.sas7bdat", IRIS.read_bytes()))) == 150


# --------------------------------------------------------------------------- dates and types
def test_sas_numeric_dates_in_csv_are_refused(tmp_path):
    path = write(tmp_path, "adsl.csv", "USUBJID,RANDDT,AGE\n001,19000,50\n002,19010,61\n")
    error = refused(path, "column RANDDT: holds numbers, not dates (19000 = 2012-01-08 counted "
                          "from 1960-01-01): they look like SAS numeric dates (days since "
                          "1960-01-01)", "(rows 1, 2)")
    assert error.column == "RANDDT"


def test_unformatted_numeric_dates_in_xpt_are_refused_formatted_ones_read(tmp_path):
    frame = pd.DataFrame({"USUBJID": ["001", "002"], "ADT": [19000.0, 19010.0]})
    path = tmp_path / "adtte.xpt"
    pyreadstat.write_xport(frame, str(path), file_format_version=5)
    refused(path, "column ADT: holds numbers, not dates", "SAS numeric dates")
    dated = pd.DataFrame({"USUBJID": ["001", "002"], "ADT": [dt.date(2012, 1, 8), dt.date(2012, 1, 18)]})
    pyreadstat.write_xport(dated, str(path), file_format_version=5)  # DATE format in metadata
    assert pd.to_datetime(read_table(path)["ADT"]).dt.date.tolist() == dated["ADT"].tolist()


def test_numeric_dates_make_the_data_cut_impossible_to_ignore(tmp_path):
    """The whole loader stops on SAS numeric dates, so a data cut never meets 1970 dates."""
    data = tmp_path / "data"
    data.mkdir()
    for table in ("adsl", "adae"):
        (data / f"{table}.csv").write_bytes((DATA / f"{table}.csv").read_bytes())
    adtte = pd.read_csv(DATA / "adtte.csv", dtype=str, keep_default_na=False)
    adtte["ADT"] = (pd.to_datetime(adtte["ADT"]) - pd.Timestamp("1960-01-01")).dt.days
    adtte.to_csv(data / "adtte.csv", index=False)
    with pytest.raises(DataValidationError, match="column ADT: holds numbers, not dates"):
        load_trial_data(data)


def test_parquet_categorical_and_midnight_timezone_columns_are_read_as_values(tmp_path):
    frame = pd.DataFrame({
        "USUBJID": pd.Categorical(["001", "002", "003"]),
        "AETOXGR": pd.Categorical([3, 1, None], categories=[1, 2, 3, 4, 5]),
        "ADT": pd.to_datetime(["2012-01-08", "2012-01-18", None]).tz_localize("Asia/Tokyo"),
    })
    path = tmp_path / "adae.parquet"
    frame.to_parquet(path)
    got = read_table(path)
    assert got["USUBJID"].tolist() == ["001", "002", "003"]
    assert got["AETOXGR"].tolist()[:2] == [3, 1] and pd.isna(got["AETOXGR"].iloc[2])
    assert not isinstance(got["AETOXGR"].dtype, pd.CategoricalDtype)
    assert got["ADT"].dt.tz is None
    assert got["ADT"].tolist()[:2] == [pd.Timestamp("2012-01-08"), pd.Timestamp("2012-01-18")]


def test_parquet_timezone_datetimes_with_times_are_refused(tmp_path):
    frame = pd.DataFrame({"USUBJID": ["001", "002"],
                          "ADT": pd.to_datetime(["2012-01-08 00:00", "2012-01-17 15:00"]).tz_localize("UTC")})
    path = tmp_path / "adtte.parquet"
    frame.to_parquet(path)
    refused(path, "column ADT: timezone-aware date-times with a time of day "
                  "(e.g. 2012-01-17 15:00:00+00:00)", "(row 2)")
