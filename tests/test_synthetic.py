"""The bundled synthetic dataset: byte-identical regeneration and calibration to the published
JCOG1017 figures (targets in studies/jcog1017/published.yaml; tolerances of issue 2). The
generator is the bundled study's own (studies/jcog1017/synthetic.py), loaded from its file.

HRs and medians come from the project's own estimators (helpers.survival, which are tested
against R's survival): stratified Cox with Efron ties and Wald CI, Kaplan-Meier medians.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import importlib.util
from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.survival.cox import cox_hazard_ratio
from helpers.survival.km import kaplan_meier
from helpers.config.study import load_study

DEFAULT_STRATA = load_study().strata  # the JCOG1017 study configuration's

DATA = Path(__file__).resolve().parents[1] / "data"
_SPEC = importlib.util.spec_from_file_location(
    "jcog1017_synthetic", Path(__file__).resolve().parents[1] / "studies/jcog1017/synthetic.py")
synthetic = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synthetic)


@pytest.fixture(scope="module")
def data():
    return load_trial_data(DATA)


def hazard_ratio(frame, conf_level, strata=DEFAULT_STRATA):
    return cox_hazard_ratio(frame, "time", "event", "ARMCD", "B", strata=list(strata) if strata else None,
                            conf_level=conf_level)


def medians(frame):
    return {arm: kaplan_meier(g, "time", "event").median for arm, g in frame.groupby("ARMCD")}


def test_regeneration_is_byte_identical(tmp_path):
    assert synthetic.main([str(tmp_path)]) == 0
    for name in ("adsl.csv", "adtte.csv", "adae.csv", "SYNTHETIC.sha256"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_another_seed_gives_other_data():
    assert not synthetic.generate(seed=synthetic.SEED + 1).adtte.equals(synthetic.generate().adtte)


def test_population_counts(data):
    adsl = data.adsl
    assert len(adsl) == 570
    assert adsl["USUBJID"].is_unique
    assert adsl["ARMCD"].value_counts().to_dict() == {"A": 205, "B": 202}
    not_rand = adsl[adsl["RANDFL"] == "N"]
    assert len(not_rand) == 163
    assert not_rand["NRANDRS"].value_counts().to_dict() == synthetic.NOT_RANDOMISED
    assert adsl.loc[adsl["RANDFL"] == "Y", "NRANDRS"].isna().all()
    assert (adsl["ITTFL"] == adsl["RANDFL"]).all()
    reg = adsl["REGDT"]
    assert reg.min() >= pd.Timestamp("2011-05-05") and reg.max() <= pd.Timestamp("2018-05-31")


def test_surgery_details_only_in_arm_b(data):
    adsl = data.adsl
    b = adsl["ARMCD"] == "B"
    assert adsl.loc[b, "SURGFL"].notna().all() and adsl.loc[~b, "SURGFL"].isna().all()
    resected = adsl["SURGFL"] == "Y"
    assert adsl.loc[resected, "RESECT"].notna().all() and adsl.loc[~resected, "RESECT"].isna().all()
    assert 0.85 < resected.sum() / b.sum() < 1


def test_os_deaths_and_follow_up(data):
    os_ = analysis_frame(data, "OS")
    assert abs(os_["event"].sum() - 221) <= 10
    assert abs(os_["time"].median() - 60) <= 3  # simple median of observed times (see data/README)
    reverse = kaplan_meier(os_.assign(alive=1 - os_["event"]), "time", "alive").median
    assert reverse > os_["time"].median() + 10  # reverse KM is much longer, as data/README says


def test_os_calibration(data):
    os_ = analysis_frame(data, "OS")
    hr = hazard_ratio(os_, 0.90)
    assert abs(hr.hr - 0.86) <= 0.03
    assert hr.lower < 1 < hr.upper
    med = medians(os_)
    assert abs(med["A"] - 69) <= 4 and abs(med["B"] - 75) <= 4


def test_lrfs_calibration(data):
    lrfs = analysis_frame(data, "LRFS")
    hr = hazard_ratio(lrfs, 0.95)
    assert abs(hr.hr - 0.42) <= 0.03 and hr.upper < 1
    med = medians(lrfs)
    assert abs(med["A"] - 20) <= 3 and abs(med["B"] - 63) <= 5


@pytest.mark.parametrize("column, benefit, other", [
    ("MENOPAUS", "Premenopausal", "Postmenopausal"),
    ("METGR", "Single organ", "Multiple organs"),
])
def test_os_effect_modification(data, column, benefit, other):
    os_ = analysis_frame(data, "OS")
    sub = hazard_ratio(os_[os_[column] == benefit], 0.95, strata=None)
    assert sub.hr < 1 and sub.upper < 1.05
    rest = hazard_ratio(os_[os_[column] == other], 0.95, strata=None)
    assert rest.hr >= 0.95


def test_lrfs_is_consistent_with_os(data):
    wide = data.adtte.pivot(index="USUBJID", columns="PARAMCD", values="AVAL")
    cnsr = data.adtte.pivot(index="USUBJID", columns="PARAMCD", values="CNSR")
    for paramcd in ("LRFS", "PTRFS", "MPFS"):
        assert (wide[paramcd] <= wide["OS"] + 1e-9).all()
        # a death is an event of every endpoint: at the death time the endpoint has an event
        died_first = (cnsr["OS"] == 0) & np.isclose(wide[paramcd], wide["OS"])
        assert (cnsr.loc[died_first, paramcd] == 0).all()


def test_lrfs_event_types_as_data_readme_states(data):
    """LRFS EVNTDESC (the competing-risks event types of chapter 11): Death exactly on the
    LRFS events at the OS death time, Local relapse or progression on the others; the
    counts of data/README.md."""
    lrfs = analysis_frame(data, "LRFS")
    adtte = data.adtte.set_index(["USUBJID", "PARAMCD"])
    kind = adtte.xs("LRFS", level="PARAMCD").loc[lrfs["USUBJID"], "EVNTDESC"].fillna("").to_numpy()
    os_ = adtte.xs("OS", level="PARAMCD").loc[lrfs["USUBJID"]]
    death = (lrfs["event"].to_numpy() == 1) & (os_["CNSR"].to_numpy() == 0) & np.isclose(
        lrfs["time"].to_numpy(), os_["AVAL"].to_numpy())
    assert (kind[death] == "Death").all()
    assert (kind[(lrfs["event"].to_numpy() == 1) & ~death] == "Local relapse or progression").all()
    lrfs["type"] = np.where(lrfs["event"] == 1, kind, "censored")
    counts = lrfs.groupby(["type", "ARMCD"]).size().unstack()
    assert counts.loc["Local relapse or progression"].tolist() == [115, 33]
    assert counts.loc["Death"].tolist() == [51, 86]
    assert counts.loc["censored"].tolist() == [39, 83]


def test_aval_matches_dates(data):
    adtte = data.adtte
    days = (adtte["ADT"] - adtte["STARTDT"]).dt.days
    assert np.allclose(adtte["AVAL"], days / synthetic.DAYS_PER_MONTH, atol=1e-4)
    starts = adtte.merge(data.adsl[["USUBJID", "RANDDT"]], on="USUBJID")
    assert (starts["STARTDT"] == starts["RANDDT"]).all()


def test_no_treatment_related_deaths(data):
    ae = data.adae
    grade5 = ae[ae["AETOXGR"] == 5]
    assert len(grade5) > 0  # some deaths are recorded as AEs, none related to treatment
    assert ((grade5["AERELSRG"] == "N") & (grade5["AERELSYS"] == "N")).all()


def test_operative_morbidity_only_after_surgery(data):
    ae = data.adae.merge(data.adsl[["USUBJID", "SURGFL", "RANDDT", "SURGDT"]], on="USUBJID")
    operative = ae[ae["AEPHASE"] == "Operative"]
    assert len(operative) > 0
    assert (operative["SURGFL"] == "Y").all() and (operative["AERELSRG"] == "Y").all()
    surgery_day = (operative["SURGDT"] - operative["RANDDT"]).dt.days
    assert (operative["ASTDY"] >= surgery_day).all()


def test_local_ulcer_bleeding_more_frequent_without_resection(data):
    rand = data.adsl[data.adsl["RANDFL"] == "Y"]
    rate = (rand["LOCULCFL"] == "Y").groupby(rand["ARMCD"]).mean()
    assert rate["A"] > rate["B"]
