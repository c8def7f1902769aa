"""Safety counts: patients (not events) with adverse events by arm, treatment-related deaths;
the AE tables are ``helpers.report.tables.safety``."""

from __future__ import annotations

import pandas as pd


def _y(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.upper().eq("Y")


def treatment_related_deaths(adae: pd.DataFrame) -> int:
    """Number of patients with a grade 5 AE related to surgery or to systemic therapy
    (AERELSRG or AERELSYS == "Y")."""
    related = _y(adae["AERELSRG"]) | _y(adae["AERELSYS"])
    grade5 = pd.to_numeric(adae["AETOXGR"]) == 5
    return int(adae.loc[related & grade5, "USUBJID"].nunique())


def safety_counts(adae: pd.DataFrame, adsl: pd.DataFrame, flag: str = "SAFFL") -> dict:
    """Patients (not events) per arm of the safety set (``flag`` == "Y", compared arms) with
    any AE, grade >= 3, serious (AESER), grade 5; treatment-related deaths (patients;
    AERELSRG/AERELSYS); operative morbidity of resected arm B patients (any grade, grade >= 3;
    AEPHASE, SURGFL). Keys as the safety notebook's results; a figure whose columns ADSL/ADAE
    lack is left out."""
    safety = adsl[_y(adsl[flag]) & adsl["ARMCD"].notna()]
    arm_of = safety.set_index("USUBJID")["ARMCD"]
    arms = sorted(arm_of.unique())
    events = adae[adae["USUBJID"].isin(arm_of.index)]
    grade = pd.to_numeric(events["AETOXGR"])

    def patients(mask: pd.Series) -> dict:
        n = events.loc[mask, "USUBJID"].drop_duplicates().map(arm_of).value_counts()
        return {arm: int(n.get(arm, 0)) for arm in arms}

    out = {
        "safety_n": {arm: int((arm_of == arm).sum()) for arm in arms},
        "patients_any_ae": patients(grade.notna()),
        "patients_grade3_or_worse": patients(grade >= 3),
        "patients_grade5": patients(grade == 5),
    }
    if "AESER" in events:
        out["patients_serious_ae"] = patients(_y(events["AESER"]))
    if {"AERELSRG", "AERELSYS"} <= set(events.columns):
        out["treatment_related_deaths"] = treatment_related_deaths(events)
    if "AEPHASE" in events and "SURGFL" in safety:
        operated = safety[(safety["ARMCD"] == "B") & _y(safety["SURGFL"])]["USUBJID"]
        operative = (events["AEPHASE"] == "Operative") & events["USUBJID"].isin(operated)
        out["operative_morbidity"] = {
            "operated": int(len(operated)), "any_grade": patients(operative).get("B", 0),
            "grade3_or_worse": patients(operative & (grade >= 3)).get("B", 0)}
    return out
