"""Tables of the sensitivity chapter: the proportional-hazards tests (Schoenfeld residuals,
chi-square per term and global) and the restricted mean survival time per arm with the
difference (months; CI at the test's level)."""

from __future__ import annotations

import pandas as pd

from helpers.report.format import format_number, format_p
from helpers.survival.ph import PHTest
from helpers.survival.rmst import RMSTDifference

__all__ = ["ci_text", "ph_table", "rmst_table"]


def ph_table(tests: dict[str, PHTest], term_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per model (name -> ``schoenfeld_test`` result) and term, then the model's
    global test when it has several terms: chi-square, df, p."""
    term_labels = dict(term_labels or {})
    rows = []
    for model, test in tests.items():
        for term, chisq, df, p in zip(test.terms, test.chisq, test.df, test.p):
            rows.append({"Model": model, "Term": term_labels.get(term, term),
                         "Chi-square": format_number(chisq), "df": int(df), "p": format_p(p)})
        if len(test.terms) > 1:
            rows.append({"Model": model, "Term": "Global", "Chi-square":
                         format_number(test.global_chisq), "df": int(test.global_df),
                         "p": format_p(test.global_p)})
    return pd.DataFrame(rows)


def ci_text(lower: float, upper: float, digits: int = 1) -> str:
    """"-2.1 to 4.4": "to" rather than a dash, as a bound may be negative."""
    return f"{format_number(lower, digits)} to {format_number(upper, digits)}"


def rmst_table(diff: RMSTDifference, arm_labels: dict, time_unit: str = "months") -> pd.DataFrame:
    """RMST per arm and the difference (experimental - control) with Wald CIs, in
    ``time_unit`` (the study's display unit); a not-estimable RMST shows "NE" and its note."""
    unit = f"RMST, {time_unit}"
    level = f"{diff.conf_level:.0%} CI"
    rows = []
    for code in (diff.control, diff.experimental):
        r = diff.arms[code]
        rows.append({"": f"Arm {code}: {arm_labels.get(code, code)}",
                     unit: format_number(r.estimate, 1),
                     level: ci_text(r.lower, r.upper), "p": ""})
    rows.append({"": f"Difference (arm {diff.experimental} − arm {diff.control})",
                 unit: format_number(diff.difference, 1),
                 level: ci_text(diff.lower, diff.upper),
                 "p": f"{format_p(diff.p_two_sided)} (two-sided)"})
    return pd.DataFrame(rows)
