"""Bad input: every case raises DataValidationError naming file, column and example rows, and
nothing downstream runs (no output written)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.core.errors import DataValidationError
from conftest import edit_csv as edit  # noqa: E402






def set_cells(column, rows, value):
    def change(frame):
        frame.loc[rows, column] = value
        return frame
    return change


def first_randomised(frame, n=1):
    return list(frame.index[frame["RANDFL"] == "Y"][:n])


def run_pipeline(data_dir: Path, out: Path, paramcd: str = "OS") -> None:
    """A stand-in for the downstream analysis: load, build the frame, write a result."""
    frame = analysis_frame(load_trial_data(data_dir), paramcd)
    out.mkdir()
    (out / "n.txt").write_text(str(len(frame)))


# (table, change, expected column, expected rows or None, words in the message)
CASES = {
    "negative AVAL": ("adtte", set_cells("AVAL", [3, 16, 249], "-1.5"), "AVAL", (4, 17, 250), "negative"),
    "missing AVAL": ("adtte", set_cells("AVAL", [9], ""), "AVAL", (10,), "missing"),
    "infinite AVAL": ("adtte", set_cells("AVAL", [5, 6], "inf"), "AVAL", (6, 7), "infinite"),
    "AVAL not a number": ("adtte", set_cells("AVAL", [20], "twelve"), "AVAL", (21,), "wrong type"),
    "CNSR 2 on an event row": ("adtte", set_cells("CNSR", [1, 2], "2"), "CNSR", (2, 3),
                               "event description"),
    "CNSR -1": ("adtte", set_cells("CNSR", [1, 2], "-1"), "CNSR", (2, 3), "negative"),
    "CNSR 0.5": ("adtte", set_cells("CNSR", [7], "0.5"), "CNSR", (8,), "wrong type"),
    "CNSR missing": ("adtte", set_cells("CNSR", [4], ""), "CNSR", (5,), "missing"),
    "AGE not a number": ("adsl", set_cells("AGE", [11], "forty"), "AGE", (12,), "wrong type"),
    "RANDDT not a date": ("adsl", set_cells("REGDT", [2], "2015-13-45"), "REGDT", (3,), "wrong type"),
    "ARMCD C": ("adsl", lambda f: set_cells("ARMCD", first_randomised(f), "C")(f), "ARMCD", None,
                "neither the control, the experimental arm nor in arms.others"),
    "RANDFL Yes": ("adsl", set_cells("RANDFL", [0], "Yes"), "RANDFL", (1,), "not in"),
    "ECOG 3": ("adsl", set_cells("ECOG", [8], "3"), "ECOG", (9,), "not in"),
    "AETOXGR 6": ("adae", set_cells("AETOXGR", [30], "6"), "AETOXGR", (31,), "grades"),
    "AETOXGR 0": ("adae", set_cells("AETOXGR", [3, 40], "0"), "AETOXGR", (4, 41), "grades not in 1-5"),
    "duplicate USUBJID": ("adsl", lambda f: set_cells("USUBJID", [5], f.at[4, "USUBJID"])(f),
                          "USUBJID", (5, 6), "duplicate"),
    "duplicate USUBJID/PARAMCD": ("adtte", lambda f: set_cells("PARAMCD", [1], f.at[0, "PARAMCD"])(f),
                                  "USUBJID, PARAMCD", (1, 2), "duplicate"),
    "ADTTE subject not in ADSL": ("adtte", set_cells("USUBJID", [12, 13], "JCOG1017-9999"),
                                  "USUBJID", (13, 14), "absent from ADSL"),
    "ADAE subject not in ADSL": ("adae", set_cells("USUBJID", [0], "XX-1"), "USUBJID", (1,),
                                 "absent from ADSL"),
    "randomised without arm": ("adsl", lambda f: set_cells("ARMCD", first_randomised(f, 2), "")(f),
                               "ARMCD", None, "without an arm"),
    "missing column": ("adtte", lambda f: f.drop(columns="AVAL"), "AVAL", None, "missing"),
    "misspelled CNSR": ("adtte", lambda f: f.rename(columns={"CNSR": "CNSRR"}), "CNSR", None,
                        "did you mean 'CNSRR'"),
    "misspelled USUBJID": ("adsl", lambda f: f.rename(columns={"USUBJID": "USUBJD"}), "USUBJID", None,
                           "did you mean 'USUBJD'"),
    "ADTTE subject not randomised": (
        "adtte", None, "USUBJID", None, "not randomised"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_value_names_file_column_rows(case, data_dir, tmp_path):
    table, change, column, rows, words = CASES[case]
    if change is None:  # point an ADTTE row at a patient who was not randomised
        adsl = pd.read_csv(data_dir / "adsl.csv", dtype=str, keep_default_na=False)
        outsider = adsl.loc[adsl["RANDFL"] == "N", "USUBJID"].iloc[0]
        change = set_cells("USUBJID", [0], outsider)
    edit(data_dir, table, change)
    out = tmp_path / "out"
    with pytest.raises(DataValidationError) as info:
        run_pipeline(data_dir, out)
    err = info.value
    assert Path(err.file) == data_dir / f"{table}.csv"
    assert err.column == column
    if rows is not None:
        assert tuple(err.rows[: len(rows)]) == rows
    else:
        assert err.rows or "missing" in err.message
    assert words in str(err)
    assert str(err).startswith(f"{err.file}: column {column}: ")
    assert not out.exists()


def test_randomised_without_arm_lists_rows(data_dir):
    adsl = pd.read_csv(data_dir / "adsl.csv", dtype=str, keep_default_na=False)
    rows = first_randomised(adsl, 2)
    edit(data_dir, "adsl", set_cells("ARMCD", rows, ""))
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir)
    assert info.value.rows == tuple(r + 1 for r in rows)


def test_missing_file(data_dir, tmp_path):
    (data_dir / "adtte.csv").unlink()
    out = tmp_path / "out"
    with pytest.raises(DataValidationError, match="file not found") as info:
        run_pipeline(data_dir, out)
    assert info.value.file == str(data_dir / "adtte.csv")
    assert not out.exists()


def test_missing_adae_is_no_error(data_dir):
    """ADAE is optional: only the safety chapter needs it (and says so when it is absent)."""
    (data_dir / "adae.csv").unlink()
    assert load_trial_data(data_dir).adae is None


def test_missing_directory(tmp_path):
    with pytest.raises(DataValidationError, match="file not found"):
        load_trial_data(tmp_path / "nowhere")


def test_unknown_format_argument(data_dir):
    with pytest.raises(DataValidationError, match="unknown format 'xlsx'"):
        load_trial_data(data_dir, fmt="xlsx")


def test_unknown_file_suffix(data_dir):
    shutil.copy(data_dir / "adsl.csv", data_dir / "adsl.xlsx")
    with pytest.raises(DataValidationError, match="unknown table format '.xlsx'") as info:
        load_trial_data(data_dir, files={"adsl": "adsl.xlsx"})
    assert info.value.file == str(data_dir / "adsl.xlsx")


def test_unreadable_parquet(data_dir):
    (data_dir / "adsl.parquet").write_bytes(b"not a parquet file")
    with pytest.raises(DataValidationError, match="cannot read parquet file"):
        load_trial_data(data_dir, files={"adsl": "adsl.parquet"})


def test_arm_with_no_patients(data_dir, tmp_path):
    def all_a(frame):
        rand = frame["RANDFL"] == "Y"
        frame.loc[rand, "ARMCD"] = "A"
        frame.loc[rand, "ARM"] = "Systemic therapy alone"
        return frame
    edit(data_dir, "adsl", all_a)
    out = tmp_path / "out"
    with pytest.raises(DataValidationError, match="arms.experimental.value 'B'.* is not a value of ADSL.ARMCD") as info:
        run_pipeline(data_dir, out)
    assert info.value.column == "ARMCD"
    assert not out.exists()


def test_endpoint_with_no_events(data_dir, tmp_path):
    def censor_os(frame):
        os_rows = frame["PARAMCD"] == "OS"
        frame.loc[os_rows, "CNSR"] = "1"
        frame.loc[os_rows, "EVNTDESC"] = ""
        frame.loc[os_rows, "CNSDTDSC"] = "Last known alive date"
        return frame
    edit(data_dir, "adtte", censor_os)
    out = tmp_path / "out"
    with pytest.raises(DataValidationError, match="OS has no events") as info:
        run_pipeline(data_dir, out)
    assert (info.value.column, Path(info.value.file).name) == ("CNSR", "adtte.csv")
    assert not out.exists()


def test_endpoint_with_no_rows(data_dir):
    with pytest.raises(DataValidationError, match="'DFS' has no rows"):
        analysis_frame(load_trial_data(data_dir), "DFS")


def test_patient_without_endpoint_row(data_dir):
    adtte = pd.read_csv(data_dir / "adtte.csv", dtype=str, keep_default_na=False)
    dropped = adtte.loc[adtte["PARAMCD"] == "LRFS", "USUBJID"].iloc[3]
    edit(data_dir, "adtte", lambda f: f[~((f["USUBJID"] == dropped) & (f["PARAMCD"] == "LRFS"))])
    with pytest.raises(DataValidationError, match="without a LRFS row") as info:
        analysis_frame(load_trial_data(data_dir), "LRFS")
    assert info.value.rows == (dropped,)


def test_unknown_population_flag(data_dir):
    with pytest.raises(DataValidationError, match="MITTFL is not an ADSL column") as info:
        analysis_frame(load_trial_data(data_dir), "OS", population="MITTFL")
    assert info.value.column == "MITTFL"


def test_population_that_is_not_a_flag(data_dir):
    with pytest.raises(DataValidationError, match="AGE is not a Y/N population flag") as info:
        analysis_frame(load_trial_data(data_dir), "OS", population="AGE")
    assert info.value.column == "AGE"
