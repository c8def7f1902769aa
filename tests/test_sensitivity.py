"""helpers.analyses.sensitivity: the primary OS comparison under other analysis choices."""

from __future__ import annotations

from pathlib import Path

from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.config.params import validate
from helpers.analyses.sensitivity import SensitivitySettings, sensitivity_analyses, sensitivity_ard
from helpers.config.study import load_study
from helpers.survival.cox import cox_hazard_ratio

DATA = Path(__file__).resolve().parents[1] / "data"


def test_sensitivity_rows_are_the_named_models():
    data = load_trial_data(DATA)
    study = load_study()
    frame, pp = analysis_frame(data, "OS"), analysis_frame(data, "OS", population="PPROTFL")
    params = validate({})
    settings = SensitivitySettings.from_params(params, covariates=study.covariates,
                                               columns=frame.columns, per_protocol="PPROTFL")
    res = sensitivity_analyses(frame, pp, settings)
    rows, ph = res.rows, res.ph
    assert list(rows) == ["primary", "unstratified", "adjusted", "breslow", "per_protocol"]
    strata = list(params["strata"])
    for key, kwargs, data_ in (("primary", {"strata": strata}, frame),
                               ("unstratified", {}, frame),
                               ("breslow", {"strata": strata, "ties": "breslow"}, frame),
                               ("per_protocol", {"strata": strata}, pp)):
        hr = cox_hazard_ratio(data_, "time", "event", "ARMCD", "B", conf_level=0.90, **kwargs)
        assert rows[key]["hr"] == hr.hr and rows[key]["n"] == hr.n, key
        assert rows[key]["conf_level"] == 0.90
    assert rows["unstratified"]["strata"] is None and rows["per_protocol"]["n"] < rows["primary"]["n"]
    assert rows["adjusted"]["p_label"] == "one-sided Wald"
    assert set(ph) == {"Primary (stratified)", "Covariate-adjusted"}
    assert all(0 <= t.global_p <= 1 for t in ph.values())


def test_without_covariates_or_per_protocol_rows_are_left_out():
    data = load_trial_data(DATA)
    frame = analysis_frame(data, "OS")
    res = sensitivity_analyses(frame, None, SensitivitySettings.from_params(
        validate({}), covariates=["NOT_IN_DATA"], columns=frame.columns))
    assert list(res.rows) == ["primary", "unstratified", "breslow"]
    assert set(res.ph) == {"Primary (stratified)"}
    assert res.settings.absent == ("NOT_IN_DATA",)


def test_chapter_7_prints_its_ard_rows():
    """Every number of chapter 7's tables and sentences is a stat_fmt of its ARD: the RMST
    difference is its own row (not the difference of the printed arms), and the text says so
    when the two disagree; "included 1" follows the printed limits."""
    from helpers.ard import ArdBuilder, ArdView
    from helpers.report import sensitivity as report
    from helpers.report.format import fill_stat_fmt

    data = load_trial_data(DATA)
    frame = analysis_frame(data, "OS")
    settings = SensitivitySettings.from_params(
        validate({}), covariates=load_study().covariates, columns=frame.columns,
        per_protocol="PPROTFL")
    res = sensitivity_analyses(frame, analysis_frame(data, "OS", population="PPROTFL"), settings)
    b = ArdBuilder("07_sensitivity", population="ITTFL")
    sensitivity_ard(b, res)
    view = ArdView(fill_stat_fmt(b.frame()))
    table = report.sensitivity_table(view, settings)
    assert list(table["HR"]) == [view.fmt(f"OS.{a}", "estimate") for a in (
        "cox.reference", "cox.unstratified", "cox.adjusted", "cox.breslow", "cox.per_protocol")]
    assert table["p"].iloc[2].endswith("(one-sided Wald)")
    assert table["p"].iloc[0] == f"{view.fmt('OS.logrank.reference', 'p.value.one.sided')} (one-sided log-rank)"
    rmst = report.rmst_table(view, settings, {"A": "a", "B": "b"})
    diff = view.fmt("OS.rmst", "estimate", group1_level="B vs A")
    assert rmst["RMST, months"].iloc[2] == diff
    arms = [float(view.fmt("OS.rmst", "estimate", group1_level=c)) for c in "AB"]
    agree = abs(arms[1] - arms[0] - float(diff)) < 1e-9
    text = report.rmst_text(view, settings, {"A": "a", "B": "b"})
    assert ("unrounded" in text) is (not agree)
    assert ("unrounded" in report.rmst_note(view, settings)) is (not agree)
    assert report.ph_table(view, settings, {})["Term"].iloc[-1] == "Global"


def test_adjusted_model_drops_a_constant_covariate_with_a_note():
    """Issue 9/10: a constant covariate (e.g. one menopausal status only) no longer breaks the
    model or the PH test (was an IndexError in schoenfeld_test); the row says it was dropped."""
    from helpers.analyses.sensitivity import adjusted_row
    from helpers.survival.ph import schoenfeld_test

    frame = analysis_frame(load_trial_data(DATA), "OS").assign(MENOPAUS="Post")
    row, hr = adjusted_row(frame, "adjusted", ["AGE", "MENOPAUS", "ECOG"])
    assert row["note"] == "MENOPAUS dropped: constant" and row["hr"] == hr.hr > 0
    assert schoenfeld_test(hr).terms == ["ARMCD", "AGE", "ECOG"]
