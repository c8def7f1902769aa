"""What chapter 6 (safety) shows, built from its ARD rows (``safety.*`` of
``helpers.analyses.safety.safety_ard``): the AE tables by term and grade band, the operative
morbidity table and the sentences. Cells "n (x.x%)" (percent of the arm's safety set; "0"
alone when n is 0) are the rows' ``stat_fmt``."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.ard import ArdView
from helpers.core.textsafe import md_text
from helpers.report.names import arm_name

__all__ = ["ANY_AE", "WORST_HEADERS", "SUMMARY_HEADERS", "grade_table", "morbidity_note", "morbidity_text",
           "safety_text", "summary_note"]

ANY_AE = "Any adverse event"
WORST_HEADERS = {"1-2": "Grade 1–2", "3": "Grade 3", "4": "Grade 4", "5": "Grade 5"}
SUMMARY_HEADERS = {"1-5": "Any grade", "3-5": "Grade ≥3"}


def _n_pct(view: ArdView, analysis_id: str, **where) -> str:
    n = view.fmt(analysis_id, "n", **where)
    p = view.fmt(analysis_id, "p", **where)
    return n if n == "0" or not p else f"{n} ({p}%)"


def grade_table(view: ArdView, analysis_id: str, headers: dict,
                arm_header: str = "Arm {code} (N={N})") -> pd.DataFrame:
    """Patients by term (rows; "Any adverse event" first) and band (``headers``: ARD level ->
    column header) per arm (``arm_header`` formatted with the arm's code and N)."""
    rows = view.rows(analysis_id)
    arms = list(dict.fromkeys(rows["group1_level"]))
    terms = list(dict.fromkeys(rows["group2_level"]))
    data, columns = {}, []
    for code in arms:
        N = view.fmt(analysis_id, "N", group1_level=code, group2_level="",
                     variable_level=next(iter(headers)))
        header = arm_header.format(code=code, N=N)
        for level, band in headers.items():
            data[(header, band)] = [_n_pct(view, analysis_id, group1_level=code,
                                           group2_level=term, variable_level=level)
                                    for term in terms]
            columns.append((header, band))
    index = pd.Index([t or ANY_AE for t in terms], name="Preferred term")
    return pd.DataFrame(data, index=index, columns=pd.MultiIndex.from_tuples(columns))


def _arms(view: ArdView, variable: str) -> list[str]:
    return list(dict.fromkeys(view.rows("safety.ae_patients", variable=variable)["group1_level"]))


def safety_text(view: ArdView) -> str:
    """Patients with any AE, grade >= 3 and serious AEs per arm (named as
    ``view.arm_names`` says), grade 5 events and how many were treatment-related deaths."""
    aid = "safety.ae_patients"

    def per_arm(variable: str, suffix: str) -> str:
        return " and ".join(f"{_n_pct(view, aid, group1_level=c, variable=variable)}{suffix} in "
                            f"{md_text(arm_name(c, view.arm_names))}" for c in _arms(view, variable))

    text = (f"Adverse events of any grade were reported in {per_arm('any_ae', ' of patients')}; "
            f"grade 3 or worse in {per_arm('grade3plus_ae', '')} (@tbl-ae, @tbl-ae-worst-grade).")
    if view.has(aid, variable="serious_ae"):
        text += f" Serious adverse events occurred in {per_arm('serious_ae', '')} (@tbl-sae)."
    grade5 = []
    for c in _arms(view, "grade5_ae"):
        n = view.fmt(aid, "n", group1_level=c, variable="grade5_ae")
        grade5.append(f"{n} patient{'' if n == '1' else 's'} in {md_text(arm_name(c, view.arm_names))}")
    text += " Grade 5 events were reported in " + " and ".join(grade5)
    if view.has("safety.treatment_related_deaths"):
        trd = view.fmt("safety.treatment_related_deaths", "n")
        text += ("; none was related to surgery or systemic therapy: there were no "
                 "treatment-related deaths" if trd == "0" else
                 f"; {trd} {'was' if trd == '1' else 'were'} related to treatment "
                 "(treatment-related deaths)")
    return text + "."


def morbidity_text(view: ArdView) -> str:
    """Operative morbidity of any grade and of grade >= 3 among the experimental arm's
    patients who had the protocol procedure."""
    aid = "safety.operative_morbidity"
    n = view.fmt(aid, "N", variable="any_ae")
    return (f"Of {n} patients of {md_text(arm_name('B', view.arm_names))} in the safety set who had the protocol procedure, "
            f"{_n_pct(view, aid, variable='any_ae')} had operative morbidity of any grade and "
            f"{_n_pct(view, aid, variable='grade3plus_ae')} of grade 3 or worse "
            "(@tbl-operative-morbidity).")


def morbidity_note(view: ArdView) -> str:
    """The operative morbidity table's footnote."""
    return (f"Percentages of the {view.fmt('safety.operative_morbidity', 'N', variable='any_ae')}"
            f" patients of {md_text(arm_name('B', view.arm_names))} in the safety set who had the protocol "
            "procedure.")



def summary_note(view: ArdView, analysis_id: str, what: str) -> str:
    """A footnote when the "Any grade" and "Grade ≥3" columns agree in every row (every
    ``what`` of the data is of grade 3 or worse): the columns are two counts, not one."""
    rows = view.rows(analysis_id, stat_name="n")
    if rows.empty:
        return ""
    wide = rows.pivot_table(index=["group1_level", "group2_level"], columns="variable_level",
                            values="stat", aggfunc="first")
    if {"1-5", "3-5"} <= set(wide.columns) and (wide["1-5"] == wide["3-5"]).all():
        return (f"Every {what} in these data is of grade 3 or worse, so the two columns "
                "agree.")
    return ""
