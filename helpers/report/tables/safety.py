"""Adverse-event tables: patients (not events) by term and worst CTCAE grade."""

from __future__ import annotations

import pandas as pd

from helpers.report.format import format_n_pct

GRADE_BANDS = {
    "worst": [("Grade 1–2", {1, 2}), ("Grade 3", {3}), ("Grade 4", {4}), ("Grade 5", {5})],
    "summary": [("Any grade", {1, 2, 3, 4, 5}), ("Grade ≥3", {3, 4, 5})],
}
ANY_AE = "Any adverse event"


def _y(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.upper().eq("Y")


def _ae_counts(adae: pd.DataFrame, population: pd.DataFrame, by: str, term: str,
               bands: str, order) -> pd.DataFrame:
    if bands not in GRADE_BANDS:
        raise ValueError(f"bands must be one of {list(GRADE_BANDS)}, not {bands!r}")
    arm_of = population.set_index("USUBJID")[by]
    events = adae[adae["USUBJID"].isin(arm_of.index)].copy()
    events["_arm"] = events["USUBJID"].map(arm_of)
    events["AETOXGR"] = pd.to_numeric(events["AETOXGR"])
    any_ae = events.assign(**{term: ANY_AE})
    worst = (pd.concat([any_ae, events]).groupby(["_arm", term, "USUBJID"], sort=False)["AETOXGR"]
             .max().reset_index())
    arms = list(order) if order is not None else sorted(arm_of.unique())
    n_arm = arm_of.value_counts()
    terms = (worst[worst[term] != ANY_AE].groupby(term)["USUBJID"].nunique()
             .reset_index().sort_values(["USUBJID", term], ascending=[False, True])[term].tolist())
    index = [ANY_AE] + terms
    columns, data = [], {}
    for arm in arms:
        arm_worst = worst[worst["_arm"] == arm]
        header = f"{arm} (N={int(n_arm.get(arm, 0))})"
        for band, grades in GRADE_BANDS[bands]:
            counts = arm_worst[arm_worst["AETOXGR"].isin(grades)].groupby(term)["USUBJID"].nunique()
            data[(header, band)] = [format_n_pct(int(counts.get(t, 0)), int(n_arm.get(arm, 0)))
                                    for t in index]
            columns.append((header, band))
    table = pd.DataFrame(data, index=pd.Index(index, name=term), columns=pd.MultiIndex.from_tuples(columns))
    table.attrs["N"] = {str(a): int(n_arm.get(a, 0)) for a in arms}
    return table


def ae_table(
    adae: pd.DataFrame,
    adsl: pd.DataFrame,
    by: str = "ARMCD",
    term: str = "AEDECOD",
    bands: str = "worst",
    order=None,
    flag: str = "SAFFL",
) -> pd.DataFrame:
    """Patients with at least one AE, by ``term`` and worst CTCAE grade, per arm.

    Population: ADSL ``flag`` == "Y" (the safety set; the denominators, one per value of ``by``); AEs of other
    patients are ignored. A patient counts once per term, in the band of their worst grade
    (``bands="worst"``: Grade 1–2, 3, 4, 5) or in every band their worst grade reaches
    (``bands="summary"``: Any grade, Grade ≥3). First row "Any adverse event"; terms by
    descending number of patients, then name. Cells "n (x.x%)" of the arm's safety N.
    Columns: MultiIndex (``"<arm> (N=n)"``, band). ``attrs["N"]``: arm -> N.
    """
    population = adsl[_y(adsl[flag]) & adsl[by].notna()]
    return _ae_counts(adae, population, by, term, bands, order)


def operative_morbidity_table(adae: pd.DataFrame, adsl: pd.DataFrame, term: str = "AEDECOD",
                              bands: str = "worst", flag: str = "SAFFL",
                              procedure_flag: str = "SURGFL") -> pd.DataFrame:
    """Operative morbidity: AEs with AEPHASE == "Operative" in arm B (ARMCD "B") patients in
    the safety set who had the protocol procedure (``procedure_flag`` == "Y"), by worst
    grade; percentages of
    those operated patients. Layout as :func:`ae_table`.
    """
    operated = adsl[_y(adsl[flag]) & (adsl["ARMCD"] == "B") & _y(adsl[procedure_flag])]
    operative = adae[adae["AEPHASE"] == "Operative"]
    return _ae_counts(operative, operated, "ARMCD", term, bands, ["B"])
