"""What the competing-risks chapter shows, built from the notebook's ARD (``ArdView``) only:
the cumulative incidence table, the comparison table (Gray's test, Fine-Gray), the results
paragraph and the figure annotation. Every number is a row's ``stat_fmt`` (the one formatting
rule set of ``helpers.report.format``); a statistic that is not estimable prints "NE".

Rows read (``helpers.ard.competing``): ``{P}.cuminc`` (per arm ``n``, ``n.censor``; per arm
and event type ``n.event`` and, at each landmark, ``estimate``/``conf.low``/``conf.high`` as
proportions printed as percentages), ``{P}.gray`` and ``{P}.finegray`` (per event type, arm
comparison "B vs A"). Labels (arms, event codes, the endpoint) are data or configuration and
are shown literally (``md_text`` in Markdown; tables are escaped when displayed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from helpers.ard import ArdView
from helpers.report.names import arm_name, bare, capital, strata_words
from helpers.core.textsafe import md_text

__all__ = ["comparison_table", "competing_annotation", "competing_methods", "competing_text",
           "cuminc_table", "no_competing_risks_text", "risk_table"]

ARM = "ARMCD"
CONTROL, EXPERIMENTAL = "A", "B"
COMPARISON = f"{EXPERIMENTAL} vs {CONTROL}"


def _fmt(view: ArdView, aid: str, stat: str, **where) -> str:
    text = view.fmt(aid, stat, **where)
    return text if text else "NE"


def _ci(view: ArdView, aid: str, **where) -> str:
    """"12.3 (9.1–16.0)" from the estimate and CI rows."""
    return (f"{_fmt(view, aid, 'estimate', **where)} ({_fmt(view, aid, 'conf.low', **where)}"
            f"–{_fmt(view, aid, 'conf.high', **where)})")


def _p(text: str) -> str:
    return text if text.startswith("<") or text == "NE" else f"= {text}"


def _level(view: ArdView, aid: str) -> float:
    rows = view.rows(aid, stat_name="conf.low")
    return float(rows["conf_level"].iloc[0])


def cuminc_table(view: ArdView, paramcd: str, codes: Sequence[str], event_type: str,
                 arm_labels: Mapping[str, str], landmarks: Sequence[float],
                 time_unit: str) -> pd.DataFrame:
    """One row per arm and event type: N, events of that type, censored (first row of each
    arm), cumulative incidence (%) with its CI at each landmark."""
    aid = f"{paramcd}.cuminc"
    level = _level(view, aid)
    unit = time_unit.rstrip("s")
    rows = []
    for arm in (CONTROL, EXPERIMENTAL):
        for i, code in enumerate(codes):
            where = dict(group1=ARM, group1_level=arm, group2=event_type, group2_level=code)
            out = {"Arm": arm_labels[arm] if i == 0 else "",
                   "N": view.fmt(aid, "n", group1_level=arm, group2="", variable="") if i == 0 else "",
                   "Censored": view.fmt(aid, "n.censor", group1_level=arm, group2="",
                                        variable="") if i == 0 else "",
                   "Event type": code,
                   "Events": view.fmt(aid, "n.event", variable="", **where)}
            for t in landmarks:
                out[f"{t:g}-{unit} cumulative incidence, % ({level:.0%} CI)"] = _ci(
                    view, aid, variable="time", variable_level=t, **where)
            rows.append(out)
    return pd.DataFrame(rows)


def _vs(view: ArdView) -> str:
    """"arm B vs arm A" in the study's arm names, without articles."""
    return f"{bare(arm_name(EXPERIMENTAL, view.arm_names))} vs {bare(arm_name(CONTROL, view.arm_names))}"


def comparison_table(view: ArdView, paramcd: str, codes: Sequence[str], event_type: str,
                     strata: Sequence[str]) -> pd.DataFrame:
    """One row per event type: Gray's chi-square (df) and p, the Fine-Gray subdistribution
    hazard ratio of arm B vs A with its CI and Wald p."""
    gray, fg = f"{paramcd}.gray", f"{paramcd}.finegray"
    level = _level(view, fg)
    gray_name = "Gray's test" + (f" stratified by {strata_words(strata, view.variable_labels)}"
                                 if strata else "")
    rows = []
    for code in codes:
        where = dict(group1=ARM, group1_level=COMPARISON, group2=event_type, group2_level=code)
        rows.append({
            "Event type": code,
            f"{gray_name}: chi-square (df)":
                f"{_fmt(view, gray, 'statistic', **where)} ({_fmt(view, gray, 'df', **where)})",
            f"{gray_name}: p": _fmt(view, gray, "p.value", **where),
            f"Subdistribution HR, {_vs(view)} ({level:.0%} CI)":
                _ci(view, fg, **where),
            "Fine-Gray p (Wald)": _fmt(view, fg, "p.value", **where),
        })
    return pd.DataFrame(rows)


def competing_text(view: ArdView, paramcd: str, label: str, codes: Sequence[str],
                   event_type: str, arm_labels: Mapping[str, str], landmark: float,
                   time_unit: str, strata: Sequence[str]) -> str:
    """The results paragraph (Markdown): first events by type and arm, then per event type
    its cumulative incidence at ``landmark`` by arm, Gray's p and the subdistribution hazard
    ratio of arm B vs A."""
    aid, gray, fg = f"{paramcd}.cuminc", f"{paramcd}.gray", f"{paramcd}.finegray"
    level = _level(view, aid)
    arm = {a: md_text(arm_labels[a]) for a in (CONTROL, EXPERIMENTAL)}
    name = {a: md_text(arm_name(a, view.arm_names)) for a in (CONTROL, EXPERIMENTAL)}

    def count(stat: str, a: str, **where) -> str:
        return view.fmt(aid, stat, group1=ARM, group1_level=a, variable="", **where)

    first = "; ".join(
        f"{md_text(code)} in {count('n.event', CONTROL, group2=event_type, group2_level=code)} "
        f"patients of {name[CONTROL]} and "
        f"{count('n.event', EXPERIMENTAL, group2=event_type, group2_level=code)} of "
        f"{name[EXPERIMENTAL]}" for code in codes)
    censored = (f"{count('n.censor', CONTROL, group2='')} and "
                f"{count('n.censor', EXPERIMENTAL, group2='')}")
    text = [f"First events of {md_text(label)}: {first}; censored without an event: "
            f"{censored}."]
    strat = (f"stratified by {md_text(strata_words(strata, view.variable_labels))}" if strata
             else "unstratified")
    for i, code in enumerate(codes):
        where = dict(group2=event_type, group2_level=code)
        at = " and ".join(
            f"{_fmt(view, aid, 'estimate', group1=ARM, group1_level=a, variable='time', variable_level=landmark, **where)}% "
            f"({level:.0%} CI {_fmt(view, aid, 'conf.low', group1=ARM, group1_level=a, variable='time', variable_level=landmark, **where)}"
            f"–{_fmt(view, aid, 'conf.high', group1=ARM, group1_level=a, variable='time', variable_level=landmark, **where)}) "
            f"in {name[a]} ({arm[a]})" for a in (CONTROL, EXPERIMENTAL))
        cmp_ = dict(group1=ARM, group1_level=COMPARISON, **where)
        fg_level = _level(view, fg)
        role = "the event of interest" if i == 0 else "a competing event"
        text.append(
            f"At {landmark:g} {md_text(time_unit)}, the cumulative incidence of "
            f"{md_text(code)} ({role}) was {at}; Gray's test ({strat}) p "
            f"{_p(_fmt(view, gray, 'p.value', **cmp_))}; Fine-Gray subdistribution hazard "
            f"ratio of {name[EXPERIMENTAL]} vs {name[CONTROL]} {_fmt(view, fg, 'estimate', **cmp_)} "
            f"({fg_level:.0%} CI {_fmt(view, fg, 'conf.low', **cmp_)}–"
            f"{_fmt(view, fg, 'conf.high', **cmp_)}), Wald p {_p(_fmt(view, fg, 'p.value', **cmp_))}.")
    return " ".join(text)


def competing_annotation(view: ArdView, paramcd: str, codes: Sequence[str], event_type: str,
                         strata: Sequence[str]) -> str:
    """Figure annotation: per event type the subdistribution HR (CI) of arm B vs A and
    Gray's p (plain text, drawn literally)."""
    gray, fg = f"{paramcd}.gray", f"{paramcd}.finegray"
    level = _level(view, fg)
    lines = [f"{capital(_vs(view))}: sHR ({level:.0%} CI); Gray p"
             + (" (stratified)" if strata else "")]
    for code in codes:
        where = dict(group1=ARM, group1_level=COMPARISON, group2=event_type, group2_level=code)
        lines.append(f"  {code}: {_ci(view, fg, **where)}; "
                     f"p {_p(_fmt(view, gray, 'p.value', **where))}")
    return "\n".join(lines)


def risk_table(view: ArdView, paramcd: str) -> pd.DataFrame:
    """The figure's numbers at risk as printed (``{P}.cuminc.risk`` rows' ``stat_fmt``):
    index the arms (A, B), columns the times (floats)."""
    rows = view.rows(f"{paramcd}.cuminc.risk", stat_name="n.risk")
    table = rows.pivot(index="group1_level", columns="variable_level", values="stat_fmt")
    table = table.loc[[CONTROL, EXPERIMENTAL]]
    table.columns = [float(t) for t in table.columns]
    return table[sorted(table.columns)]


def competing_methods(view: ArdView, paramcd: str, population: str, strata: Sequence[str],
                      landmarks: Sequence[float], time_unit: str, data_cut: str | None) -> str:
    """The settings of this chapter's run (Markdown): population, landmarks, CI level, the
    strata of Gray's test and the data cut (levels and CI level read from the ARD rows)."""
    level = _level(view, f"{paramcd}.cuminc")
    strat = (f"stratified by {md_text(strata_words(strata, view.variable_labels))}" if strata else
             "unstratified (no strata given)")
    return (f"Settings of this run: {md_text(population)}; cumulative incidence at "
            f"{', '.join(f'{t:g}' for t in landmarks)} {md_text(time_unit)} with "
            f"{level:.0%} CIs; subdistribution hazard ratio CIs at {level:.0%}; Gray's test "
            f"{strat}; data cut-off {md_text(data_cut) if data_cut else 'none (all follow-up in the data)'}.")


def no_competing_risks_text() -> str:
    """The chapter's one sentence when the study configures no competing risks, in a reader's
    words (how to configure them is for studies/README.md, not the book)."""
    return ("This chapter has no results: the study configuration names no endpoint with "
            "competing events (the endpoint, the column giving each event's type, the event of "
            "interest and the competing events).")
