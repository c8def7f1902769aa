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


def safety_counts(adae: pd.DataFrame, adsl: pd.DataFrame, flag: str = "SAFFL",
                  procedure_flag: str | None = "SURGFL") -> dict:
    """Patients (not events) per arm of the safety set (``flag`` == "Y", compared arms) with
    any AE, grade >= 3, serious (AESER), grade 5; treatment-related deaths (patients;
    AERELSRG/AERELSYS); operative morbidity of arm B patients who had the protocol procedure (any grade, grade >= 3;
    AEPHASE, ``procedure_flag``: the study's procedure, None for none). Keys as the safety
    notebook's results; a figure whose columns ADSL/ADAE lack is left out."""
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
    if "AEPHASE" in events and procedure_flag and procedure_flag in safety:
        operated = safety[(safety["ARMCD"] == "B") & _y(safety[procedure_flag])]["USUBJID"]
        operative = (events["AEPHASE"] == "Operative") & events["USUBJID"].isin(operated)
        out["operative_morbidity"] = {
            "operated": int(len(operated)), "any_grade": patients(operative).get("B", 0),
            "grade3_or_worse": patients(operative & (grade >= 3)).get("B", 0)}
    return out


#: Worst-grade bands of the AE tables: ARD level -> CTCAE grades (QC: safety.ae_worst_grade).
WORST_BANDS = {"1-2": (1, 2), "3": (3,), "4": (4,), "5": (5,)}
#: Summary bands (any grade, grade >= 3): ARD level -> grades.
SUMMARY_BANDS = {"1-5": (1, 2, 3, 4, 5), "3-5": (3, 4, 5)}


def worst_grades(adae: pd.DataFrame, arm_of: pd.Series, term: str = "AEDECOD") -> pd.DataFrame:
    """One row per arm, term and patient with the patient's worst grade of that term; term ""
    is any AE. ``arm_of``: USUBJID -> arm of the population (AEs of others ignored)."""
    events = adae[adae["USUBJID"].isin(arm_of.index)].copy()
    events["grade"] = pd.to_numeric(events["AETOXGR"])
    events = events[events["grade"].notna()]
    events["arm"] = events["USUBJID"].map(arm_of)
    both = pd.concat([events.assign(**{term: ""}), events])
    return (both.groupby(["arm", term, "USUBJID"], sort=False)["grade"].max().reset_index()
            .rename(columns={term: "term"}))


def term_order(worst: pd.DataFrame) -> list[str]:
    """Terms by descending number of patients, then name ("" for any AE first)."""
    counts = worst[worst["term"] != ""].groupby("term")["USUBJID"].nunique().reset_index()
    return [""] + counts.sort_values(["USUBJID", "term"], ascending=[False, True])["term"].tolist()


def add_grade_table(b, analysis_id: str, worst: pd.DataFrame, n_arm: dict, bands: dict, *,
                    output_id: str = "", population: str | None = None,
                    arm: str = "ARMCD") -> None:
    """Per arm, term (``group2`` AEDECOD; empty for any AE) and band (``variable`` AETOXGR,
    level the band): patients ``n`` whose worst grade falls in the band, ``N`` the arm's
    denominator, ``p`` = n / N. Terms in ``term_order``."""
    a = b.analysis(analysis_id, "count", "tabulate", output_id=output_id, population=population,
                   group1=arm, variable="AETOXGR")
    for term in term_order(worst):
        for code, N in n_arm.items():
            w = worst[(worst["arm"] == code) & (worst["term"] == term)]["grade"]
            g = a.scoped(group1_level=code, group2="AEDECOD" if term else "", group2_level=term)
            for level, grades in bands.items():
                n = int(w.isin(grades).sum())
                g.add("n", n, "n", variable_level=level)
                g.add("N", N, "N", variable_level=level)
                g.add("p", n / N if N else None, "%", variable_level=level,
                      warning="" if N else "no patients")


def safety_ard(b, adae: pd.DataFrame, adsl: pd.DataFrame, counts: dict, flag: str = "SAFFL",
               procedure_flag: str | None = "SURGFL") -> None:
    """The safety chapter's rows (docs/ard.md): ``safety.ae_patients`` (per arm: any AE,
    grade >= 3, grade 5, serious; ``n``, ``N``, ``p``), ``safety.ae_worst_grade`` and
    ``safety.ae_summary`` (per term: worst grade 1-2/3/4/5; any grade 1-5 and 3-5),
    ``safety.sae_summary`` (serious AEs), ``safety.operative_morbidity`` (arm B
    patients with the procedure: any grade, grade >= 3) with ``safety.operative_worst_grade``, and
    ``safety.treatment_related_deaths`` (``n``). ``counts``: ``safety_counts``'s result."""
    safety = adsl[_y(adsl[flag]) & adsl["ARMCD"].notna()]
    arm_of = safety.set_index("USUBJID")["ARMCD"]
    n_arm = {arm: int(n) for arm, n in counts["safety_n"].items()}
    a = b.analysis("safety.ae_patients", "count", "tabulate", output_id="tbl-ae",
                   population=flag, group1="ARMCD")
    for variable, key in (("any_ae", "patients_any_ae"), ("grade3plus_ae", "patients_grade3_or_worse"),
                          ("grade5_ae", "patients_grade5"), ("serious_ae", "patients_serious_ae")):
        if key not in counts:
            continue
        for code, N in n_arm.items():
            n = counts[key][code]
            g = a.scoped(group1_level=code, variable=variable)
            g.add("n", n, "n")
            g.add("N", N, "N")
            g.add("p", n / N if N else None, "%", warning="" if N else "no patients")
    worst = worst_grades(adae, arm_of)
    add_grade_table(b, "safety.ae_worst_grade", worst, n_arm, WORST_BANDS,
                    output_id="tbl-ae-worst-grade", population=flag)
    add_grade_table(b, "safety.ae_summary", worst, n_arm, SUMMARY_BANDS, output_id="tbl-ae",
                    population=flag)
    if "AESER" in adae:
        add_grade_table(b, "safety.sae_summary", worst_grades(adae[_y(adae["AESER"])], arm_of),
                        n_arm, SUMMARY_BANDS, output_id="tbl-sae", population=flag)
    if "treatment_related_deaths" in counts:
        b.analysis("safety.treatment_related_deaths", "count", "tabulate", population=flag,
                   variable="treatment_related_death").add(
            "n", counts["treatment_related_deaths"], "Patients")
    if "operative_morbidity" in counts:
        om = counts["operative_morbidity"]
        N = om["operated"]
        a = b.analysis("safety.operative_morbidity", "count", "tabulate", population=flag,
                       output_id="tbl-operative-morbidity", group1="ARMCD", group1_level="B")
        for variable, n in (("any_ae", om["any_grade"]), ("grade3plus_ae", om["grade3_or_worse"])):
            g = a.scoped(variable=variable)
            g.add("n", n, "n")
            g.add("N", N, "N (operated)")
            g.add("p", n / N if N else None, "%", warning="" if N else "no operated patients")
        operated = safety[(safety["ARMCD"] == "B") & _y(safety[procedure_flag])]
        operative = adae[adae["AEPHASE"] == "Operative"]
        add_grade_table(b, "safety.operative_worst_grade",
                        worst_grades(operative, operated.set_index("USUBJID")["ARMCD"]),
                        {"B": N}, WORST_BANDS, output_id="tbl-operative-morbidity",
                        population=flag)
