"""The printable subgroup table of a ``SubgroupReport`` (``helpers.analyses.subgroups``): events/n
per arm, HR (CI at the report's level; "NE" when not estimable) and the interaction p once per
factor."""

from __future__ import annotations

import pandas as pd

from helpers.analyses.subgroups import OVERALL, SubgroupReport
from helpers.report.format import format_ci, format_number, format_p

__all__ = ["subgroup_table"]


def subgroup_table(report: SubgroupReport) -> pd.DataFrame:
    """Printable table: subgroup, level, events/n per arm, HR (CI), interaction p."""
    rows, seen = [], set()
    for r in report.table.itertuples():
        first = r.variable not in seen  # the interaction p once per factor
        seen.add(r.variable)
        rows.append({
            "Subgroup": r.label, "Level": "" if r.variable == OVERALL else r.level,
            "Arm A events/n": f"{r.events_control}/{r.n_control}",
            "Arm B events/n": f"{r.events_experimental}/{r.n_experimental}",
            f"HR ({report.conf_level:.0%} CI)": "NE" if pd.isna(r.hr) else
            f"{format_number(r.hr)} ({format_ci(r.lower, r.upper)})",
            "p for interaction": "" if pd.isna(r.p_interaction) or not first
            else format_p(r.p_interaction),
        })
    return pd.DataFrame(rows)
