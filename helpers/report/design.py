"""The design chapter's tables, figure labels and sentences, built from its ARD rows
(``helpers.analyses.design_ard``): every number is a ``stat_fmt`` of the run's ARD.

The design's power is stated once: the power of the design's hazard ratio (the planning
medians') with the design's events, one row (``design.power``), one precision. The arms are
named as the view names them (``ArdView.arm_names``: "arm A", "the control arm"), the events
by the primary endpoint's word (``events``: "deaths"), as in the other chapters.
"""

from __future__ import annotations

import pandas as pd

from helpers.ard import ArdView
from helpers.core.textsafe import md_text

from .names import arm_name, capital, in_sentence
from .stats import below, estimate_ci, said

__all__ = ["design_note", "design_table", "oc_note", "oc_table", "power_labels", "power_text",
           "sample_size_text", "simulation_text", "subgroup_words"]

S, PUB, ALT = "design.sample_size", "design.published", "design.alternatives"

#: How the tables name the formulas' hazard-ratio sources and the scenarios.
HR_SOURCES = {"medians": "planning medians", "stated": "stated hazard ratio"}
SCENARIOS = {"planning": "Planning assumptions", "null": "No effect",
             "calendar": "Analysis at the planned calendar time",
             "observed_accrual": "Observed accrual, loss to follow-up",
             "subgroup": "Effect in subgroups only", "delayed": "Delayed effect",
             "crossing": "Crossing hazards"}


def _v(view: ArdView, aid: str, stat: str, **where) -> str:
    return said(view, aid, stat, **where)


def _arm(view: ArdView, code: str) -> str:
    return md_text(arm_name(code, view.arm_names))


def _alternative(view: ArdView, contains: str) -> str:
    levels = view.rows(ALT, stat_name="events.exact")["variable_level"]
    return next(level for level in levels if contains in level.lower())


def sample_size_text(view: ArdView, events: str = "deaths") -> str:
    """Events and patients recomputed from the planning assumptions, and why the published
    events need the medians' hazard ratio (``events``: the primary endpoint's word)."""
    events = md_text(events)
    stated = _alternative(view, "schoenfeld, stated")
    freedman = _alternative(view, "freedman, medians")
    return (
        f"Exponential survival with medians of {_v(view, S, 'median', variable_level='A')} and "
        f"{_v(view, S, 'median', variable_level='B')} months implies a hazard ratio of "
        f"{_v(view, S, 'hr', variable='medians')} (published: {_v(view, PUB, 'hr')}). "
        f"Schoenfeld's formula with one-sided alpha {_v(view, S, 'alpha')} and power "
        f"{_v(view, S, 'power', variable='target')}% gives {_v(view, S, 'events.exact')} {events}, "
        f"rounded to **{_v(view, S, 'events')}** (published: {_v(view, PUB, 'events')}). Other "
        f"conventions do not give the published number (@tbl-design): the stated hazard ratio "
        f"{_v(view, PUB, 'hr')} in the same formula needs "
        f"{_v(view, ALT, 'events.exact', variable_level=stated)} {events}, and Freedman's formula "
        f"{_v(view, ALT, 'events.exact', variable_level=freedman)}.\n\n"
        f"With uniform accrual over {_v(view, S, 'accrual')} years and "
        f"{_v(view, S, 'follow_up')} years of follow-up after the last patient, the probability "
        f"of an event ({events}) before the analysis is "
        f"{_v(view, S, 'p', variable='event', variable_level='A')}% in {_arm(view, 'A')} and "
        f"{_v(view, S, 'p', variable='event', variable_level='B')}% in {_arm(view, 'B')} (mean "
        f"{_v(view, S, 'p', variable='event', variable_level='mean')}%), so "
        f"{_v(view, S, 'events')} {events} need {_v(view, S, 'patients', variable='for events')} "
        f"patients. The publications do not state the allowance that turns them into the "
        f"planned {_v(view, PUB, 'patients')}: **we assume "
        f"{_v(view, S, 'p', variable='dropout')}% lost to follow-up or ineligible**, which gives "
        f"{_v(view, S, 'patients', variable='planned')} patients (the implied allowance is "
        f"{_v(view, S, 'p', variable='implied dropout')}%).")


def design_table(view: ArdView, events: str = "deaths") -> pd.DataFrame:
    """Events (``events``: the primary endpoint's word) by formula and hazard-ratio source,
    exact and rounded both ways, and whether either rounding gives the published number."""
    word = capital(events)
    published = _v(view, PUB, "events")
    rows = []
    for level in view.rows(ALT, stat_name="events.exact")["variable_level"]:
        formula, _, source = level.partition(", ")
        nearest = _v(view, ALT, "events", variable_level=level, group2_level="nearest")
        up = _v(view, ALT, "events", variable_level=level, group2_level="up")
        rows.append({"Formula": formula.capitalize(),
                     "Hazard ratio from": HR_SOURCES.get(source.split()[0], source),
                     "Hazard ratio": _v(view, ALT, "hr", variable_level=level),
                     f"{word} (exact)": _v(view, ALT, "events.exact", variable_level=level),
                     f"{word} (nearest)": nearest, f"{word} (rounded up)": up,
                     "Gives the published number": "Yes" if published in (nearest, up) else "No"})
    return pd.DataFrame(rows)


def design_note(view: ArdView, events: str = "deaths", endpoint: str = "overall survival") -> str:
    """The planning assumptions under the design table (``endpoint``: the primary endpoint's
    label, ``events`` its word for its events). Plain text: a table note."""
    return (f"Planning assumptions (published): median {in_sentence(endpoint)} {_v(view, S, 'median', variable_level='A')} "
            f"vs {_v(view, S, 'median', variable_level='B')} months, stated hazard ratio "
            f"{_v(view, PUB, 'hr')}, one-sided alpha {_v(view, S, 'alpha')}, power "
            f"{_v(view, S, 'power', variable='target')}%, accrual {_v(view, S, 'accrual')} years, "
            f"follow-up {_v(view, S, 'follow_up')} years. Patients: {_v(view, S, 'events')} {events} "
            f"/ {_v(view, S, 'p', variable='event', variable_level='mean')}% = "
            f"{_v(view, S, 'patients', variable='for events')}, plus an assumed (not published) "
            f"allowance of {_v(view, S, 'p', variable='dropout')}% = "
            f"{_v(view, S, 'patients', variable='planned')}.")


def power_labels(view: ArdView, paramcd: str = "OS", events: str = "deaths") -> dict[str, str]:
    """The power curve's annotations: the design point and the point with the observed
    events (``events``: the primary endpoint's word)."""
    hr = _v(view, "design.power", "hr")
    return {
        "design": f"HR {hr}: power {_v(view, 'design.power', 'power', variable_level='design')}%",
        "observed": (f"power {_v(view, 'design.power', 'power', variable_level='observed')}% at "
                     f"HR {hr} with {_v(view, 'design.power', 'events', variable_level='observed')} "
                     f"{events}"),
        "observed_hr": f"observed HR {said(view, f'design.{paramcd}.cox.primary', 'estimate')}",
    }


def power_text(view: ArdView, paramcd: str = "OS", events: str = "deaths") -> str:
    """The design's power (once) and the power the observed events (``events``: the primary
    endpoint's word) give at the same hazard ratio, beside the observed hazard ratio (no
    power computed at the observed effect)."""
    p, events = "design.power", md_text(events)
    return (f"With {_v(view, S, 'events')} {events} the design has "
            f"{_v(view, p, 'power', variable_level='design')}% power if the true hazard ratio is "
            f"the planning medians' {_v(view, p, 'hr')}. This run observed "
            f"{_v(view, p, 'events', variable_level='observed')} {events}, which give "
            f"{_v(view, p, 'power', variable_level='observed')}% power at the same hazard ratio; "
            f"the observed hazard ratio was {estimate_ci(view, f'design.{paramcd}.cox.primary')}"
            f"{_against_plan(view, paramcd)}.")


def _against_plan(view: ArdView, paramcd: str) -> str:
    """The observed hazard ratio against the planning one, worded from the numbers: below
    the planning hazard ratio is a larger effect than planned, between it and 1 a smaller
    one, at or above 1 no benefit of the experimental arm (as the view names it)."""
    # decided on the printed values, as the sentence shows them
    observed = said(view, f"design.{paramcd}.cox.primary", "estimate")
    plan = _v(view, "design.power", "hr")
    if view.stat(f"design.{paramcd}.cox.primary", "estimate") != \
            view.stat(f"design.{paramcd}.cox.primary", "estimate"):  # NaN: not estimable
        return ""
    if below(observed, plan):
        return f", a larger effect than the planning hazard ratio of {plan}"
    if below(observed, 1):
        return f", a smaller effect than the planning hazard ratio of {plan}"
    return f", no benefit of {_arm(view, 'B')} (the planning hazard ratio was {plan})"


def oc_table(view: ArdView, events: str = "deaths") -> pd.DataFrame:
    """Simulated operating characteristics beside Schoenfeld's values, one row per scenario
    (``events``: the primary endpoint's word for its events)."""
    a = "simulation.oc"
    rows = []
    for key in dict.fromkeys(view.rows(a)["variable_level"]):
        rate = "type1" if key == "null" else "power"
        rows.append({
            "Scenario": SCENARIOS.get(key, key),
            "Simulated rejection rate (%)": _v(view, a, rate, variable_level=key, group2_level="simulated"),
            "Monte-Carlo SE (%)": _v(view, a, "mcse", variable_level=key),
            "Analytic, Schoenfeld (%)": said(view, a, rate, missing="", variable_level=key,
                                              group2_level="analytic"),
            "Mean Cox HR": _v(view, a, "hr", variable_level=key),
            f"Mean {events}": _v(view, a, "events", variable_level=key),
            "Mean month of analysis": _v(view, a, "time", variable_level=key),
        })
    return pd.DataFrame(rows)


def subgroup_words(subgroup_label: str, variable_label=None) -> str:
    """The scenario's subgroup as a reader reads it: "ER=Positive" (``scenario_setup``) ->
    "oestrogen receptor positive" with ``variable_label`` (the study's: "ER" -> "Oestrogen
    receptor"); a label without "=" as it is. Plain text (a table note); sentences escape it."""
    variable, eq, level = subgroup_label.partition("=")
    if not eq:
        return subgroup_label
    name = variable_label(variable) if variable_label else variable
    return f"{in_sentence(name)} {in_sentence(level)}"


def oc_note(view: ArdView, *, seed: int, strata: list[str], subgroup_label: str,
            patients_source: str, accrual_source: str, variable_label=None) -> str:
    """The simulation table's note: replicates, randomisation and the scenarios' assumptions
    (``simulation.setup`` rows); ``variable_label``: the study's labels of the strata."""
    u = "simulation.setup"
    label = variable_label or (lambda name: name)
    return (
        f"{_v(view, 'simulation.oc', 'replicates', variable_level='planning')} simulated trials "
        f"per scenario (seed {seed}); {_v(view, S, 'patients', variable='planned')} patients "
        f"randomised by stratified permuted blocks of {_v(view, u, 'n', variable='block_size')} "
        f"within the strata of {', '.join(in_sentence(label(s)) for s in strata) or '(none)'} "
        f"in the observed proportions. Effect in subgroups only: the planning hazard ratio in "
        f"the strata with {subgroup_words(subgroup_label, variable_label)} "
        f"({_v(view, u, 'p', variable='subgroup')}% of patients), none elsewhere. Delayed "
        f"effect: no difference for {_v(view, u, 'time', variable='delay')} months, then the "
        f"planning hazard ratio. Crossing hazards: hazard ratio "
        f"{_v(view, u, 'hr', variable='early')} for {_v(view, u, 'time', variable='early')} "
        f"months, then the planning one. Observed accrual: {_v(view, u, 'patients')} patients "
        f"({patients_source}) over {_v(view, u, 'accrual')} months ({accrual_source}) with a "
        f"{_v(view, u, 'time', variable='ramp_up')}-month ramp-up and "
        f"{_v(view, u, 'p', variable='lost')}% lost to follow-up by "
        f"{_v(view, u, 'time', variable='lost_by')} months. Analytic values are blank where "
        "Schoenfeld's formula does not apply (non-proportional hazards).")


def simulation_text(view: ArdView, subgroup_label: str, variable_label=None) -> str:
    """Simulated power and type I error beside the formula, and the non-proportional scenarios
    (``variable_label``: the study's labels, for the subgroup)."""
    a = "simulation.oc"

    def rate(key: str, source: str = "simulated") -> str:
        stat = "type1" if key == "null" else "power"
        return _v(view, a, stat, variable_level=key, group2_level=source)

    return (
        f"Under the planning assumptions the simulated power was {rate('planning')}% "
        f"(Monte-Carlo SE {_v(view, a, 'mcse', variable_level='planning')}%) against "
        f"{rate('planning', 'analytic')}% from Schoenfeld's formula, and without an effect the "
        f"test rejected in {rate('null')}% of trials (SE {_v(view, a, 'mcse', variable_level='null')}%; "
        f"one-sided alpha {_v(view, S, 'alpha')}). If the benefit of {_arm(view, 'B')} were confined to "
        f"the subgroup with {md_text(subgroup_words(subgroup_label, variable_label))} ({_v(view, 'simulation.setup', 'p', variable='subgroup')}% "
        f"of patients), the power would be {rate('subgroup')}%; with a delayed effect it was "
        f"{rate('delayed')}%, and with early harm followed by benefit (crossing hazards) "
        f"{rate('crossing')}% (@tbl-simulated-oc). Over the effect sizes of @fig-simulated-power "
        f"the simulated power lies within {_v(view, 'simulation.curve', 'z.max')} Monte-Carlo "
        "standard errors of the formula.")
