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
from helpers.core.textsafe import md_text

__all__ = ["comparison_table", "competing_annotation", "competing_text", "cuminc_table",
           "no_competing_risks_text"]

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


def comparison_table(view: ArdView, paramcd: str, codes: Sequence[str], event_type: str,
                     strata: Sequence[str]) -> pd.DataFrame:
    """One row per event type: Gray's chi-square (df) and p, the Fine-Gray subdistribution
    hazard ratio of arm B vs A with its CI and Wald p."""
    gray, fg = f"{paramcd}.gray", f"{paramcd}.finegray"
    level = _level(view, fg)
    gray_name = "Gray's test" + (f" stratified by {', '.join(strata)}" if strata else "")
    rows = []
    for code in codes:
        where = dict(group1=ARM, group1_level=COMPARISON, group2=event_type, group2_level=code)
        rows.append({
            "Event type": code,
            f"{gray_name}: chi-square (df)":
                f"{_fmt(view, gray, 'statistic', **where)} ({_fmt(view, gray, 'df', **where)})",
            f"{gray_name}: p": _fmt(view, gray, "p.value", **where),
            f"Subdistribution HR, arm {EXPERIMENTAL} vs {CONTROL} ({level:.0%} CI)":
                _ci(view, fg, **where),
            "Fine-Gray p (Wald)": _fmt(view, fg, "p.value", **where),
        })
    return pd.DataFrame(rows)


def competing_text(view: ArdView, paramcd: str, label: str, codes: Sequence[str],
                   event_type: str, arm_labels: Mapping[str, str], landmark: float,
                   time_unit: str, strata: Sequence[str]) -> str:
    """The results paragraph (Markdown): first events by type and arm, the cumulative
    incidence of each type at ``landmark`` by arm, Gray's p and the subdistribution hazard
    ratio of the event of interest and of the competing events."""
    aid, gray, fg = f"{paramcd}.cuminc", f"{paramcd}.gray", f"{paramcd}.finegray"
    unit = md_text(time_unit)
    arm = {a: md_text(arm_labels[a].lower()) for a in (CONTROL, EXPERIMENTAL)}
    level = _level(view, fg)

    def events(code: str) -> str:
        return " and ".join(
            f"{view.fmt(aid, 'n.event', group1_level=a, group2=event_type, group2_level=code, variable='')}"
            f" in arm {a}" for a in (CONTROL, EXPERIMENTAL))

    first = "; ".join(f"{md_text(code)} {events(code)}" for code in codes)
    censored = " and ".join(f"{view.fmt(aid, 'n.censor', group1_level=a, group2='', variable='')}"
                            f" in arm {a}" for a in (CONTROL, EXPERIMENTAL))
    text = [f"First events of {md_text(label)} by type: {first}; censored without an event: "
            f"{censored}."]
    strat = f"stratified by {md_text(', '.join(strata))}" if strata else "unstratified"
    for i, code in enumerate(codes):
        where = dict(group2=event_type, group2_level=code)
        at = " and ".join(
            f"{_ci(view, aid, group1=ARM, group1_level=a, variable='time', variable_level=landmark, **where)}% "
            f"with {arm[a]}" for a in (CONTROL, EXPERIMENTAL))
        cmp_ = dict(group1=ARM, group1_level=COMPARISON, **where)
        text.append(
            f"The {landmark:g}-{unit.rstrip('s')} cumulative incidence of "
            f"{'the event of interest, ' if i == 0 else 'the competing event '}"
            f"{md_text(code)}, was {at} ({level:.0%} CIs); Gray's test ({strat}) p "
            f"{_p(_fmt(view, gray, 'p.value', **cmp_))}; the Fine-Gray subdistribution hazard "
            f"ratio of arm {EXPERIMENTAL} vs {CONTROL} was {_ci(view, fg, **cmp_)} "
            f"(Wald p {_p(_fmt(view, fg, 'p.value', **cmp_))}).")
    return " ".join(text)


def competing_annotation(view: ArdView, paramcd: str, codes: Sequence[str], event_type: str,
                         strata: Sequence[str]) -> str:
    """Figure annotation: per event type the subdistribution HR (CI) of arm B vs A and
    Gray's p (plain text, drawn literally)."""
    gray, fg = f"{paramcd}.gray", f"{paramcd}.finegray"
    level = _level(view, fg)
    lines = [f"Arm {EXPERIMENTAL} vs {CONTROL}: sHR ({level:.0%} CI); Gray p"
             + (" (stratified)" if strata else "")]
    for code in codes:
        where = dict(group1=ARM, group1_level=COMPARISON, group2=event_type, group2_level=code)
        lines.append(f"  {code}: {_ci(view, fg, **where)}; "
                     f"p {_p(_fmt(view, gray, 'p.value', **where))}")
    return "\n".join(lines)


def no_competing_risks_text(config_name: str) -> str:
    """The chapter's one sentence when the study configures no competing risks."""
    return (f"The study configuration ({md_text(config_name)}) configures no competing risks "
            "(key `competing_risks`, studies/README.md), so this chapter has no results.")
