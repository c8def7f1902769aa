"""What chapter 5 (subgroups) shows, built from its ARD rows (``subgroup.overall`` and
``subgroup.{VAR}`` of ``helpers.analyses.subgroups.subgroup_ard``): the forest plot's table,
the subgroup table, the settings line, the methods paragraph and the results paragraph.
Every number is a row's ``stat_fmt``; "upper limit below 1" and "p below 0.05" are decided on
the printed values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from helpers.core.textsafe import md_text
from helpers.ard import ArdView
from helpers.report.format import format_level
from helpers.report.names import arm_header, arm_name, bare, capital, in_sentence

from .stats import below, p_phrase, shown

__all__ = ["forest_table", "overall_label", "subgroup_methods_text", "subgroup_results_text",
           "subgroup_settings_text", "subgroup_table", "subgroup_table_note", "subgroup_variables"]

OVERALL_ID = "subgroup.overall"
LEVEL_LABELS = {"Y": "Yes", "N": "No"}


def subgroup_variables(view: ArdView, prefix: str = "subgroup") -> list[str]:
    """The subgroup variables of the ARD, in the order they were analysed."""
    ids = [a for a in dict.fromkeys(view.ard["analysis_id"])
           if a.startswith(f"{prefix}.") and a != f"{prefix}.overall"]
    return [a[len(prefix) + 1:] for a in ids]


def overall_label(view: ArdView, prefix: str = "subgroup") -> str:
    """The all-patients row's text, naming its model: "All patients, unstratified" (or
    "stratified"); the primary analysis is another model (chapter 3)."""
    method = view.rows(f"{prefix}.overall")["method_id"].iloc[0]
    return f"All patients, {'stratified' if '_strat_' in method else 'unstratified'}"


def _hr_text(view: ArdView, aid: str, **where) -> str:
    est = view.fmt(aid, "estimate", group1_level="B vs A", **where)
    if not est:
        return "NE"
    return (f"{est} ({shown(view, aid, 'conf.low', group1_level='B vs A', **where)}–"
            f"{shown(view, aid, 'conf.high', group1_level='B vs A', **where)})")


def _counts(view: ArdView, aid: str, code: str, **where) -> tuple[str, str]:
    return (view.fmt(aid, "n.event", group1_level=code, **where),
            view.fmt(aid, "n", group1_level=code, **where))


def _row(view: ArdView, aid: str, variable: str, label: str, level: str, level_label: str,
         **where) -> dict:
    (ea, na), (eb, nb) = _counts(view, aid, "A", **where), _counts(view, aid, "B", **where)
    return {"variable": variable, "label": label, "level": level_label, "level_code": level,
            "n_control": int(na), "n_experimental": int(nb), "events_control": int(ea),
            "events_experimental": int(eb), "text_control": f"{ea}/{na}",
            "text_experimental": f"{eb}/{nb}",
            "hr": view.stat(aid, "estimate", group1_level="B vs A", **where),
            "lower": view.stat(aid, "conf.low", group1_level="B vs A", **where),
            "upper": view.stat(aid, "conf.high", group1_level="B vs A", **where),
            "hr_text": _hr_text(view, aid, **where)}


def _median(view: ArdView, aid: str, code: str, group2: str, level: str) -> str:
    where = {"group1_level": code, "group2": group2, "group2_level": level}
    if not view.has(aid, stat_name="estimate", **where):
        return ""
    return view.fmt(aid, "estimate", **where) or "NE"


def forest_table(view: ArdView, labels: Mapping[str, str], prefix: str = "subgroup",
                 medians: str | None = None) -> pd.DataFrame:
    """The forest plot's table (``helpers.report.plots.forest_plot``): the all-patients row
    first (its label names its model), then per variable its levels with the interaction p;
    ``hr_text``, ``p_text``, ``text_control``/``text_experimental`` are the printed values.
    ``medians``: the analysis id of the per-arm medians (``subgroup_median_ard``): adds
    ``median_text_control``/``median_text_experimental``."""
    overall_id = f"{prefix}.overall"
    rows = [{**_row(view, overall_id, "All patients", overall_label(view, prefix), "",
                    "All patients"), "p_interaction": float("nan"), "p_text": ""}]
    if medians:
        rows[0].update(median_text_control=_median(view, medians, "A", "", ""),
                       median_text_experimental=_median(view, medians, "B", "", ""))
    for var in subgroup_variables(view, prefix):
        aid = f"{prefix}.{var}"
        levels = [lv for lv in dict.fromkeys(view.rows(aid)["group2_level"]) if lv != ""]
        p = view.stat(aid, "p.value.interaction", group2_level="")
        p_text = view.fmt(aid, "p.value.interaction", group2_level="")
        for level in levels:
            rows.append({**_row(view, aid, var, labels.get(var, var), level,
                                LEVEL_LABELS.get(level, format_level(level)),
                                group2_level=level),
                         "p_interaction": p, "p_text": p_text})
            if medians:
                rows[-1].update(median_text_control=_median(view, medians, "A", var, level),
                                median_text_experimental=_median(view, medians, "B", var, level))
    return pd.DataFrame(rows)


def forest_labels(arm_names: Mapping[str, str] | None = None) -> dict:
    """``forest_plot`` keyword arguments naming the arms by the study's names ("Arm A" /
    "Control arm" over their columns, "Favours arm B", the axis "Hazard ratio (arm B vs arm
    A)"; the arms' labels are in the chapter's text)."""
    a, b = (bare(arm_name(code, arm_names)) for code in ("A", "B"))
    return {"arm_labels": (capital(a), capital(b)), "favours": (f"Favours {b}", f"Favours {a}"),
            "xlabel": f"Hazard ratio ({b} vs {a})"}


def subgroup_table(view: ArdView, labels: Mapping[str, str]) -> pd.DataFrame:
    """Subgroup, level, events/n per arm, HR (CI at the subgroups' level), the interaction p
    once per factor; printed with each subgroup over its levels and "Events/n" over the arms
    (``attrs``, ``helpers.report.publication_table``)."""
    t = forest_table(view, labels)
    level = view.row(OVERALL_ID, "conf.low")["conf_level"]
    first = ~t["variable"].duplicated()
    table = pd.DataFrame({
        "Subgroup": t["label"],
        "Level": ["" if v == "All patients" else lv for v, lv in zip(t["variable"], t["level"])],
        f"{arm_header('A', view.arm_names)} events/n": t["text_control"],
        f"{arm_header('B', view.arm_names)} events/n": t["text_experimental"],
        f"HR ({level:.0%} CI)": t["hr_text"],
        "p for interaction": [p if f else "" for p, f in zip(t["p_text"], first)],
    })
    table.attrs["groups"] = "Subgroup"  # printed: each subgroup over its indented levels
    heads = [arm_header(code, view.arm_names) for code in ("A", "B")]
    table.attrs["spanners"] = {"Events/n": {f"{head} events/n": head for head in heads}}
    return table


def subgroup_settings_text(population: str, ties: str, strata: Iterable[str],
                           conf_level: float, data_cut: str | None,
                           labels: Mapping[str, str] | None = None) -> str:
    """The settings line of chapter 5: the subgroups' model and CI level (not the primary
    analysis'); the strata by their labels (``labels``: the study's)."""
    strata = list(strata)
    strata = [md_text(in_sentence((labels or {}).get(s, s))) for s in strata]
    return (f"Settings of this run: {md_text(population)}; Cox models with {ties.capitalize()} ties, "
            + (f"stratified by {', '.join(strata)} (except the subgroup factor itself)"
               if strata else "unstratified")
            + f"; hazard ratio CIs (Wald) at {conf_level:.0%}; interaction p-values by the "
            f"likelihood-ratio test, two-sided, unadjusted for multiplicity; data cut-off "
            f"{md_text(data_cut) if data_cut else 'none (all follow-up in the data)'}.")


def subgroup_table_note(ties: str, strata: Iterable[str], label_of: Callable[[str], str]) -> str:
    """The subgroup table's footnote: the model."""
    strata = list(strata)
    return f"Cox models, {ties.capitalize()} ties. " + (
        f"Stratified by {', '.join(map(label_of, strata))} (except the subgroup factor itself)."
        if strata else "Unstratified.")


def subgroup_methods_text(strata: Iterable[str], subgroups: Iterable[str],
                          notes: Mapping[str, str], label_of: Callable[[str], str]) -> str:
    """How the subgroup models are stratified and which factors are analysed (``notes``: a
    factor -> how it was categorised)."""
    strata, subgroups = list(strata), list(subgroups)
    shown_label = label_of
    label_of = lambda column: md_text(shown_label(column))  # noqa: E731
    overlap = [s for s in subgroups if s in strata]
    if strata:
        text = (f"Each model is stratified by the randomisation stratification factors "
                f"({', '.join(map(label_of, strata))}) except the subgroup factor itself: "
                + (f"within the levels of {', '.join(map(label_of, overlap))} the other "
                   f"factors stratify, and its interaction test has the factor as a main effect "
                   f"beside the other factors' strata. " if overlap else
                   "no subgroup factor is a stratification factor. "))
    else:
        text = ("The subgroup models are not stratified: within a subgroup the randomisation "
                "strata are sparse. ")
    text += f"The subgroup factors are {', '.join(map(label_of, subgroups))}."
    return text + "".join(f" {label_of(v)} was {md_text(note)}." for v, note in notes.items())


def subgroup_results_text(view: ArdView, labels: Mapping[str, str], events: str,
                          experimental: str) -> str:
    """All patients' hazard ratio; the levels whose printed upper limit is below 1; the
    factors whose printed interaction p is below 0.05."""
    t = forest_table(view, labels)  # labels and levels escaped once, where the text uses them
    level = f"{view.row(OVERALL_ID, 'conf.low')['conf_level']:.0%}"
    overall = t.iloc[0]
    n = overall["n_control"] + overall["n_experimental"]
    hr = overall["hr_text"]
    text = (f"Over all {n} patients the hazard ratio of the subgroups' model "
            f"({md_text(overall['label'].split(', ', 1)[1])}, {level} CI; not the primary analysis) was "
            + (hr.replace(" (", f" ({level} CI ", 1) if hr != "NE" else "not estimable") + ". ")
    levels = t.iloc[1:]
    upper = [h.rsplit("–", 1)[-1].rstrip(")") if h != "NE" else "" for h in levels["hr_text"]]
    benefit = levels[[below(u, 1) for u in upper]]
    if len(benefit):
        text += (f"{md_text(experimental)} appeared beneficial (upper {level} confidence limit, "
                 "as printed, below 1) in: " + "; ".join(
                     f"{md_text(r.label)}: {md_text(r.level)} "
                     f"(HR {r.hr_text.replace(' (', f' ({level} CI ', 1)}, "
                     f"{r.events_control + r.events_experimental} {md_text(events)} among "
                     f"{r.n_control + r.n_experimental} patients)" for r in benefit.itertuples())
                 + ". ")
    else:
        text += "In no subgroup did the printed confidence interval lie wholly below 1. "
    variables = subgroup_variables(view)
    tested = [v for v in variables if view.fmt(f"subgroup.{v}", "p.value.interaction",
                                               group2_level="")]
    low = [v for v in tested if below(view.fmt(f"subgroup.{v}", "p.value.interaction",
                                               group2_level=""), 0.05)]
    if low:
        text += ("The interaction test was below 0.05 for " + "; ".join(
            f"{md_text(labels.get(v, v))} ({p_phrase(view.fmt(f'subgroup.{v}', 'p.value.interaction', group2_level=''))})"
            for v in low) + ", without adjustment for the number of factors tested (all in the "
                              "table).")
    else:
        text += "No interaction test was below 0.05 (every factor tested is in the table)."
    return text
