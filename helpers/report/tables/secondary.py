"""Secondary endpoints beside the primary: a compact table of several time-to-event endpoints and
the display table of the proportion endpoints (``helpers.analyses.secondary.proportion_by_arm``).

Times in months. The endpoint analyses are ``helpers.analyses.endpoint.EndpointAnalysis`` objects
(arm codes "A" control, "B" experimental); this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.analyses.endpoint import CONTROL, EXPERIMENTAL, EndpointAnalysis
from helpers.report.format import format_hr, format_median, format_p

__all__ = ["proportion_table", "secondary_table"]


def secondary_table(analyses: Mapping[str, EndpointAnalysis],
                    no_comparison: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per endpoint (display name -> analysis): events and median (CI) per arm, the
    hazard ratio (CI) and the log-rank p as each analysis states them.

    ``no_comparison``: display name -> reason the arms are not compared (HR and p shown as
    "–", the reason in ``attrs["footnotes"]``).
    """
    no_comparison = dict(no_comparison or {})
    rows, notes = [], []
    for name, an in analyses.items():
        med = an.medians.set_index("group")
        level = f"{an.km_conf_level:.0%}"
        row = {"Endpoint": name}
        for code in (CONTROL, EXPERIMENTAL):
            m = med.loc[code]
            row[f"Arm {code} events/N"] = f"{int(m['events'])}/{int(m['n'])}"
            row[f"Arm {code} median, {an.time_unit} ({level} CI)"] = format_median(
                m["median"], m["median_lower"], m["median_upper"])
        hr = an.hazard_ratio
        if name in no_comparison:
            marker = "abcdefgh"[len(notes)]
            row["Endpoint"] = f"{name} {marker}"
            notes.append(f"{marker} {no_comparison[name]}")
            row["HR (CI)"], row["p"] = "–", "–"
        else:
            row["HR (CI)"] = format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)
            row["p"] = f"{format_p(an.p_logrank)} ({an.sided} log-rank)"
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["footnotes"] = notes
    return table


def proportion_table(rows: list[dict], arm_labels: Mapping[str, str]) -> pd.DataFrame:
    """Display table of ``proportion_by_arm`` rows: n (%) per arm, difference, Fisher p."""
    records = []
    for r in rows:
        rec = {"Endpoint": r["name"]}
        for code in (CONTROL, EXPERIMENTAL):
            n, total = r[f"n_{code}"], r[f"N_{code}"]
            rec[f"Arm {code}: {arm_labels.get(code, code)}, n/N (%)"] = (
                f"{n}/{total} ({100 * n / total:.1f}%)" if total else "–")
        rec["Difference, % points"] = f"{r['difference']:+.1f}"
        rec["p (Fisher exact, two-sided)"] = format_p(r["p_fisher"])
        records.append(rec)
    return pd.DataFrame(records)
