"""Reading tables in every supported format and validating them against the schemas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from helpers.data import schemas
from helpers.data.trial_data import TrialData, analysis_frame, load_trial_data
from helpers.core.errors import DataValidationError
from helpers.data.readers import read_table
from helpers.survival.cox import cox_hazard_ratio
from helpers.config.study import load_study

DEFAULT_STRATA = load_study().strata  # the JCOG1017 study configuration's

DATA = Path(__file__).resolve().parents[1] / "data"
# iris.sas7bdat: the example file of R's haven package (MIT), copied so the reader path is
# tested on every machine (pyreadstat cannot write SAS7BDAT).
SAS7BDAT_SAMPLES = [Path(__file__).resolve().parent / "fixtures" / "sas" / "iris.sas7bdat"]


@pytest.fixture(scope="module")
def bundled() -> TrialData:
    return load_trial_data(DATA)


def write_format(data: TrialData, out: Path, fmt: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for table in ("adsl", "adtte", "adae"):
        frame = getattr(data, table)
        path = out / f"{table}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:  # SAS transport v5: blank character values, dates as SAS dates
            pyreadstat.write_xport(frame, str(path), table_name=table.upper(), file_format_version=5)


def summary(data: TrialData) -> dict:
    """The numbers an analysis reads: per endpoint n, events, stratified HR; table shapes."""
    out = {t: getattr(data, t).shape for t in ("adsl", "adtte", "adae")}
    for paramcd in ("OS", "LRFS", "PTRFS", "MPFS"):
        frame = analysis_frame(data, paramcd)
        hr = cox_hazard_ratio(frame, "time", "event", "ARMCD", "B", strata=list(DEFAULT_STRATA))
        out[paramcd] = (len(frame), int(frame["event"].sum()), round(hr.hr, 10), round(hr.upper, 10))
    return out


@pytest.mark.parametrize("fmt", ["parquet", "xpt"])
def test_round_trip_gives_identical_analysis(bundled, tmp_path, fmt):
    write_format(bundled, tmp_path, fmt)
    loaded = load_trial_data(tmp_path, fmt=fmt)
    assert loaded.paths["adsl"].suffix == f".{fmt}"
    assert summary(loaded) == summary(bundled)
    for table in ("adsl", "adtte", "adae"):
        pd.testing.assert_frame_equal(getattr(loaded, table), getattr(bundled, table),
                                      check_dtype=False)


def test_auto_format_prefers_existing_files(bundled, tmp_path):
    write_format(bundled, tmp_path, "parquet")
    assert load_trial_data(tmp_path).paths["adtte"] == tmp_path / "adtte.parquet"


def test_explicit_files_mix_formats(bundled, tmp_path):
    write_format(bundled, tmp_path, "xpt")
    data = load_trial_data(tmp_path, files={"adsl": DATA / "adsl.csv", "adtte": "adtte.xpt",
                                            "adae": "adae.xpt"})
    assert data.paths["adsl"] == DATA / "adsl.csv"
    assert summary(data) == summary(bundled)


@pytest.mark.skipif(not any(p.is_file() for p in SAS7BDAT_SAMPLES),
                    reason="no SAS7BDAT sample file installed (pyreadstat cannot write SAS7BDAT)")
def test_sas7bdat_reader():
    path = next(p for p in SAS7BDAT_SAMPLES if p.is_file())
    frame = read_table(path)
    assert frame.shape == (150, 5)
    assert frame["Species"].nunique() == 3
    with pytest.raises(DataValidationError, match="required ADSL column is missing") as info:
        schemas.validate(frame, schemas.ADSL, path)
    assert info.value.column == "USUBJID"


def test_types_after_validation(bundled):
    adsl, adtte = bundled.adsl, bundled.adtte
    assert pd.api.types.is_datetime64_any_dtype(adsl["RANDDT"])
    assert adsl["AGE"].dtype == np.int64 and adtte["CNSR"].dtype == np.int64
    assert adtte["AVAL"].dtype == np.float64
    assert set(adtte["PARAMCD"]) == set(schemas.PARAMCDS)


def test_blank_text_is_missing(bundled):
    adsl = bundled.adsl
    assert adsl.loc[adsl["RANDFL"] == "Y", "NRANDRS"].isna().all()
    assert adsl.loc[adsl["RANDFL"] == "N", "ARMCD"].isna().all()


def test_csv_identifiers_stay_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("USUBJID,AVAL\n0012,1.5\n 7 ,2\n")
    frame = read_table(path)
    assert frame["USUBJID"].tolist() == ["0012", "7"]


def test_error_message_format():
    err = DataValidationError("3 rows with negative values", file="data/adtte.csv", column="AVAL",
                              rows=[4, 17, 250], detail="values -1.0")
    assert str(err) == ("data/adtte.csv: column AVAL: 3 rows with negative values "
                        "(rows 4, 17, 250): values -1.0")
    many = DataValidationError("x", file="f.csv", column="C", rows=range(1, 10))
    assert str(many) == "f.csv: column C: x (rows 1, 2, 3, 4, 5, ...)"
    assert many.rows == tuple(range(1, 10))


def test_schema_reports_all_failing_columns(bundled):
    frame = bundled.adtte.copy()
    frame["AVAL"] = frame["AVAL"].astype(object)
    frame.loc[3, "AVAL"] = -2.0
    frame.loc[5, "CNSR"] = -7
    with pytest.raises(DataValidationError) as info:
        schemas.validate(frame, schemas.ADTTE, "adtte.csv")
    assert info.value.column == "AVAL" and info.value.rows == (4,)
    assert "other failing columns: CNSR" in str(info.value)
