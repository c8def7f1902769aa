"""The analysis results data (docs/ard.md): schema checks and the survival builders."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.ard import ARD_COLUMNS, ArdBuilder, ArdSchemaError, ArdView, combine, validate_ard
from helpers.ard.build import level_text
from helpers.ard.survival import add_cox, add_followup, add_km, add_logrank, add_rmst
from helpers.survival import (cox_hazard_ratio, km_by_group, logrank_test, median_follow_up,
                              rmst_difference)


@pytest.fixture(scope="module")
def os_frame():
    from helpers.data.trial_data import analysis_frame, load_trial_data

    return analysis_frame(load_trial_data("data"), "OS")


def _builder() -> ArdBuilder:
    return ArdBuilder("03_overall_survival", population="ITTFL")


def test_level_text_prints_numbers_as_the_report_does():
    assert [level_text(v) for v in (36.0, 0.5, 3, None, "B", True)] == ["36", "0.5", "3", "", "B", "Y"]


def test_builder_rows_follow_the_schema_and_keep_not_estimable_rows():
    b = _builder()
    a = b.analysis("OS.cox.primary", "coxph_strat_efron", "coxph", paramcd="OS", conf_level=0.9,
                   group1="ARMCD", group1_level="B vs A")
    a.add("estimate", float("nan"), "Hazard ratio", warning="not estimable (no events in arm B)")
    a.add("n", 12, "N")
    ard = b.frame()
    assert list(ard.columns) == list(ARD_COLUMNS)
    assert math.isnan(ard.loc[0, "stat"]) and ard.loc[0, "warning"].startswith("not estimable")
    assert ard.loc[1, "stat"] == 12.0 and ard.loc[1, "data_cut"] == ""


def test_schema_names_every_problem_with_rows():
    b = _builder()
    a = b.analysis("OS.km", "km_loglog", "survfit", group1="ARMCD", group1_level="A")
    a.add("n", 5, "N")
    a.add("n", 6, "N")  # the same key twice
    df = pd.DataFrame(b.rows)
    df.loc[1, "stat_label"] = ""
    df.loc[0, "stat"] = float("nan")
    with pytest.raises(ArdSchemaError) as err:
        validate_ard(df, "ARD of notebook 03")
    text = str(err.value)
    assert "ARD of notebook 03" in text and "stat_label empty in rows 1" in text
    assert "share the key" in text and "rows 0, 1" in text
    assert "without a warning or error in rows 0" in text
    with pytest.raises(ArdSchemaError, match="missing column"):
        validate_ard(df.drop(columns=["stat"]))


def test_combined_ard_refuses_a_key_used_by_two_notebooks():
    one = _builder()
    one.analysis("OS.km", "km_loglog", "survfit", group1="ARMCD", group1_level="A").add("n", 5, "N")
    two = ArdBuilder("04_lrfs", population="ITTFL")
    two.analysis("OS.km", "km_loglog", "survfit", group1="ARMCD", group1_level="A").add("n", 5, "N")
    with pytest.raises(ArdSchemaError, match="share the key"):
        combine([one.frame(), two.frame()])


def test_survival_rows_equal_the_result_objects(os_frame, tmp_path):
    strata = ["ER", "HER2", "METGR"]
    b = _builder()
    km = km_by_group(os_frame, "time", "event", "ARMCD", 0.95, "log-log")
    add_km(b, "OS.km", km, [36, 60, 500], arm="ARMCD", paramcd="OS", output_id="tbl-os-summary")
    hr = cox_hazard_ratio(os_frame, "time", "event", "ARMCD", "B", strata=strata, conf_level=0.9)
    add_cox(b, "OS.cox.primary", hr, paramcd="OS", output_id="tbl-os-cox")
    lr = logrank_test(os_frame, "time", "event", "ARMCD", strata=strata, experimental="B")
    add_logrank(b, "OS.logrank", lr, arm="ARMCD", control="A", paramcd="OS")
    fu = median_follow_up(os_frame, "time", "event")
    add_followup(b, "OS.followup", fu, paramcd="OS")
    rm = rmst_difference(os_frame, "time", "event", "ARMCD", 60, experimental="B")
    add_rmst(b, "OS.rmst", rm, arm="ARMCD", paramcd="OS")
    view = ArdView(b.frame())
    assert view.stat("OS.cox.primary", "estimate") == hr.hr
    assert view.row("OS.cox.primary", "conf.low")["conf_level"] == 0.9
    assert view.row("OS.cox.primary", "estimate")["method_id"] == "coxph_strat_efron"
    assert view.stat("OS.km", "estimate", group1_level="A", variable="prob") == km["A"].median
    at = km["B"].survival_at([60]).iloc[0]
    assert view.stat("OS.km", "conf.high", group1_level="B", variable_level=60) == at["upper"]
    assert view.reason("OS.km", "estimate", group1_level="B", variable_level=500).startswith(
        "not estimable: beyond the last follow-up")
    assert view.stat("OS.logrank", "p.value.one.sided") == lr.p_one_sided
    assert view.stat("OS.followup", "estimate", variable="prob") == fu.median
    assert view.stat("OS.rmst", "estimate", group1_level="B vs A") == rm.difference
    # round trip through the published formats keeps every value to the last bit
    ard = view.ard
    ard.to_parquet(tmp_path / "ard.parquet", index=False)
    back = validate_ard(pd.read_parquet(tmp_path / "ard.parquet"))
    pd.testing.assert_frame_equal(back, ard)
    ard.to_csv(tmp_path / "ard.csv", index=False, float_format="%.17g")
    csv = validate_ard(pd.read_csv(tmp_path / "ard.csv", keep_default_na=False,
                                   na_values={"stat": [""], "conf_level": [""]}))
    pd.testing.assert_frame_equal(csv, ard)
