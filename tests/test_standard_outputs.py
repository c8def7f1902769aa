"""The standard outputs of issue 21 (chapter 12 and the safety chapter's AET tables).

Expected numbers: tests/fixtures/r/standard_outputs.json, written by
validation/r/reference_standard_outputs.R (survival's ``quantile(survfit)``,
``summary(survfit, times)``, ``coxph``) on the bundled synthetic data (OS, LRFS) and
survival::colon (deaths, Obs vs Lev+5FU), with the rows built identically here. Tolerance
1e-6 relative. The ARD rows are read as the chapter reads them (``helpers.ard.ArdView``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.analyses.disposition import deaths_ard, disposition_ard, disposition_needs
from helpers.analyses.safety_tlg import aet01_ard, aet02_ard, aet04_ard
from helpers.analyses.tte_summary import coxt02_ard, ttet01_ard
from helpers.ard import ArdBuilder, ArdView
from helpers.config.study import StudyConfigError, load_study
from helpers.config.study.config import parse_study
from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.report.format import fill_stat_fmt
from helpers.survival.cox import cox_hazard_ratio

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "r"
REF = json.loads((FIX / "standard_outputs.json").read_text())
TOL = 1e-6


def close(ours, ref, what=""):
    ours = np.atleast_1d(np.asarray(ours, dtype=float))
    ref = np.array([np.nan if v is None else v for v in np.atleast_1d(ref)], dtype=float)
    np.testing.assert_allclose(ours, ref, rtol=TOL, atol=1e-12, equal_nan=True, err_msg=what)


@pytest.fixture(scope="module")
def jcog():
    return load_trial_data(ROOT / "data")


def colon_frame() -> pd.DataFrame:
    ca = pd.read_csv(FIX / "data" / "colon_all.csv")
    d = ca[(ca.etype == 2) & ca.rx.isin(["Obs", "Lev+5FU"])].reset_index(drop=True)
    return pd.DataFrame({
        "USUBJID": d.id.astype(str), "ARMCD": np.where(d.rx == "Obs", "A", "B"),
        "time": d.time.astype(float), "event": d.status.astype(int), "AGE": d.age.astype(float),
        "SEX": np.where(d.sex == 1, "M", "F"), "OBSTRFL": np.where(d.obstruct == 1, "Y", "N"),
        "EXTENT": np.array(["Submucosa", "Muscle", "Serosa", "Contiguous structures"])[
            d.extent - 1]})


JCOG_COVARIATES = ["AGE", "MENOPAUS", "SUBTYPE", "METGR", "ECOG", "TSTAGE"]
COLON_COVARIATES = ["AGE", "SEX", "OBSTRFL", "EXTENT"]
COLON_LEVELS = {"SEX": ["F", "M"], "EXTENT": ["Submucosa", "Muscle", "Serosa",
                                             "Contiguous structures"]}


def _view(b: ArdBuilder) -> ArdView:
    return ArdView(fill_stat_fmt(b.frame()))


def _cases(jcog):
    levels = load_study().levels()
    for p in ("OS", "LRFS"):
        yield (f"jcog1017 {p}", analysis_frame(jcog, p), REF["jcog1017"][p], JCOG_COVARIATES,
               levels, (36, 60), jcog.adtte)
    yield ("colon OS", colon_frame(), REF["colon"]["OS"], COLON_COVARIATES, COLON_LEVELS,
           (365, 1095, 1826), None)


def test_ttet01_quantiles_and_landmark_differences_equal_r(jcog):
    for name, frame, ref, _, _, landmarks, adtte in _cases(jcog):
        if adtte is None:  # colon: no ADTTE here; its rows from the frame
            adtte = frame.assign(PARAMCD="OS", CNSR=1 - frame.event)[
                ["USUBJID", "PARAMCD", "CNSR"]]
        b = ArdBuilder("12_standard_outputs", population="ITTFL")
        ttet01_ard(b, frame, adtte, "X" if name.startswith("colon") else name.split()[1],
                   strata=[], conf_levels=[0.9, 0.95], km_conf_level=0.95,
                   km_conf_type="log-log", ties="efron", landmarks=landmarks)
        view = _view(b)
        p = view.ard["analysis_id"].iloc[0].split(".")[0]
        for q in ref["quantiles"]:
            code = "A" if q["group"] in ("A", "Obs") else "B"
            for stat, key in (("estimate", "estimate"), ("conf.low", "lower"),
                              ("conf.high", "upper")):
                ours = [view.stat(f"{p}.ttet01.quantiles", stat, group1_level=code,
                                  variable="prob", variable_level=prob) for prob in q["prob"]]
                close(ours, q[key], f"{name} {code} quantile {stat}")
            for stat in ("min", "max"):
                close(view.stat(f"{p}.ttet01.quantiles", stat, group1_level=code,
                                variable="time"), q[stat], f"{name} {stat}")
        lm, aid = ref["landmark"], f"{p}.ttet01.landmarks"
        for code, side in (("A", "control"), ("B", "experimental")):
            for stat, key in (("estimate", "surv"), ("conf.low", "lower"), ("conf.high", "upper"),
                              ("n.risk", "n_risk")):
                close([view.stat(aid, stat, group1_level=code, variable_level=t)
                       for t in lm["time"]], lm[f"{key}_{side}"], f"{name} {code} {stat}")
        for stat, key in (("estimate", "difference"), ("std.error", "se"), ("conf.low", "lower"),
                          ("conf.high", "upper"), ("p.value", "p")):
            close([view.stat(aid, stat, group1_level="B vs A", variable_level=t)
                   for t in lm["time"]], lm[key], f"{name} difference {stat}")


def test_coxt02_equals_coxph(jcog):
    for name, frame, ref, covariates, levels, _, _ in _cases(jcog):
        b = ArdBuilder("12_standard_outputs", population="ITTFL")
        terms = coxt02_ard(b, frame, "P", covariates, levels, ties="efron", conf_level=0.95)
        r = ref["cox"]
        assert len(terms) == len(r["names"]), (name, terms.term.tolist(), r["names"])
        view = _view(b)
        rows = view.rows("P.coxt02", stat_name="estimate")
        assert list(rows["variable"]) == list(terms["variable"])
        for stat, key in (("estimate", "hr"), ("conf.low", "lower"), ("conf.high", "upper"),
                          ("std.error", "se"), ("p.value", "p")):
            ours = [view.stat("P.coxt02", stat, variable=v, variable_level=lv)
                    for v, lv in zip(rows["variable"], rows["variable_level"])]
            close(ours, r[key], f"{name} {stat}")
        assert view.stat("P.coxt02", "n", variable="") == r["n"]
        assert view.stat("P.coxt02", "n.event", variable="") == r["events"]


def test_coxt02_arm_hazard_ratio_is_chapter_7s_adjusted_model(jcog):
    """The same model as the covariate-adjusted sensitivity analysis: other reference levels
    of the covariates do not change the arm's hazard ratio."""
    from helpers.analyses.sensitivity import adjusted_row

    frame = analysis_frame(jcog, "OS")
    b = ArdBuilder("12_standard_outputs", population="ITTFL")
    terms = coxt02_ard(b, frame, "OS", JCOG_COVARIATES, load_study().levels(), ties="efron",
                       conf_level=0.9)
    _, hr = adjusted_row(frame, "adjusted", JCOG_COVARIATES, conf_level=0.9)
    arm = terms[terms.variable == "ARMCD"].iloc[0]
    assert arm.hr == pytest.approx(hr.hr, rel=1e-9)
    assert (arm.lower, arm.upper) == pytest.approx((hr.lower, hr.upper), rel=1e-9)


def test_ttet01_hazard_ratios_are_the_endpoint_models(jcog):
    frame = analysis_frame(jcog, "OS")
    b = ArdBuilder("12_standard_outputs", population="ITTFL")
    ttet01_ard(b, frame, jcog.adtte, "OS", strata=["ER", "HER2", "METGR"],
               conf_levels=[0.9, 0.95], km_conf_level=0.95, km_conf_type="log-log",
               ties="efron", landmarks=[36])
    view = _view(b)
    for strata, model in ((["ER", "HER2", "METGR"], "stratified"), ([], "unstratified")):
        for level in (0.9, 0.95):
            hr = cox_hazard_ratio(frame, "time", "event", "ARMCD", "B", strata=strata,
                                  conf_level=level)
            aid = f"OS.ttet01.cox.{model}.{100 * level:g}"
            assert view.stat(aid, "estimate") == pytest.approx(hr.hr, rel=1e-12)
            assert view.stat(aid, "conf.low") == pytest.approx(hr.lower, rel=1e-12)
    # events by first event type and censoring by reason add up
    ev = "OS.ttet01.events"
    for arm in ("A", "B"):
        n_event = view.stat(ev, "n", group1_level=arm, variable="event")
        by_type = view.rows(ev, group1_level=arm, variable="EVNTDESC", stat_name="n")["stat"]
        assert by_type.sum() == n_event == frame[(frame.ARMCD == arm)].event.sum()
        censored = view.rows(ev, group1_level=arm, variable="CNSR", stat_name="n")["stat"]
        assert censored.sum() == view.stat(ev, "n", group1_level=arm, variable="censored")


def test_disposition_and_deaths_follow_the_data(jcog):
    study = load_study()
    config = study.outputs
    b = ArdBuilder("12_standard_outputs", population="ITTFL")
    needs = disposition_needs(config.disposition)
    assert needs["discontinued"] == ["study.outputs.disposition.discontinued"]  # not configured
    disposition_ard(b, jcog.adsl, jcog.adtte, config.disposition,
                    ["treated", "procedure", "crossover"], "OS")
    deaths_ard(b, jcog.adsl, jcog.adtte, config.deaths, ["deaths", "cause", "within"], "OS",
               procedure_date="SURGDT", procedure_arms=("B",))
    view = _view(b)
    adsl, adtte = jcog.adsl, jcog.adtte
    assert view.stat("dst01", "n", variable="registered") == len(adsl)
    resected_a = adtte[(adtte.PARAMCD == "PTRFS") & (adtte.CNSR == 0)
                       & (adtte.EVNTDESC == "Primary tumour resection")].USUBJID
    crossover = adsl[(adsl.ARMCD == "A") & adsl.USUBJID.isin(resected_a)]
    assert view.stat("dst01", "n", group1_level="A", variable="crossover") == len(crossover) > 0
    assert not view.has("dst01", group1_level="B", variable="crossover")
    done = view.stat("dst01", "n", group1_level="B", variable="SURGFL", variable_level="Y")
    assert done == ((adsl.ARMCD == "B") & (adsl.SURGFL == "Y")).sum()
    os_ = analysis_frame(jcog, "OS")
    for arm in ("A", "B", "Total"):
        sel = os_ if arm == "Total" else os_[os_.ARMCD == arm]
        assert view.stat("dtht01", "n", group1_level=arm, variable="deaths") == sel.event.sum()
        assert view.stat("dst01.censoring", "n", group1_level=arm,
                         variable="censored") == (1 - sel.event).sum()
    within = view.stat("dtht01", "n", group1_level="B", variable="death_within_days",
                       variable_level=30)
    dead = adtte[(adtte.PARAMCD == "OS") & (adtte.CNSR == 0)].set_index("USUBJID").ADT
    b_res = adsl[(adsl.ARMCD == "B") & adsl.SURGDT.notna()].set_index("USUBJID").SURGDT
    days = (pd.to_datetime(dead.reindex(b_res.index)) - pd.to_datetime(b_res)).dt.days
    assert within == ((days >= 0) & (days <= 30)).sum()


def test_aet_tables_add_up(jcog):
    b = ArdBuilder("06_safety", population="ITTFL")
    aet01_ard(b, jcog.adae, jcog.adsl, "SAFFL", related=["AERELSRG", "AERELSYS"])
    aet02_ard(b, jcog.adae, jcog.adsl, "SAFFL")
    aet04_ard(b, jcog.adae, jcog.adsl, "SAFFL")
    view = _view(b)
    any_ae = {a: view.stat("aet01", "n", group1_level=a, variable="any_ae")
              for a in ("A", "B", "Total")}
    assert any_ae["A"] + any_ae["B"] == any_ae["Total"]
    grades = view.rows("aet04", group2_level="", stat_name="n")
    for arm in ("A", "B", "Total"):
        g = grades[grades.group1_level == arm].set_index("variable_level")["stat"]
        assert g[["1", "2", "3", "4", "5"]].sum() == g["1-5"] == any_ae[arm]
    # AET02: classes by descending number of patients in total
    socs = view.rows("aet02", group1_level="Total", variable="", stat_name="n")
    socs = socs[socs.group2_level != ""]["stat"].to_numpy()
    assert (np.diff(socs) <= 0).all() and len(socs) == jcog.adae.AEBODSYS.nunique()


def _study(outputs: dict) -> dict:
    import yaml

    data = yaml.safe_load((ROOT / "studies" / "jcog1017.yaml").read_text())
    data["outputs"] = outputs
    return data


@pytest.mark.parametrize("outputs, key", [
    ({"disposition": {"crossover": {"paramcd": "PTRFS"}}}, "outputs.disposition.crossover"),
    ({"deaths": {"cause": "DTHCAUS"}}, "outputs.deaths.cause"),
    ({"safety": {"ctcae": "5.0"}}, "outputs.safety"),
    ({"disposition": {"procedure": {"variable": "SURGFL"}}},  # moved: one key, study.procedure
     "outputs.disposition.procedure"),
    ({"safety": {"related": ["AE REL"]}}, "outputs.safety.related"),
])
def test_bad_outputs_configuration_names_the_key(outputs, key):
    with pytest.raises(StudyConfigError, match=key.replace(".", r"\.")):
        parse_study(_study(outputs), "studies/x.yaml", Path("studies/x.yaml"))


def test_the_protocol_procedure_is_one_key_read_by_every_output():
    """``study.procedure`` is the procedure of chapter 1, chapter 6 and DST01/DTHT01 alike; a
    wrong arm role is refused naming ``study.procedure.arm``."""
    study = load_study("studies/jcog1017.yaml")
    assert study.outputs.disposition.procedure is study.book.procedure
    assert (study.book.procedure.flag, study.book.procedure.arm,
            study.book.procedure.date) == ("SURGFL", "experimental", "SURGDT")
    data = _study({})
    data["study"]["procedure"]["arm"] = "B"
    with pytest.raises(StudyConfigError, match=r"study\.procedure\.arm.*control, experimental, both"):
        parse_study(data, "studies/x.yaml", Path("studies/x.yaml"))


def test_coxt02_levels_are_the_labels_the_data_hold_in_configured_order():
    """COXT02's reference level is the first configured level as the analysis data hold it:
    the label where the study labels levels (pharmaverse SEX: F -> Female), not the raw value
    (which the mapped data no longer hold, so the reference fell back to the alphabetical one)."""
    study = load_study("studies/pharmaverse.yaml")
    assert study.shown_levels()["SEX"] == ("Female", "Male")
    assert study.levels()["SEX"] == ("F", "M")
    assert study.shown_levels()["BMRKR2"] == ("LOW", "MEDIUM", "HIGH")
