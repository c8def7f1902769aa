"""helpers.analyses.sensitivity: the primary OS comparison under other analysis choices."""

from __future__ import annotations

from pathlib import Path

from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.config.params import validate
from helpers.analyses.sensitivity import sensitivity_analyses
from helpers.config.study import load_study
from helpers.survival.cox import cox_hazard_ratio

DATA = Path(__file__).resolve().parents[1] / "data"


def test_sensitivity_rows_are_the_named_models():
    data = load_trial_data(DATA)
    study = load_study()
    frame, pp = analysis_frame(data, "OS"), analysis_frame(data, "OS", population="PPROTFL")
    params = validate({})
    rows, ph = sensitivity_analyses(frame, pp, params, list(study.covariates), "PPROTFL")
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
    rows, ph = sensitivity_analyses(analysis_frame(data, "OS"), None, validate({}), [])
    assert list(rows) == ["primary", "unstratified", "breslow"]
    assert set(ph) == {"Primary (stratified)"}


def test_adjusted_model_drops_a_constant_covariate_with_a_note():
    """Issue 9/10: a constant covariate (e.g. one menopausal status only) no longer breaks the
    model or the PH test (was an IndexError in schoenfeld_test); the row says it was dropped."""
    from helpers.analyses.sensitivity import adjusted_row
    from helpers.survival.ph import schoenfeld_test

    frame = analysis_frame(load_trial_data(DATA), "OS").assign(MENOPAUS="Post")
    row, hr = adjusted_row(frame, "adjusted", ["AGE", "MENOPAUS", "ECOG"])
    assert row["note"] == "MENOPAUS dropped: constant" and row["hr"] == hr.hr > 0
    assert schoenfeld_test(hr).terms == ["ARMCD", "AGE", "ECOG"]
