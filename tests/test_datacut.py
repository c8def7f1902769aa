"""helpers.data.datacut: the data as they were at an earlier cut-off (``data_cut`` parameter)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.data.datacut import DAYS_PER_MONTH, NOT_YET_RANDOMISED, apply_data_cut
from helpers.data.trial_data import analysis_frame, check_consistency, load_trial_data
from helpers.core.errors import ParameterError
from helpers.data.schemas import SCHEMAS, validate

DATA = Path(__file__).resolve().parents[1] / "data"
CUT = pd.Timestamp("2016-06-30")


@pytest.fixture(scope="module")
def data():
    return load_trial_data(DATA)


@pytest.fixture(scope="module")
def cut(data):
    return apply_data_cut(data, CUT.date().isoformat())


def test_cut_data_still_meet_the_contract(cut):
    for table in ("adsl", "adtte", "adae"):
        validate(getattr(cut, table), SCHEMAS[table], f"{table} cut")
    check_consistency(cut)


def test_patients_registered_or_randomised_later_leave(data, cut):
    assert (pd.to_datetime(cut.adsl["REGDT"]) <= CUT).all()
    assert len(cut.adsl) == (pd.to_datetime(data.adsl["REGDT"]) <= CUT).sum() < len(data.adsl)
    late = cut.adsl["NRANDRS"] == NOT_YET_RANDOMISED
    assert late.any()
    assert (cut.adsl.loc[late, ["RANDFL", "ITTFL", "SAFFL"]] == "N").all().all()
    assert cut.adsl.loc[late, "ARMCD"].isna().all()
    assert (pd.to_datetime(cut.adsl.loc[cut.adsl["RANDFL"] == "Y", "RANDDT"]) <= CUT).all()
    surgery = pd.to_datetime(cut.adsl["SURGDT"])
    assert (surgery.dropna() <= CUT).all()


def test_events_after_the_cut_are_censored_at_it(data, cut):
    adtte = cut.adtte
    assert (pd.to_datetime(adtte["ADT"]) <= CUT).all()
    months_to_cut = (CUT - pd.to_datetime(adtte["STARTDT"])).dt.days / DAYS_PER_MONTH
    assert (adtte["AVAL"] <= months_to_cut + 1e-4).all()
    censored_at_cut = adtte["CNSDTDSC"] == "Data cut-off"
    assert censored_at_cut.any() and (adtte.loc[censored_at_cut, "CNSR"] == 1).all()
    before = analysis_frame(data, "OS")
    after = analysis_frame(cut, "OS")
    assert len(after) < len(before) and after["event"].sum() < before["event"].sum()
    onset = cut.adae["USUBJID"].map(pd.to_datetime(cut.adsl.set_index("USUBJID")["RANDDT"]))
    assert (onset + pd.to_timedelta(cut.adae["ASTDY"], unit="D") <= CUT).all()


def test_cut_at_the_data_cut_off_changes_no_analysis(data):
    own = pd.to_datetime(data.adsl["DCUTDT"]).max()
    same = apply_data_cut(data, own.date().isoformat())
    pd.testing.assert_frame_equal(analysis_frame(same, "OS")[["USUBJID", "time", "event"]],
                                  analysis_frame(data, "OS")[["USUBJID", "time", "event"]])


def test_cut_after_the_data_cut_off_is_refused(data):
    with pytest.raises(ParameterError, match="data_cut.*after the data's own cut-off"):
        apply_data_cut(data, "2030-01-01")


def test_cut_before_the_first_randomisation_is_refused(data):
    first = pd.to_datetime(data.adsl.loc[data.adsl["RANDFL"] == "Y", "RANDDT"]).min()
    day_before = (first - pd.Timedelta(days=1)).date().isoformat()
    with pytest.raises(ParameterError) as info:
        apply_data_cut(data, day_before)
    assert str(info.value) == (f"parameter 'data_cut': {day_before} is before the first "
                               f"randomisation on {first.date()}: no patient would be "
                               f"randomised by the data cut-off")
    apply_data_cut(data, first.date().isoformat())  # the day itself: one patient or more
