"""Sentences of the population chapter (01) from its ARD rows (``flow``, ``populations``,
``surgery``; ``helpers.analyses.populations.flow_ard`` / ``populations_ard``)."""

from __future__ import annotations

from collections.abc import Mapping

from helpers.ard import ArdView
from helpers.core.textsafe import md_text
from helpers.report.names import arm_name, capital, in_sentence
from helpers.report.stats import n_pct, shown

__all__ = ["analysis_sets_results", "analysis_sets_sentence", "flow_results", "surgery_results"]


def flow_results(view: ArdView, arm_labels: Mapping[str, str],
                 other_labels: Mapping[str, str] | None = None) -> str:
    """Registered, not randomised (and the most frequent reason), randomised per arm (its
    name and label), and the patients of arms not compared (``other_labels``: the sponsor's
    arm value -> its label)."""
    flow = lambda **where: shown(view, "flow", "n", **where)  # noqa: E731
    registered = flow(variable='registered', variable_level='', group1='')
    everyone = view.stat("flow", "n", variable="not_randomised", variable_level="", group1="") == 0
    if everyone:
        text = f"All {registered} registered patients were randomised"
    else:
        text = (f"Of {registered} registered patients, "
                f"{flow(variable='not_randomised', variable_level='', group1='')} were not randomised")
    reasons = view.rows("flow", variable="not_randomised", stat_name="n")
    reasons = reasons[reasons["variable_level"] != ""]
    if len(reasons):
        top = reasons.loc[reasons["stat"].idxmax()]
        text += f", most often because of {md_text(in_sentence(top['variable_level']))} (n = {top['stat_fmt']})"
    arms = view.rows("flow", variable="randomised", stat_name="n")
    arms = arms[arms["group1_level"] != ""]
    text += ((": " if everyone else
              f". {flow(variable='randomised', variable_level='', group1='')} patients were "
              "randomised: ") + ", ".join(
                 f"{r.stat_fmt} to {md_text(arm_name(r.group1_level, view.arm_names))} "
                 f"({md_text(in_sentence(arm_labels.get(r.group1_level, r.group1_level)))})"
                 for r in arms.itertuples()))
    for r in view.rows("flow", variable="excluded_arm", stat_name="n").itertuples():
        label = (other_labels or {}).get(r.variable_level, r.variable_level)
        which = md_text(label) + (f" ({md_text(r.variable_level)})" if label != r.variable_level else "")
        text += f"; {r.stat_fmt} randomised to {which} were not compared and are excluded"
    return text + " (@fig-consort, @tbl-consort)."


def analysis_sets_sentence(populations: Mapping[str, str | None],
                           set_names: Mapping[str, str]) -> str:
    """"The analysis sets are the full analysis set (...) and the safety set, as the data
    flag them." for the study's population roles (role -> ADSL flag; ``all``: every patient
    with an arm value, no flag); ``set_names``: role -> how the book names the set. The sets
    are named in words, never by their flags (SAFFL: an internal name)."""
    parts = [f"the {set_names[role]} (every randomised patient of the compared arms; the data "
             "flag no analysis set)" if column == "all" else f"the {set_names[role]}"
             for role, column in populations.items() if column]
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return (f"The analysis {'set is' if len(parts) == 1 else 'sets are'} {listed}"
            + ((", as the data flag it." if len(parts) == 1 else ", as the data flag them.")
               if any(c not in (None, "all") for c in populations.values()) else "."))


def analysis_sets_results(view: ArdView, set_labels: Mapping[str, str]) -> str:
    """"The full analysis set comprised 407 patients (205 in arm A, 202 in arm B); ..." for
    each analysis set (``set_labels``: ADSL flag -> the set's name) with ``populations`` rows."""
    parts = []
    for flag, label in set_labels.items():
        rows = view.rows("populations", variable=flag, stat_name="n")
        if rows.empty:
            continue
        arms = rows[rows["group1_level"] != "Total"]
        parts.append(f"the {md_text(in_sentence(label))} comprised "
                     f"{shown(view, 'populations', 'n', variable=flag, group1_level='Total')} "
                     "patients (" + ", ".join(
                         f"{r.stat_fmt} in {md_text(arm_name(r.group1_level, view.arm_names))}"
                         for r in arms.itertuples()) + ")")
    text = "; ".join(parts)
    return (capital(text) + " (@tbl-analysis-sets).") if text else ""


def surgery_results(view: ArdView, label: str = "The protocol procedure",
                    columns: tuple = ("SURGFL", "RESECT"), code: str = "B") -> str:
    """Arm ``code``'s protocol procedure (``label``; ``columns``: its flag and detail in
    the ARD): performed (n, % of randomised), not performed, and its detail (n, % of the
    patients who had it)."""
    flag, detail = columns
    where = {"group1_level": code, "variable": flag}
    text = (f"{md_text(label)}: of {shown(view, 'surgery', 'N', variable_level='Y', **where)} "
            f"patients randomised to {md_text(arm_name(code, view.arm_names))}, "
            f"{n_pct(view, 'surgery', variable_level='Y', **where)} had it and "
            f"{shown(view, 'surgery', 'n', variable_level='N', **where)} did not.")
    levels = view.rows("surgery", group1_level=code, variable=detail, stat_name="n")
    if len(levels):
        text += " " + "; ".join(
            f"{md_text(level)}: {n_pct(view, 'surgery', group1_level=code, variable=detail, variable_level=level)}"
            " of the patients who had it" for level in levels["variable_level"]) + "."
    return text[:-1] + " (@tbl-arm-b-surgery)."
