"""The subgroup report of the treatment hazard ratio: forest table with an "All patients" row,
per-variable stratification, display labels, and the subgroups where the experimental arm
appears beneficial. Its printable table is ``helpers.report.tables.subgroups``.

Only the columns named by the caller are used (the ``subgroups`` and ``strata`` parameters)
plus ``ARMCD`` (arm code, "B" experimental), ``time`` (months) and ``event`` (1 = event), so
the report runs on any dataset of the data contract, with or without strata.

Stratification: each subgroup variable's HRs and interaction test use the ``strata`` columns
minus that variable itself (a subgroup that is also a stratification factor is not stratified
by itself). A numeric subgroup column with more than ``MAX_LEVELS`` distinct values is split at
its median ("<= m" / "> m"); columns with a few values (e.g. ECOG 0/1) are taken as levels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers.ard import ArdBuilder
from helpers.ard.survival import add_cox, cox_method_id
from helpers.data.adam_mapping import level_text
from helpers.survival.cox import HazardRatio, cox_hazard_ratio
from helpers.survival.results import JsonResult, to_jsonable
from helpers.survival.subgroups import subgroup_analysis

__all__ = ["SUBGROUP_LABELS", "SubgroupReport", "subgroup_ard", "subgroup_median_ard",
           "subgroup_report"]

ARM, EXPERIMENTAL = "ARMCD", "B"
OVERALL = "All patients"
MAX_LEVELS = 8

#: Display names of known ADSL columns; other columns show their own name.
SUBGROUP_LABELS = {
    "AGEGR1": "Age (years)", "AGE": "Age (years)", "MENOPAUS": "Menopausal status",
    "SUBTYPE": "Subtype", "METGR": "Metastatic organs", "NMETORG": "Number of metastatic organs",
    "BONEONLY": "Bone-only metastasis", "VISCMET": "Visceral metastasis", "TSTAGE": "T stage",
    "NSTAGE": "N stage", "ECOG": "ECOG PS", "ER": "ER", "PGR": "PgR", "HER2": "HER2",
    "PSTHER": "Primary systemic therapy", "METBONE": "Bone metastasis",
    "METLUNG": "Lung metastasis", "METLIVER": "Liver metastasis",
    "METBRAIN": "Brain metastasis",
}
LEVEL_LABELS = {"Y": "Yes", "N": "No"}


def subgroup_label(column: str) -> str:
    return SUBGROUP_LABELS.get(column, column)


def _level_label(level: Any) -> str:
    text = level_text(level)
    return LEVEL_LABELS.get(text, text)


def _categorise(s: pd.Series) -> tuple[pd.Series, str | None]:
    """Levels of a subgroup column; a continuous numeric column is split at its median."""
    if pd.api.types.is_bool_dtype(s):
        return s.map({True: "Y", False: "N"}), None
    if pd.api.types.is_numeric_dtype(s) and s.nunique() > MAX_LEVELS:
        m = float(s.median())
        cut = np.where(s.isna(), None, np.where(s <= m, f"<= {m:g}", f"> {m:g}"))
        return pd.Series(cut, index=s.index, dtype=object), f"split at its median ({m:g})"
    return s, None


@dataclass(frozen=True, eq=False)
class SubgroupReport(JsonResult):
    """``table``: forest table (``helpers.report.plots.forest_plot`` columns), the "All patients" row
    first, levels with display labels; ``interaction``: per variable the LR interaction test
    (``p``) and the strata used;
    ``notes``: per variable, how it was categorised (if at all); ``overall_fit``: the
    all-patients model (the subgroups' model: ``strata``, ``conf_level``, ``ties``).
    ``table["level_code"]`` is the level as data and ARD name it (``level`` its label)."""

    table: pd.DataFrame = field(repr=False)
    interaction: pd.DataFrame = field(repr=False)
    strata: list
    conf_level: float
    ties: str
    notes: dict
    overall_fit: HazardRatio | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """{"overall": row, "subgroups": {variable: {label, p_interaction, chisq, df, strata,
        levels: {level: {n, events, n_control, ..., hr, lower, upper}}}}, ...}"""
        keys = ["n", "events", "n_control", "n_experimental", "events_control",
                "events_experimental", "hr", "lower", "upper", "note"]
        overall = self.table[self.table["variable"] == OVERALL].iloc[0]
        out = {"conf_level": self.conf_level, "ties": self.ties, "strata": self.strata,
               "arm": ARM, "experimental": EXPERIMENTAL, "interaction_test": "LR",
               "overall": {k: overall[k] for k in keys}, "subgroups": {}}
        for row in self.interaction.itertuples():
            levels = self.table[self.table["variable"] == row.variable]
            out["subgroups"][row.variable] = {
                "label": row.label, "p_interaction": row.p, "chisq": row.chisq, "df": row.df,
                "strata": row.strata, "note": row.note or self.notes.get(row.variable, ""),
                "levels": {str(r["level"]): {k: r[k] for k in keys} for _, r in levels.iterrows()},
            }
        return to_jsonable(out)


def check_subgroup_variables(frame: pd.DataFrame, subgroups: Iterable[str]) -> None:
    """Refuse subgroup variables that would print patient identifiers or say nothing: text
    (or few-valued) columns with more than ``MAX_LEVELS`` levels or one level per patient,
    and columns with fewer than two levels. Numeric columns with many values are split at
    their median instead (no value of a patient is shown)."""
    from helpers.core.errors import ParameterError

    for var in subgroups:
        s = frame[var]
        levels = s.nunique(dropna=True)
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if not numeric and levels > MAX_LEVELS:
            raise ParameterError(
                f"parameter 'subgroups': {var} has {levels} levels among {len(s)} patients"
                + (" (one per patient: it identifies patients)" if levels == len(s) else "")
                + f"; a subgroup variable may have at most {MAX_LEVELS} levels")
        if levels < 2:
            raise ParameterError(f"parameter 'subgroups': {var} has {levels} level(s) in the "
                                 "analysed patients: nothing to compare")


def subgroup_report(frame: pd.DataFrame, subgroups: Iterable[str], strata: Iterable[str] = (),
                    conf_level: float = 0.95, ties: str = "efron",
                    labels: dict | None = None, levels: dict | None = None) -> SubgroupReport:
    """Forest table of the HR of arm B vs arm A overall and per level of each ``subgroups``
    column, with the LR interaction p (see the module doc for stratification).

    ``labels``: column -> display name (default ``SUBGROUP_LABELS``); ``levels``: column ->
    level display order (the study configuration's; default sorted)."""
    strata = list(strata)
    subgroups = list(subgroups)
    labels = {**SUBGROUP_LABELS, **(labels or {})}
    check_subgroup_variables(frame, subgroups)
    overall = cox_hazard_ratio(frame, "time", "event", ARM, EXPERIMENTAL, strata=strata,
                               ties=ties, conf_level=conf_level)
    z = (frame[ARM] == EXPERIMENTAL)
    rows = [{"variable": OVERALL, "label": OVERALL, "level": OVERALL,
             "n_control": int((~z).sum()), "n_experimental": int(z.sum()),
             "events_control": int(frame.loc[~z, "event"].sum()),
             "events_experimental": int(frame.loc[z, "event"].sum()),
             "hr": overall.hr, "lower": overall.lower, "upper": overall.upper,
             "conf_level": conf_level, "p_interaction": np.nan, "note": overall.note,
             "level_code": ""}]
    tables, inter, notes = [pd.DataFrame(rows)], [], {}
    for var in subgroups:
        used = [s for s in strata if s != var]
        d = frame[list(dict.fromkeys(["time", "event", ARM, *used]))].copy()
        d[var], note = _categorise(frame[var])
        if note:
            notes[var] = note
        res = subgroup_analysis(d, "time", "event", ARM, EXPERIMENTAL,
                                {var: labels.get(var, var)}, strata=used,
                                conf_level=conf_level, ties=ties)
        t = res.table.copy()
        order = [level_text(v) for v in (levels or {}).get(var, ())]
        if order:  # configured display order; levels not listed keep their sorted place after
            rank = t["level"].map(lambda v: order.index(level_text(v)) if level_text(v) in order
                                  else len(order))
            t = t.iloc[rank.argsort(kind="stable")]
        inter_row = res.interaction.assign(strata=[used])
        t["level_code"] = t["level"].map(level_text)
        t["level"] = t["level"].map(_level_label)
        tables.append(t)
        inter.append(inter_row)
    table = pd.concat(tables, ignore_index=True)
    table["n"] = table["n_control"] + table["n_experimental"]
    table["events"] = table["events_control"] + table["events_experimental"]
    interaction = (pd.concat(inter, ignore_index=True) if inter else pd.DataFrame(
        columns=["variable", "label", "chisq", "df", "p", "test", "note", "strata"]))
    return SubgroupReport(table=table, interaction=interaction, strata=strata,
                          conf_level=conf_level, ties=ties, notes=notes, overall_fit=overall)


def subgroup_ard(b: ArdBuilder, report: SubgroupReport, paramcd: str = "",
                 output_id: str = "fig-forest-os", prefix: str = "subgroup") -> None:
    """Add the subgroup rows to ``b`` (docs/ard.md, validation/qc/README.md):

    - ``subgroup.overall``: the forest plot's all-patients row, the subgroups' model (not the
      primary analysis): the hazard ratio as ``add_cox`` and per arm ``n``, ``n.event``;
    - ``subgroup.{VAR}``: per level (``group2`` VAR, ``group2_level`` the level as data name
      it) per arm ``n``, ``n.event``; ``B vs A`` ``estimate``, ``std.error``, ``conf.low``,
      ``conf.high`` (Wald at ``conf_level``), ``p.value`` (Wald), ``n``, ``n.event``; and the
      likelihood-ratio ``p.value.interaction`` (``group2_level`` empty).
    Rows are added in display order (levels as configured). ``prefix`` replaces "subgroup"
    in the ids (another endpoint's forest plot: ``{P}.subgroup``)."""
    versus = f"{EXPERIMENTAL} vs A"
    if report.overall_fit is not None:
        add_cox(b, f"{prefix}.overall", report.overall_fit, paramcd=paramcd, output_id=output_id)
    overall = report.table[report.table["variable"] == OVERALL].iloc[0]
    a = b.analysis(f"{prefix}.overall", cox_method_id(report.strata, report.ties), "coxph",
                   paramcd=paramcd, output_id=output_id, group1=ARM, variable=ARM)
    for code, side in (("A", "control"), (EXPERIMENTAL, "experimental")):
        a.add("n", overall[f"n_{side}"], "N", group1_level=code)
        a.add("n.event", overall[f"events_{side}"], "Number of events", group1_level=code)
    for row in report.interaction.itertuples():
        var = row.variable
        a = b.analysis(f"{prefix}.{var}", cox_method_id(row.strata, report.ties), "coxph",
                       paramcd=paramcd, output_id=output_id, group1=ARM, group2=var,
                       variable=ARM)
        for r in report.table[report.table["variable"] == var].itertuples():
            lev = a.scoped(group2_level=r.level_code)
            for code, n, events in (("A", r.n_control, r.events_control),
                                    (EXPERIMENTAL, r.n_experimental, r.events_experimental)):
                lev.add("n", n, "N", group1_level=code)
                lev.add("n.event", events, "Number of events", group1_level=code)
            hr = lev.scoped(group1_level=versus, conf_level=report.conf_level)
            why = r.note if np.isnan(r.hr) else ""
            hr.add("estimate", r.hr, "Hazard ratio", warning=why)
            hr.add("std.error", r.se, "Standard error of the log hazard ratio", warning=why)
            hr.add("conf.low", r.lower, "Hazard ratio, CI lower limit", warning=why)
            hr.add("conf.high", r.upper, "Hazard ratio, CI upper limit", warning=why)
            hr.add("p.value", r.p_wald, "p-value (Wald, two-sided)", warning=why)
            hr.add("n", r.n, "N")
            hr.add("n.event", r.events, "Number of events")
        a.add("p.value.interaction", row.p, "p-value for interaction (likelihood ratio)",
              group1_level=versus, warning=row.note or "")


def subgroup_median_ard(b: ArdBuilder, frame: pd.DataFrame, subgroups: Iterable[str], *,
                        analysis_id: str = "subgroup_median", paramcd: str = "",
                        output_id: str = "fig-forest-os", conf_level: float = 0.95,
                        conf_type: str = "log-log") -> None:
    """The forest plot's per-arm Kaplan-Meier medians (``analysis_id``): all patients
    (``group2`` empty) and per subgroup level (``group2`` VAR, ``group2_level`` the level as
    the forest rows code it), per arm (``group1_level``): ``estimate``, ``conf.low``,
    ``conf.high`` (``variable`` prob, level 0.5; missing with "not reached"), ``n``."""
    from helpers.ard.survival import km_method_id
    from helpers.survival import kaplan_meier

    a = b.analysis(analysis_id, km_method_id(conf_type), "survfit", paramcd=paramcd,
                   output_id=output_id, conf_level=conf_level, group1=ARM, variable="prob",
                   variable_level=0.5)
    parts = [("", "", frame)]
    for var in subgroups:
        levels, _ = _categorise(frame[var])
        for level in pd.unique(levels.dropna()):
            parts.append((var, level_text(level), frame[levels == level]))
    for var, level, d in parts:
        for code in ("A", EXPERIMENTAL):
            rows = d[(d[ARM] == code)].dropna(subset=["time", "event"])
            g = a.scoped(group1_level=code, group2=var, group2_level=level)
            if rows.empty:
                for name in ("estimate", "conf.low", "conf.high"):
                    g.add(name, None, "Median", warning="no patients")
                g.add("n", 0, "N")
                continue
            km = kaplan_meier(rows, "time", "event", conf_level, conf_type)
            for name, value in (("estimate", km.median), ("conf.low", km.median_lower),
                                ("conf.high", km.median_upper)):
                g.add(name, value, "Median", warning="" if np.isfinite(value) else "not reached")
            g.add("n", km.n, "N")
