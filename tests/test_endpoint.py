"""helpers.analyses.endpoint: one endpoint's standard analysis, assembled from helpers.survival (each
piece validated against R in tests/test_survival_*.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.analyses.endpoint import EndpointSettings, analyse_endpoint, endpoint_ard, endpoint_settings
from helpers.ard import ArdBuilder, ArdView
from helpers.config.params import validate
from helpers.survival import kaplan_meier, logrank_test
from helpers.survival.cox import cox_hazard_ratio
from helpers.config.study import load_study
from helpers.report.endpoint import cox_table, km_annotation, summary_table
from helpers.report.format import fill_stat_fmt
from helpers.report.text.endpoint import results_paragraph

DEFAULT_STRATA = load_study().strata  # the JCOG1017 study configuration's

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def frame():
    return analysis_frame(load_trial_data(DATA), "OS")


@pytest.fixture(scope="module")
def primary(frame):
    params = validate({})
    return analyse_endpoint(frame, paramcd="OS", **endpoint_settings(params, primary=True))


def test_primary_settings_come_from_the_parameters(primary):
    assert primary.hazard_ratio.conf_level == 0.90 and primary.sided == "one-sided"
    assert primary.strata == list(DEFAULT_STRATA) and primary.km_conf_type == "log-log"
    secondary = endpoint_settings(validate({"conf_level": 0.99}), primary=False)
    assert secondary["hr_conf_level"] == 0.99 and secondary["sided"] == "two-sided"


def test_pieces_equal_the_survival_functions(frame, primary):
    hr = cox_hazard_ratio(frame, "time", "event", "ARMCD", "B", strata=list(DEFAULT_STRATA),
                          conf_level=0.90)
    assert (primary.hazard_ratio.hr, primary.hazard_ratio.upper) == (hr.hr, hr.upper)
    lr = logrank_test(frame, "time", "event", "ARMCD", strata=list(DEFAULT_STRATA),
                      experimental="B")
    assert primary.p_logrank == lr.p_one_sided < lr.p_two_sided
    arm_a = frame[frame["ARMCD"] == "A"]
    km_a = kaplan_meier(arm_a, "time", "event")
    assert primary.medians.set_index("group").loc["A", "median"] == km_a.median
    rates = primary.landmarks[primary.landmarks["group"] == "A"]
    assert list(rates["surv"]) == list(km_a.survival_at([36, 60])["surv"])


def view_of(analysis, compare=True) -> ArdView:
    """The ARD rows of one endpoint (``endpoint_ard``) with stat_fmt, as a notebook's view."""
    b = ArdBuilder("03_overall_survival", population="ITTFL")
    endpoint_ard(b, analysis, cox_id="cox.primary", compare=compare)
    return ArdView(fill_stat_fmt(b.frame()))


def settings_of(analysis) -> EndpointSettings:
    return EndpointSettings(strata=tuple(analysis.strata), sided=analysis.sided,
                            hr_conf_level=analysis.hazard_ratio.conf_level)


LABELS = {"A": "Systemic therapy alone", "B": "Resection + systemic therapy"}


def test_settings_object_equals_the_keyword_arguments(frame, primary):
    settings = EndpointSettings(strata=tuple(DEFAULT_STRATA), hr_conf_level=0.90,
                                sided="one-sided", landmarks=(36, 60))
    same = analyse_endpoint(frame, paramcd="OS", settings=settings)
    assert same.to_dict() == primary.to_dict()
    assert settings.p_stat == "p.value.one.sided"
    with pytest.raises(ValueError, match="sided"):
        EndpointSettings(sided="left")


def test_texts_and_tables_show_the_ard_rows(primary):
    hr, view, settings = primary.hazard_ratio, view_of(primary), settings_of(primary)
    text = results_paragraph(view, "OS", settings=settings, arm_labels=LABELS, events="deaths",
                             follow_up=True)
    assert f"{hr.events} deaths" in text and f"{hr.hr:.2f} (90% CI {hr.lower:.2f}–{hr.upper:.2f})" in text
    assert "one-sided stratified log-rank" in text
    assert f"Median follow-up was {primary.follow_up.simple_median:.1f} months" in text
    assert view.fmt("OS.cox.primary", "estimate", group1_level="B vs A") in text
    annotation = km_annotation(view, "OS", arm_labels=LABELS, settings=settings)
    assert f"HR {hr.hr:.2f}" in annotation and "stratified by ER, HER2, METGR" in annotation
    table = summary_table(view, "OS", arm_labels=LABELS, time_unit="months")
    assert list(table["N"]) == ["205", "202"] and "36-month rate, % (95% CI)" in table.columns
    rate = primary.landmarks.iloc[0]
    assert table.iloc[0]["36-month rate, % (95% CI)"] == (
        f"{100 * rate.surv:.1f} ({100 * rate.lower:.1f}–{100 * rate.upper:.1f})")
    cox = cox_table(view, "OS", label="Stratified Cox", settings=settings)
    assert cox.iloc[0]["CI"] == f"90% CI {hr.lower:.2f}–{hr.upper:.2f}"
    assert cox.attrs["footnotes"] == [f"a Stratified by {', '.join(DEFAULT_STRATA)}."]


def test_results_serialise_small(primary):
    out = primary.to_dict()
    assert "km" not in out and "reverse_km" not in out["follow_up"]
    assert "fit" not in out["hazard_ratio"]
    assert len(json.dumps(out)) < 20_000


def test_results_text_states_not_estimable_and_excluded_patients():
    """No events in arm B: the HR is 'not estimable (no events in arm B)', never a number; blank
    strata leave patients out of every analysis of the endpoint alike, and the text says so."""
    frame = analysis_frame(load_trial_data(DATA), "OS")
    frame.loc[frame["ARMCD"] == "B", "event"] = 0
    frame.loc[frame.index[:5], "ER"] = None
    res = analyse_endpoint(frame, paramcd="OS", strata=["ER", "HER2"], sided="one-sided")
    text = results_paragraph(view_of(res), "OS", settings=settings_of(res), arm_labels=LABELS,
                             events="deaths")
    assert "was not estimable (no events in arm B)" in text and "HR" not in text
    assert "5 patients with a missing arm, time, event or stratification factor" in text
    assert res.hazard_ratio.n == res.logrank.n.sum() == len(frame) - 5
    assert res.medians["n"].sum() == len(frame) - 5
