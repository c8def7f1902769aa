"""Tables on hand-made ADSL/ADAE: exact strings of counts and percentages."""

import math

import numpy as np
import pandas as pd
import pytest

from helpers.analyses.baseline import baseline_ard
from helpers.analyses.populations import consort_counts, flow_ard, populations_ard
from helpers.ard import ArdBuilder, ArdView
from helpers.config.study.config import Variable
from helpers.report.format import fill_stat_fmt
from helpers.analyses.safety import treatment_related_deaths
from helpers.report.format import format_hr, format_median, format_n_pct, format_p
from helpers.report.tables import (
    ae_table, hazard_ratio_table, operative_morbidity_table, reproduction_table, table1,
)


@pytest.fixture
def adsl():
    # 8 registered: 6 randomised (A: 3, B: 3), 2 not randomised
    return pd.DataFrame({
        "USUBJID": [f"S{i}" for i in range(1, 9)],
        "RANDFL": ["Y"] * 6 + ["N", "N"],
        "NRANDRS": [""] * 6 + ["Progressive disease", "Patient refusal"],
        "ARMCD": ["A", "A", "A", "B", "B", "B", None, None],
        "ARM": ["Systemic therapy alone"] * 3 + ["Resection + systemic therapy"] * 3 + [None, None],
        "ITTFL": ["Y"] * 6 + ["N", "N"],
        "PPROTFL": ["Y", "Y", "N", "Y", "Y", "Y", "N", "N"],
        "SAFFL": ["Y", "Y", "Y", "Y", "Y", "N", "N", "N"],
        "SURGFL": ["N", "N", "N", "Y", "Y", "N", "N", "N"],
        "RESECT": ["", "", "", "Complete (R0)", "Incomplete (R1/R2)", "", "", ""],
        "AGE": [40, 50, 61, 45, 70, 55, 60, 65],
        "MENOPAUS": ["Pre", "Post", "Post", "Pre", "Post", np.nan, "Post", "Post"],
        "METBONE": ["Y", "N", "Y", "Y", "Y", "N", "N", "Y"],
    })


def test_consort_counts(adsl):
    c = consort_counts(adsl, pp_reasons={"A": "Primary tumour resection within 12 months"})
    assert (c["registered"], c["randomised"], c["not_randomised"]) == (8, 6, 2)
    assert c["not_randomised_reasons"] == {"Progressive disease": 1, "Patient refusal": 1}
    a, b = c["arms"]["A"], c["arms"]["B"]
    assert a == {"label": "Systemic therapy alone", "randomised": 3, "itt": 3, "per_protocol": 2,
                 "safety": 3, "surgery": 0, "detail": {},
                 "per_protocol_excluded": {"Primary tumour resection within 12 months": 1}}
    assert (b["randomised"], b["itt"], b["per_protocol"], b["safety"], b["surgery"]) == (3, 3, 3, 2, 2)
    assert b["detail"] == {"Complete (R0)": 1, "Incomplete (R1/R2)": 1}
    assert b["per_protocol_excluded"] == {}  # every arm B patient here is per protocol


def view_of(add) -> ArdView:
    """The rows ``add(builder)`` makes, with stat_fmt, as a notebook's ``nb.ard_view()``."""
    b = ArdBuilder("t", population="ITTFL")
    add(b)
    return ArdView(fill_stat_fmt(b.frame()))


LABELS = {"A": "Systemic therapy alone", "B": "Resection + systemic therapy"}
BASELINE = [Variable("AGE", "Age, years", "continuous"), Variable("MENOPAUS", "Menopausal status"),
            Variable("METBONE", "Bone metastasis", "flag")]


def test_table1_exact_strings(adsl):
    itt = adsl[adsl["ITTFL"] == "Y"]
    view = view_of(lambda b: baseline_ard(b, itt, BASELINE, population="ITTFL"))
    t = table1(view, BASELINE, LABELS)
    assert list(t.columns) == ["Characteristic", "Statistic", "Systemic therapy alone (N=3)",
                               "Resection + systemic therapy (N=3)", "Total (N=6)"]
    rows = {(r[0], r[1]): r[2:] for r in t.itertuples(index=False)}
    assert rows[("Age, years", "n")] == ("3", "3", "6")
    assert rows[("Age, years", "Mean (SD)")] == ("50.3 (10.5)", "56.7 (12.6)", "53.5 (10.9)")
    assert rows[("Age, years", "Median (min–max)")] == ("50.0 (40.0–61.0)", "55.0 (45.0–70.0)",
                                                        "52.5 (40.0–70.0)")
    # percentages of the patients with a value (as {cards} and the R QC)
    assert rows[("Menopausal status", "Post")] == ("2 (66.7%)", "1 (50.0%)", "3 (60.0%)")
    assert rows[("Menopausal status", "Pre")] == ("1 (33.3%)", "1 (50.0%)", "2 (40.0%)")
    assert rows[("Menopausal status", "Missing")] == ("0", "1", "1")
    assert rows[("Bone metastasis", "n (%)")] == ("2 (66.7%)", "2 (66.7%)", "4 (66.7%)")
    assert [r for r in t["Characteristic"]] == ["Age, years"] * 3 + ["Menopausal status"] * 3 + ["Bone metastasis"]
    assert t.attrs["N"]["Total (N=6)"] == 6
    printed = " ".join(t.iloc[:, 2:].to_numpy().ravel())
    assert not any(bad in printed for bad in ("nan", "None", "True", ".0000"))


def test_baseline_ard_as_the_qc_catalogue(adsl):
    """{cards}' statistics: quantiles of type 2, N of the patients with a value, a configured
    level that no patient has is a row of 0, N_miss only where a value is missing."""
    itt = adsl[adsl["ITTFL"] == "Y"]
    variables = [BASELINE[0], Variable("MENOPAUS", "Menopausal status", "categorical",
                                       ("Peri", "Pre", "Post"))]
    view = view_of(lambda b: baseline_ard(b, itt, variables, population="ITTFL"))
    age = {r.stat_name: r.stat for r in view.rows("baseline.AGE", group1_level="Total").itertuples()}
    assert (age["N"], age["N_miss"], age["p25"], age["p75"], age["min"], age["max"]) == (6, 0, 45, 61, 40, 70)
    assert age["sd"] == pytest.approx(np.std([40, 50, 61, 45, 70, 55], ddof=1))
    assert view.stat("baseline.MENOPAUS", "N", group1_level="B", variable_level="Pre") == 2
    assert view.stat("baseline.MENOPAUS", "n", group1_level="Total", variable_level="Peri") == 0
    assert view.stat("baseline.MENOPAUS", "N_miss", group1_level="B") == 1
    assert not view.has("baseline.AGE", stat_name="N_miss", variable_level="x")
    t = table1(view, variables, LABELS)
    assert list(t["Statistic"])[3:] == ["Peri", "Pre", "Post", "Missing"]
    assert t.iloc[3, 2:].tolist() == ["0", "0", "0"]


@pytest.fixture
def adae():
    return pd.DataFrame({
        "USUBJID": ["S1", "S1", "S2", "S4", "S4", "S5", "S6", "S7"],
        "AESEQ": [1, 2, 1, 1, 2, 1, 1, 1],
        "AEDECOD": ["Neutropenia", "Neutropenia", "Nausea", "Wound infection", "Neutropenia",
                    "Wound infection", "Nausea", "Nausea"],
        "AEBODSYS": ["Blood", "Blood", "GI", "Infections", "Blood", "Infections", "GI", "GI"],
        "AETOXGR": [2, 4, 1, 3, 3, 2, 5, 1],
        "AESER": ["N", "Y", "N", "Y", "N", "N", "Y", "N"],
        "AERELSRG": ["N", "N", "N", "Y", "N", "Y", "N", "N"],
        "AERELSYS": ["Y", "Y", "Y", "N", "Y", "N", "Y", "Y"],
        "AEPHASE": ["Systemic therapy"] * 3 + ["Operative", "Systemic therapy", "Operative",
                                               "Systemic therapy", "Systemic therapy"],
        "ASTDY": [10, 30, 5, 100, 20, 101, 50, 3],
    })


def test_ae_table_counts_patients_by_worst_grade(adae, adsl):
    t = ae_table(adae, adsl)  # safety: A = S1,S2,S3 (3); B = S4,S5 (2); S6 not in safety set
    a, b = "A (N=3)", "B (N=2)"
    assert list(t.index) == ["Any adverse event", "Neutropenia", "Wound infection", "Nausea"]
    # S1 has neutropenia grade 2 and 4: counted once, at grade 4
    assert t.loc["Neutropenia", (a, "Grade 4")] == "1 (33.3%)"
    assert t.loc["Neutropenia", (a, "Grade 1–2")] == "0"
    assert t.loc["Neutropenia", (b, "Grade 3")] == "1 (50.0%)"
    assert t.loc["Any adverse event", (a, "Grade 4")] == "1 (33.3%)"
    assert t.loc["Any adverse event", (a, "Grade 1–2")] == "1 (33.3%)"
    assert t.loc["Any adverse event", (b, "Grade 3")] == "1 (50.0%)"
    assert t.loc["Any adverse event", (b, "Grade 1–2")] == "1 (50.0%)"
    assert t.loc["Nausea", (b, "Grade 5")] == "0"  # S6 (grade 5) is outside the safety set
    s = ae_table(adae, adsl, bands="summary")
    assert s.loc["Any adverse event", (a, "Any grade")] == "2 (66.7%)"
    assert s.loc["Any adverse event", (b, "Grade ≥3")] == "1 (50.0%)"
    assert s.loc["Wound infection", (b, "Any grade")] == "2 (100.0%)"


def test_operative_morbidity_and_related_deaths(adae, adsl):
    t = operative_morbidity_table(adae, adsl)
    assert list(t.index) == ["Any adverse event", "Wound infection"]
    assert t.loc["Wound infection", ("B (N=2)", "Grade 3")] == "1 (50.0%)"
    assert t.loc["Wound infection", ("B (N=2)", "Grade 1–2")] == "1 (50.0%)"
    assert treatment_related_deaths(adae) == 1
    assert treatment_related_deaths(adae.assign(AERELSYS="N")) == 0


def test_formatting():
    assert format_hr(0.857, 0.686, 1.072, 0.90) == "0.86 (90% CI 0.69–1.07)"
    assert format_hr(float("nan"), 0.1, 0.2) == "NE"
    assert format_p(0.1283) == "0.13"
    assert format_p(0.0014) == "0.0014"
    assert format_p(0.00004) == "< 0.0001"
    assert format_p(0.0004) == "0.0004"
    assert format_p(0.049) == "0.049"
    assert format_median(69.0, 60.12, 78.2) == "69.0 (60.1–78.2)"
    assert format_median(math.nan, 60.1, math.nan) == "NE (60.1–NE)"
    assert format_n_pct(1, 3) == "1 (33.3%)"


def test_hazard_ratio_table_with_strata_footnotes():
    t = hazard_ratio_table([
        {"label": "Stratified Cox", "hr": 0.857, "lower": 0.686, "upper": 1.072, "conf_level": 0.90,
         "p": 0.1283, "strata": "institution, ECOG PS, subtype", "p_label": "one-sided log-rank"},
        {"label": "Unstratified Cox", "hr": 0.87, "lower": 0.66, "upper": 1.14, "conf_level": 0.95,
         "p": None, "strata": None},
    ])
    assert t.to_dict("records") == [
        {"Analysis": "Stratified Cox a", "HR": "0.86", "CI": "90% CI 0.69–1.07",
         "p": "0.13 (one-sided log-rank)"},
        {"Analysis": "Unstratified Cox", "HR": "0.87", "CI": "95% CI 0.66–1.14", "p": "–"},
    ]
    assert t.attrs["footnotes"] == ["a Stratified by institution, ECOG PS, subtype."]


def test_reproduction_table_differences():
    t = reproduction_table({"results.os.hazard_ratio": 0.85, "results.os.hazard_ratio.ci_lower": 0.69,
                            "design.required_events": 359}).set_index("figure")
    assert t.loc["results.os.hazard_ratio", "published"] == 0.857
    assert t.loc["results.os.hazard_ratio", "difference"] == pytest.approx(-0.007)
    assert t.loc["results.os.hazard_ratio.ci_lower", "difference"] == pytest.approx(0.004)
    assert t.loc["design.required_events", "difference"] == 0
    assert np.isnan(t.loc["results.os.deaths", "computed"])
    assert not any(f.startswith("results.other") for f in t.index)  # uncertain entries skipped
    assert t.loc["results.safety.treatment_related_deaths", "published"] == 0
    with pytest.raises(KeyError, match="results.os.hr"):
        reproduction_table({"results.os.hr": 0.85})
    custom = reproduction_table({"x": 2.0}, published=[{"path": "x", "value": 4, "source": "test"}])
    assert custom.loc[0, "relative_difference"] == -0.5


def test_safety_counts_patients_of_the_safety_set(adae, adsl):
    from helpers.analyses.safety import safety_counts

    c = safety_counts(adae, adsl)  # safety: A = S1,S2,S3; B = S4,S5 (S6's grade 5 is outside)
    assert c["safety_n"] == {"A": 3, "B": 2}
    assert c["patients_any_ae"] == {"A": 2, "B": 2}
    assert c["patients_grade3_or_worse"] == {"A": 1, "B": 1}
    assert c["patients_serious_ae"] == {"A": 1, "B": 1}
    assert c["patients_grade5"] == {"A": 0, "B": 0} and c["treatment_related_deaths"] == 0
    assert c["operative_morbidity"] == {"operated": 2, "any_grade": 2, "grade3_or_worse": 1}


def test_clinical_level_order_and_baseline_highlights(adsl):
    from helpers.report.tables.baseline import baseline_highlights, in_clinical_order

    ordered = in_clinical_order(adsl.assign(MENOPAUS=adsl["MENOPAUS"].replace(
        {"Pre": "Premenopausal", "Post": "Postmenopausal"})), {"MENOPAUS": ["Premenopausal", "Postmenopausal"]})
    assert list(ordered["MENOPAUS"].cat.categories) == ["Premenopausal", "Postmenopausal"]
    menopause = [Variable("MENOPAUS", "Menopausal status", "categorical",
                          ("Premenopausal", "Postmenopausal"))]
    view = view_of(lambda b: baseline_ard(b, ordered[ordered["ITTFL"] == "Y"], menopause,
                                          population="ITTFL"))
    t = table1(view, menopause, LABELS)
    assert list(t["Statistic"]) == ["Premenopausal", "Postmenopausal", "Missing"]
    itt = ordered[ordered["ITTFL"] == "Y"].assign(METGR="Single organ")
    h = baseline_highlights(itt)  # A: S1-S3 (ages 40, 50, 61), B: S4-S6 (45, 70, 55)
    assert h["n"] == {"A": 3, "B": 3, "total": 6}
    assert h["median_age"] == {"A": 50.0, "B": 55.0, "total": 52.5}
    assert h["pct_premenopausal"] == {"A": 33.3, "B": 33.3}
    assert h["pct_single_organ"] == {"A": 100.0, "B": 100.0}


def test_population_tables_from_consort_counts(adsl):
    from helpers.analyses.populations import analysis_set_counts, surgery_counts
    from helpers.report.tables.populations import analysis_sets_table, arm_b_surgery_table, consort_table

    c = consort_counts(adsl)
    view = view_of(lambda b: (flow_ard(b, c), populations_ard(b, c)))
    # the keys of the R QC's catalogue (validation/qc/README.md)
    assert view.stat("flow", "n", variable="registered") == 8
    assert view.stat("flow", "n", variable="randomised", group1_level="B") == 3
    assert view.stat("flow", "n", variable="not_randomised", variable_level="Patient refusal") == 1
    assert view.stat("populations", "p", variable="PPROTFL", group1_level="Total") == 5 / 6
    assert view.row("populations", "n", variable="SAFFL", group1_level="A")["population"] == "SAFFL"
    flow = consort_table(view, LABELS)
    assert flow.loc["Registered", "n"] == "8" and flow.loc["Randomised", "n"] == "6"
    assert flow.loc["    Patient refusal", "n"] == "1"
    assert flow.loc["    Systemic therapy alone (arm A)", "n"] == "3"
    assert analysis_set_counts(c)["PPROTFL"] == {"A": 2, "B": 3, "total": 5}
    labels = {"ITTFL": "Full analysis set", "PPROTFL": "Per-protocol set", "SAFFL": "Safety set"}
    sets = analysis_sets_table(view, labels)
    assert sets.loc["Per-protocol set", "Arm A (randomised N=3)"] == "2 (66.7%)"  # words, not the flag
    assert sets.loc["Safety set", "Total (randomised N=6)"] == "5 (83.3%)"
    assert surgery_counts(c)["not_performed"] == 1
    surgery = arm_b_surgery_table(view, "Resection")
    assert surgery.loc["Resection performed", "Arm B (N=3)"] == "2 (66.7%)"
    assert surgery.loc["    Complete (R0), n (% of performed)", "Arm B (N=3)"] == "1 (50.0%)"
    assert surgery.loc["Resection not performed", "Arm B (N=3)"] == "1 (33.3%)"
