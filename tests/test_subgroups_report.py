"""helpers.analyses.subgroups: the forest table of notebook 05 built from subgroup_analysis."""

from __future__ import annotations

from pathlib import Path

from helpers.data.trial_data import analysis_frame, load_trial_data
from helpers.analyses.subgroups import OVERALL, subgroup_report
from helpers.report.tables.subgroups import subgroup_table
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
    shown = subgroup_table(report)
    assert list(shown.columns[-2:]) == ["HR (95% CI)", "p for interaction"]
    assert (shown["p for interaction"] != "").sum() == 2  # once per factor
