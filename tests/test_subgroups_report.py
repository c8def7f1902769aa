"""helpers.analyses.subgroups: the forest table of notebook 05 built from subgroup_analysis."""

from __future__ import annotations

from pathlib import Path

from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.analyses.subgroups import OVERALL, subgroup_report
from helpers.ard import ArdBuilder, ArdView
from helpers.analyses.subgroups import subgroup_ard
from helpers.report.format import fill_stat_fmt
from helpers.report.subgroups import forest_table, subgroup_results_text, subgroup_table
from helpers.survival import subgroup_analysis
from helpers.survival.cox import cox_hazard_ratio

DATA = Path(__file__).resolve().parents[1] / "data"


def test_forest_table_rows_equal_the_survival_functions():
    frame = analysis_frame(load_trial_data(DATA), "OS")
    report = subgroup_report(frame, ["MENOPAUS", "AGE"], strata=["ER"])
    overall = report.table.iloc[0]
    assert overall["variable"] == OVERALL and overall["n"] == 407
    assert overall["hr"] == cox_hazard_ratio(frame, "time", "event", "ARMCD", "B", strata=["ER"],
                                             conf_level=0.95).hr
    direct = subgroup_analysis(frame, "time", "event", "ARMCD", "B", ["MENOPAUS"], strata=["ER"])
    rows = report.table[report.table["variable"] == "MENOPAUS"]
    assert list(rows["hr"]) == list(direct.table["hr"])
    inter = report.interaction.set_index("variable")
    assert inter.loc["MENOPAUS", "p"] == direct.interaction["p"].iloc[0]
    assert "median" in report.notes["AGE"]  # a numeric subgroup is split at its median
    assert len(report.table[report.table["variable"] == "AGE"]) == 2
    b = ArdBuilder("05_subgroups", population="ITTFL")
    subgroup_ard(b, report, paramcd="OS")
    view = ArdView(fill_stat_fmt(b.frame()))
    shown = subgroup_table(view, {"MENOPAUS": "Menopausal status", "AGE": "Age"})
    assert list(shown.columns[-2:]) == ["HR (95% CI)", "p for interaction"]
    assert (shown["p for interaction"] != "").sum() == 2  # once per factor
    # the all-patients row names its model (stratified here), not the primary analysis
    assert shown["Subgroup"].iloc[0] == "All patients, stratified"
    assert view.stat("subgroup.MENOPAUS", "p.value.interaction", group2_level="") == \
        inter.loc["MENOPAUS", "p"]
    levels = view.rows("subgroup.MENOPAUS", stat_name="estimate")["group2_level"].tolist()
    assert levels == [str(v) for v in direct.table["level"]]  # data levels, not labels
    assert list(forest_table(view, {})["hr"].iloc[1:3]) == list(rows["hr"])


def test_below_one_is_decided_on_the_printed_limit():
    """Issue 19: a level whose upper limit prints as 1.00 is not called beneficial."""
    import pandas as pd
    from helpers.report.stats import below

    assert below("0.99", 1) and not below("1.00", 1) and below("< 0.0001", 0.05)
    assert not below("", 1) and not below("0.050", 0.05)
