"""Tables of the analysis populations (CONSORT flow, analysis sets, arm B's procedure) from the
population chapter's ARD rows (``flow``, ``populations``, ``surgery``;
``helpers.analyses.populations.flow_ard`` / ``populations_ard``): counts as integers, n (% of
the stated denominator) with the rows' ``stat_fmt``."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.ard import ArdView
from helpers.report.names import arm_name, bare, capital
from helpers.report.stats import n_pct, shown

__all__ = ["analysis_sets_table", "arm_b_surgery_table", "consort_table"]


def consort_table(view: ArdView, arm_labels: Mapping[str, str],
                  other_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Patient flow (``flow`` rows): registered, not randomised by reason, randomised by arm
    (label and name), randomised to arms not compared (``other_labels``: value -> label) and,
    when counted, patients of the full analysis set with a missing stratification factor; n."""
    def arm(code: str) -> str:
        return f"{arm_labels.get(code, code)} ({bare(arm_name(code, view.arm_names))})"

    def n(variable: str, level: str = "", arm: str = "") -> str:
        return shown(view, "flow", "n", variable=variable, variable_level=level,
                     group1_level=arm)

    rows = [("Registered", n("registered")), ("Not randomised", n("not_randomised"))]
    reasons = view.rows("flow", variable="not_randomised", stat_name="n")
    rows += [(f"    {r.variable_level}", r.stat_fmt) for r in reasons.itertuples()
             if r.variable_level]
    rows.append(("Randomised", n("randomised")))
    arms = view.rows("flow", variable="randomised", stat_name="n")
    rows += [(f"    {arm(r.group1_level)}", r.stat_fmt) for r in arms.itertuples() if r.group1_level]
    rows += [(f"    Other arm {(other_labels or {}).get(r.variable_level, r.variable_level)} (not compared, "
              "excluded)", r.stat_fmt)
             for r in view.rows("flow", variable="excluded_arm", stat_name="n").itertuples()]
    rows += [(f"    {arm(r.group1_level)}: missing {r.variable_level} (left out of the stratified "
              "analyses)", r.stat_fmt)
             for r in view.rows("flow", variable="missing_strata", stat_name="n").itertuples()]
    return pd.DataFrame(rows, columns=["Stage", "n"]).set_index("Stage")


def analysis_sets_table(view: ArdView, set_labels: Mapping[str, str]) -> pd.DataFrame:
    """Analysis sets (``populations`` rows; ``set_labels``: ADSL flag -> name) by arm and in
    total: n (% of randomised in the compared arms)."""
    flags = [f for f in set_labels if view.has("populations", variable=f)]
    if not flags:
        return pd.DataFrame()
    codes = list(dict.fromkeys(view.rows("populations", variable=flags[0],
                                         stat_name="n")["group1_level"]))
    columns = {}
    for code in codes:
        name = "Total" if code == "Total" else capital(bare(arm_name(code, view.arm_names)))
        randomised = shown(view, "populations", "N", variable=flags[0], group1_level=code)
        columns[f"{name} (randomised N={randomised})"] = [
            n_pct(view, "populations", variable=f, group1_level=code) for f in flags]
    index = pd.Index([set_labels[f] for f in flags], name="Analysis set")
    return pd.DataFrame(columns, index=index)


def arm_b_surgery_table(view: ArdView, label: str = "Protocol procedure",
                        columns: tuple = ("SURGFL", "RESECT"), code: str = "B") -> pd.DataFrame:
    """Arm ``code`` (``surgery`` rows): the protocol procedure (``label``; ``columns``: its
    flag and detail in the ARD) performed (n, % of randomised), its detail (n, % of those
    who had it), not performed."""
    flag, detail = columns
    where = {"group1_level": code, "variable": flag}
    rows = [(f"{label} performed", n_pct(view, "surgery", variable_level="Y", **where))]
    levels = view.rows("surgery", group1_level=code, variable=detail, stat_name="n")
    rows += [(f"    {level}, n (% of performed)",
              n_pct(view, "surgery", group1_level=code, variable=detail, variable_level=level))
             for level in levels["variable_level"]]
    rows.append((f"{label} not performed", n_pct(view, "surgery", variable_level="N", **where)))
    randomised = shown(view, "surgery", "N", variable_level="Y", **where)
    return pd.DataFrame(rows, columns=["", f"{capital(bare(arm_name(code, view.arm_names)))} "
                                           f"(N={randomised})"]).set_index("")
