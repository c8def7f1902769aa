"""The proportion endpoints' table (chapter 04) from the ``proportion.{VAR}`` ARD rows
(``helpers.analyses.secondary.proportion_ard``). The secondary time-to-event endpoints' table is
``helpers.report.endpoint.secondary_table``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from helpers.analyses.endpoint import ARM, CONTROL, EXPERIMENTAL
from helpers.ard import ArdView
from helpers.report.names import arm_name, bare
from helpers.report.stats import shown

__all__ = ["proportion_table"]


def proportion_table(view: ArdView, variables: Sequence,
                     arm_labels: Mapping[str, str]) -> pd.DataFrame:
    """One row per proportion endpoint (objects with ``name`` and ``label``) with ARD rows:
    n/N (%) per arm and the two-sided Fisher p."""
    records = []
    for v in variables:
        aid = f"proportion.{v.name}"
        if not view.has(aid):
            continue
        rec = {"Endpoint": v.label}
        for code in (CONTROL, EXPERIMENTAL):
            def s(name, code=code):
                return shown(view, aid, name, group1_level=code, variable_level="Y")
            rec[f"{arm_labels.get(code, code)} ({bare(arm_name(code, view.arm_names))}), n/N (%)"] = (
                f"{s('n')}/{s('N')} ({s('p')}%)" if s("N") != "0" else "–")
        rec["p (Fisher exact, two-sided)"] = shown(
            view, aid, "p.value", group1=ARM, group1_level=f"{EXPERIMENTAL} vs {CONTROL}")
        records.append(rec)
    return pd.DataFrame(records)
