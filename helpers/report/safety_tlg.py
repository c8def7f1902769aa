"""The safety chapter's catalogue outputs (AET01, AET02, AET04) from their ARD rows
(``helpers.analyses.safety_tlg``): columns per arm and in total, cells "n (x.x%)" (percent of
the column's safety set; "0" alone when n is 0), every number a row's ``stat_fmt``."""

from __future__ import annotations

import pandas as pd

from helpers.ard import ArdView
from helpers.report.names import arm_header

__all__ = ["AET01_LABELS", "aet01_table", "aet02_table", "aet04_table", "versions_note"]

COLUMNS = ("A", "B", "Total")
INDENT = "\u2003"
AET01_LABELS = {"any_ae": "Patients with any adverse event",
                "serious_ae": "Patients with a serious adverse event",
                "grade3plus_ae": "Patients with an adverse event of grade 3 or worse",
                "grade5_ae": "Patients with a grade 5 adverse event (death)",
                "discontinuation_ae": "Patients with an adverse event leading to discontinuation",
                "related_ae": "Patients with a treatment-related adverse event"}
GRADES = {"1": "Grade 1", "2": "Grade 2", "3": "Grade 3", "4": "Grade 4", "5": "Grade 5",
          "1-5": "Any grade"}


def _n_pct(view: ArdView, aid: str, **where) -> str:
    n = view.fmt(aid, "n", **where)
    p = view.fmt(aid, "p", **where)
    return n if n == "0" or not p else f"{n} ({p}%)"


def _headers(view: ArdView, aid: str, **where) -> dict:
    out = {}
    for code in COLUMNS:
        rows = view.rows(aid, group1_level=code, stat_name="N", **where)
        if len(rows):
            out[code] = f"{arm_header(code, view.arm_names)} (N={rows['stat_fmt'].iloc[0]})"
    return out


def aet01_table(view: ArdView) -> pd.DataFrame:
    """Overview: one row per ``aet01`` variable."""
    aid = "aet01"
    variables = list(dict.fromkeys(view.rows(aid)["variable"]))
    headers = _headers(view, aid, variable="any_ae")
    rows = [{"": AET01_LABELS.get(v, v), **{h: _n_pct(view, aid, group1_level=c, variable=v)
                                            for c, h in headers.items()}} for v in variables]
    return pd.DataFrame(rows).set_index("")


def aet02_table(view: ArdView) -> pd.DataFrame:
    """By system organ class (bold-less header rows) and preferred term (indented)."""
    aid = "aet02"
    headers = _headers(view, aid, group2="", variable="")
    keys = view.rows(aid, stat_name="n", group1_level="Total")
    rows = []
    for r in keys.itertuples():
        if not r.group2_level:
            label = "Any adverse event"
        elif not r.variable:
            label = r.group2_level
        else:
            label = f"{INDENT}{r.variable_level}"
        where = {"group2_level": r.group2_level, "variable": r.variable,
                 "variable_level": r.variable_level}
        rows.append({"System organ class / preferred term": label,
                     **{h: _n_pct(view, aid, group1_level=c, **where) for c, h in headers.items()}})
    return pd.DataFrame(rows).set_index("System organ class / preferred term")


def aet04_table(view: ArdView) -> pd.DataFrame:
    """By preferred term (any AE first) and worst grade: columns arm x grade."""
    aid = "aet04"
    headers = _headers(view, aid, group2_level="", variable_level="1-5")
    terms = list(dict.fromkeys(view.rows(aid)["group2_level"]))
    data = {}
    for code, header in headers.items():
        for level, grade in GRADES.items():
            data[(header, grade)] = [_n_pct(view, aid, group1_level=code, group2_level=t,
                                            variable_level=level) for t in terms]
    index = pd.Index([t or "Any adverse event" for t in terms], name="Preferred term")
    return pd.DataFrame(data, index=index, columns=pd.MultiIndex.from_tuples(list(data)))


def versions_note(ctcae: str | None, meddra: str | None) -> str:
    """The dictionaries' versions from the study configuration (or that it does not give them)."""
    c = f"CTCAE version {ctcae}" if ctcae else "CTCAE version not given in the study configuration"
    m = (f"MedDRA version {meddra}" if meddra else
         "MedDRA version not given in the study configuration")
    return f"Grades: {c}. Terms: {m}."
