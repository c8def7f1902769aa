"""Sentences of the endpoint chapters (03, 04) from an endpoint's ARD rows (``{P}.km``,
``{P}.cox.primary``, ``{P}.logrank``, ``{P}.followup``, ``proportion.{VAR}``): the results
paragraph, the other secondary endpoints and the proportion endpoints. Numbers are ``stat_fmt``
(``helpers.report.stats``); times in ``settings.time_unit``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from helpers.core.textsafe import md_text
from helpers.analyses.endpoint import ARM, CONTROL, EXPERIMENTAL, EndpointSettings
from helpers.ard import ArdView
from helpers.report.endpoint import COX_ID
from helpers.report.names import arm_name, capital, in_sentence, strata_words
from helpers.report.stats import NE, below, conf_text, est_ci, hr_ci, is_missing, p_text, shown, value

__all__ = ["endpoint_heading", "missing_endpoints", "proportion_results", "results_paragraph",
           "secondary_results"]

_VS = {"group1": ARM, "group1_level": f"{EXPERIMENTAL} vs {CONTROL}"}


def _events(view: ArdView, paramcd: str, code: str) -> str:
    return shown(view, f"{paramcd}.km", "n.event", group1_level=code, variable="")


def _median(view: ArdView, paramcd: str, code: str, unit: str = "") -> str:
    """The median (CI) in a sentence, with ``unit``: "71.1 (65.8–83.8) months"; a median or
    upper limit the follow-up does not reach in words, not "NE": "not reached (lower limit
    89.5 months)", "75.0 (68.1 to not reached) months"."""
    where = dict(group1_level=code, variable="prob", variable_level=0.5)
    est, low, high = (shown(view, f"{paramcd}.km", s, **where) for s in ("estimate", "conf.low", "conf.high"))
    unit = f" {unit}" if unit else ""
    if est == NE:
        return "not reached" + (f" (lower limit {low}{unit})" if low != NE else "")
    return (f"{est} ({low}–{high}){unit}" if high != NE else f"{est} ({low} to not reached){unit}")


def _comparison(view: ArdView, paramcd: str, settings: EndpointSettings,
                names: Mapping[str, str]) -> str:
    """"The hazard ratio of arm B, stratified by ..., was ...; the ... log-rank p-value was ..."."""
    cox, logrank = f"{paramcd}.{COX_ID}", f"{paramcd}.logrank"
    strata = md_text(strata_words(settings.strata, view.variable_labels))
    text = f"The hazard ratio of {names[EXPERIMENTAL]}" + (
        f", stratified by {strata}," if strata else " (unstratified)")
    text += (f" was {view.reason(cox, 'estimate', **_VS)}" if is_missing(view, cox, "estimate", **_VS)
             else f" was {hr_ci(view, cox, **_VS)}")
    if is_missing(view, logrank, settings.p_stat, **_VS):
        return text + f"; the log-rank test was {view.reason(logrank, settings.p_stat, **_VS)}."
    return (text + f"; the {settings.sided} {'stratified ' if strata else ''}log-rank p-value was "
            f"{shown(view, logrank, settings.p_stat, **_VS)}.")


def effect_verb(low: str, high: str) -> str:
    """What the experimental arm did to the hazard, decided on the printed CI limits (never
    "lowered" beside a printed upper limit of 1.00): "lowered", "raised", "did not clearly
    change"."""
    return "lowered" if below(high, 1) else "raised" if below(1, low) else "did not clearly change"


def results_paragraph(view: ArdView, paramcd: str, *, settings: EndpointSettings,
                      arm_labels: Mapping[str, str], events: str, name: str | None = None,
                      follow_up: bool = False, effect_label: str | None = None) -> str:
    """The results of one endpoint: events (of the Cox model's patients), medians (CI) per arm,
    the hazard ratio (CI) and the reported log-rank p, patients left out for missing values;
    with ``follow_up`` the median follow-up (observed time and reverse Kaplan-Meier); with
    ``effect_label`` (the endpoint's label) whether the experimental arm lowered or raised the
    hazard (its CI wholly below or above 1). ``events``: the event wording ("deaths");
    ``name``: the endpoint's name in "Median OS was" (default the PARAMCD). The arms are
    named as the view says (``ArdView.arm_names``)."""
    cox, unit = f"{paramcd}.{COX_ID}", md_text(settings.time_unit)
    events, name = md_text(events), md_text(name or paramcd)
    arm_labels = {code: md_text(label) for code, label in arm_labels.items()}
    names = {code: md_text(arm_name(code, view.arm_names)) for code in (CONTROL, EXPERIMENTAL)}
    compared = view.has(cox)
    by_arm = (f"{_events(view, paramcd, CONTROL)} in {names[CONTROL]}, "
              f"{_events(view, paramcd, EXPERIMENTAL)} in {names[EXPERIMENTAL]}")
    if compared:
        text = (f"{shown(view, cox, 'n.event', **_VS)} {events} were observed among "
                f"{shown(view, cox, 'n', **_VS)} patients ({by_arm}). ")
    else:
        text = f"{events[0].upper()}{events[1:]}: {by_arm}. "
    level = conf_text(view, f"{paramcd}.km", group1_level=CONTROL, variable="prob",
                      variable_level=0.5)
    text += (f"Median {name} was {_median(view, paramcd, CONTROL, unit)} with "
             f"{in_sentence(arm_labels.get(CONTROL, CONTROL))} and "
             f"{_median(view, paramcd, EXPERIMENTAL, unit)} with "
             f"{in_sentence(arm_labels.get(EXPERIMENTAL, EXPERIMENTAL))} ({level} CIs).")
    if compared:
        text += " " + _comparison(view, paramcd, settings, names)
        if value(view, cox, "n.excluded", **_VS) > 0:
            text += (f" {shown(view, cox, 'n.excluded', **_VS)} patients with a missing arm, time, "
                     "event or stratification factor were left out of every analysis of this "
                     "endpoint (complete cases, as R does by default).")
    if follow_up:
        fu = f"{paramcd}.followup"
        text += (f" Median follow-up was {shown(view, fu, 'median', variable='time')} {unit} "
                 "(median observed time of all patients; reverse Kaplan-Meier "
                 f"{est_ci(view, fu, variable='prob', variable_level=0.5)} {unit}).")
    if effect_label and compared and not is_missing(view, cox, "estimate", **_VS):
        verb = effect_verb(shown(view, cox, "conf.low", **_VS), shown(view, cox, "conf.high", **_VS))
        text += (f" {capital(arm_labels.get(EXPERIMENTAL, EXPERIMENTAL))} {verb} the hazard of "
                 f"{md_text(in_sentence(effect_label))} events.")
    return text


def secondary_results(view: ArdView, endpoints: Sequence, *, settings: EndpointSettings) -> str:
    """One sentence per endpoint (objects with ``paramcd``, ``label``, ``compare``, ``note``):
    events and medians per arm, the hazard ratio (CI) and the log-rank p, or why the arms are
    not compared."""
    out = []
    a, b = (md_text(arm_name(c, view.arm_names)) for c in (CONTROL, EXPERIMENTAL))
    for e in endpoints:
        text = (f"{md_text(e.label)}: {_events(view, e.paramcd, CONTROL)} events in {a} and "
                f"{_events(view, e.paramcd, EXPERIMENTAL)} in {b} (median "
                f"{_median(view, e.paramcd, CONTROL, settings.time_unit)} and "
                f"{_median(view, e.paramcd, EXPERIMENTAL, settings.time_unit)})")
        if not e.compare:
            note = e.note or "not compared"
            out.append(text + f"; {note[:1].lower()}{note[1:]}")
            continue
        out.append(text + f"; hazard ratio {hr_ci(view, f'{e.paramcd}.{COX_ID}', **_VS)} "
                   f"({settings.sided} p {p_text(view, f'{e.paramcd}.logrank', settings.p_stat, **_VS)})")
    return ". ".join(t.rstrip(".") for t in out) + "." if out else ""


def proportion_results(view: ArdView, variables: Sequence) -> str:
    """One sentence per proportion endpoint (objects with ``name`` and ``label``, the study
    configuration's ``proportions``): % per arm and Fisher's exact p."""
    out = []
    for v in variables:
        aid = f"proportion.{v.name}"
        if not view.has(aid):
            continue
        pct = {code: shown(view, aid, "p", group1_level=code, variable_level="Y")
               for code in (CONTROL, EXPERIMENTAL)}
        a, b = (md_text(arm_name(c, view.arm_names)) for c in (CONTROL, EXPERIMENTAL))
        out.append(f"{md_text(v.label)} occurred in {pct[CONTROL]}% of the patients of {a} and "
                   f"{pct[EXPERIMENTAL]}% of those of {b} (Fisher's exact "
                   f"p {p_text(view, aid, **_VS)}).")
    return " ".join(out)


def endpoint_heading(endpoint) -> str:
    """The endpoint's heading: "**Local relapse-free survival** (LRFS)."."""
    return f"**{endpoint.label}** ({endpoint.paramcd})."


def missing_endpoints(paramcds: Sequence[str]) -> str:
    """The endpoints of the study configuration without ADTTE rows ("" when none)."""
    return ("Secondary endpoints of the study configuration without ADTTE rows: "
            f"{', '.join(paramcds)}." if paramcds else "")
