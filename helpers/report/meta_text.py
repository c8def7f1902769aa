"""The meta-analysis chapter's data-dependent sentences, built from its ARD rows
(``helpers.analyses.meta_ard``): every number is a ``stat_fmt``. Labels (trials, versions,
methods) are text the callers pass from the analysis; notes from the reference file are
quoted as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

from helpers.ard import ArdView

from .stats import conf_text, estimate_ci, p_phrase, said
from .tables.meta import version_label

def _run_trial() -> str:
    """The id of the trial this run estimates, from the trial table (``from_run``)."""
    from helpers.meta.trials import run_trial

    return run_trial()[0]


__all__ = ["local_control_text", "pooled_text", "published_text", "sequence_text",
           "settings_text"]


def settings_text(view: ArdView, outcome: str, *, method_label: str, versions: Mapping[str, str],
                  excluded: Mapping[str, str], missing: Mapping[str, str],
                  labels: Mapping[str, str], include_uncertain: bool,
                  population_label: str, run_trial: str | None = None) -> str:
    """What this run pooled: method and level, each trial's version (``versions``: trial ->
    version), what was left out and why (``excluded``: trial -> note; ``missing``: trial ->
    why this run's estimate is missing), and where the row of this run's trial (``run_trial``;
    default: the trial table's trial ``from_run``) comes from."""
    run_trial = run_trial or _run_trial()
    level = conf_text(view, f"meta.{outcome}.pooled") if view.has(f"meta.{outcome}.pooled") else ""
    run = f"meta.{outcome}.run_trial"
    left = [f"{labels[t]} ({version_label(versions[t])}: {note})" for t, note in excluded.items()]
    left += [f"{labels.get(t, t)} ({why})" for t, why in missing.items()]
    text = (f"Settings of this run: {method_label} at {level}; trial versions "
            + ", ".join(f"{labels[t]} {version_label(v)}" for t, v in versions.items())
            + f"; uncertain versions {'pooled' if include_uncertain else 'left out'}. "
            f"Left out: {', '.join(left) or 'none'}. ")
    if view.has(run, variable_level="this_run"):
        text += (f"{labels.get(run_trial, run_trial)}: the stratified Cox hazard ratio of this run at "
                 f"{conf_text(view, run, variable_level='this_run')} in the "
                 f"{population_label}.")
    elif run_trial in missing:
        text += (f"{labels.get(run_trial, run_trial)} is not in this chapter's pooling: "
                 f"{missing[run_trial]}; the other "
                 "trials are shown and pooled without it.")
    return text


def pooled_text(view: ArdView, outcome: str, labels: Mapping[str, str], method_label: str,
                common_label: str, run_trial: str | None = None) -> str:
    """The pooled estimate, the common-effect one, heterogeneity, the prediction interval and
    the weight of this run's trial (``run_trial``, as :func:`settings_text`; or why it is
    missing)."""
    run_trial = run_trial or _run_trial()
    own = labels.get(run_trial, run_trial)
    p, m, t = f"meta.{outcome}.pooled", f"meta.{outcome}.methods", f"meta.{outcome}.trials"
    pooled = [labels.get(tr, tr) for tr, version in zip(
        view.rows(t, stat_name="weight")["variable_level"],
        view.rows(t, stat_name="weight")["group2_level"])
        if view.fmt(t, "weight", variable_level=tr, group2_level=version)]
    level = conf_text(view, p)
    text = (f"Pooling {said(view, p, 'k')} trials ({', '.join(pooled)}; {method_label}), the "
            f"hazard ratio of death with surgery was {estimate_ci(view, p)} "
            f"({p_phrase(view.fmt(p, 'p.value'))}); the common-effect estimate was "
            f"{estimate_ci(view, m, variable_level=common_label)}. Heterogeneity: τ² = "
            f"{said(view, p, 'tau2')}, I² = {said(view, p, 'I2')}% ({level} CI "
            f"{said(view, p, 'I2.conf.low')}–{said(view, p, 'I2.conf.high')}%, Q-profile), "
            f"Cochran's Q {p_phrase(view.fmt(p, 'Q.p.value'))}; the {level} prediction interval for "
            f"the hazard ratio of a new trial is {said(view, p, 'pi.low')}–"
            f"{said(view, p, 'pi.high')}.")
    run = {"variable_level": run_trial, "group2_level": "this_run"}
    if view.has(t, stat_name="weight", **run):
        text += (f" {own} weighs {said(view, t, 'weight', **run)}% with this run's hazard "
                 f"ratio {said(view, t, 'estimate', **run)}.")
    elif view.has(t, stat_name="estimate", **run):
        text += f" {own} is not pooled: {view.reason(t, 'estimate', **run)}."
    return text


def sequence_text(view: ArdView, outcome: str, labels: Mapping[str, str]) -> str:
    """Which trial moves the pooled estimate most when left out, and how the cumulative
    estimate changed from the first to the last trial."""
    loo, cum, p = f"meta.{outcome}.loo", f"meta.{outcome}.cumulative", f"meta.{outcome}.pooled"
    est = view.rows(loo, stat_name="estimate")
    swing = est.loc[(est["stat"] - view.stat(p, "estimate")).abs().idxmax(), "variable_level"]
    added = list(view.rows(cum, stat_name="estimate")["variable_level"])
    first, last = added[0], added[-1]
    return (f"Leaving out {labels.get(swing, swing)} moves the pooled hazard ratio most, to "
            f"{estimate_ci(view, loo, level=False, variable_level=swing)}. The cumulative "
            f"estimate went from {said(view, cum, 'estimate', variable_level=first)} with "
            f"{labels.get(first, first)} alone ({said(view, cum, 'year', variable_level=first)}) "
            f"to {said(view, cum, 'estimate', variable_level=last)} with all "
            f"{said(view, cum, 'k', variable_level=last)} pooled trials "
            f"({said(view, cum, 'year', variable_level=last)}).")


def published_text(view: ArdView, outcome: str, meta_labels: Mapping[str, str],
                   includes_run_trial: Mapping[str, bool], version_trial: str,
                   inverted_trial: str, labels: Mapping[str, str], common_label: str) -> str:
    """Why the published pooled hazard ratios differ: trial sets, versions (``version_trial``'s
    first and latest), the direction of ``inverted_trial``'s HR, the model; and this run's
    pooling of each named trial set."""
    pub, p, m = f"meta.{outcome}.published", f"meta.{outcome}.pooled", f"meta.{outcome}.methods"
    est = view.rows(pub, stat_name="estimate")
    low = est.loc[est["stat"].idxmin(), "variable_level"]
    high = est.loc[est["stat"].idxmax(), "variable_level"]
    ks = view.rows(pub, stat_name="k")
    without = sum(not includes_run_trial.get(mid, False) for mid in est["variable_level"])
    ver = view.rows(f"meta.{outcome}.versions", stat_name="year", variable_level=version_trial)
    ver = ver.sort_values("stat", kind="stable")
    used = view.rows(f"meta.{outcome}.trials", stat_name="estimate", variable_level=version_trial)
    v_first = ver["group2_level"].iloc[0]
    v_last = (used["group2_level"].iloc[0] if len(used) and used["group2_level"].iloc[0] != v_first
              else ver["group2_level"].iloc[-1])  # the version used here, else the latest
    vw = {"variable_level": version_trial}
    inv = view.rows(f"meta.{outcome}.trials", stat_name="estimate", variable_level=inverted_trial)
    inv_version = inv["group2_level"].iloc[0] if len(inv) else ""
    iw = {"variable_level": inverted_trial, "group2_level": inv_version}
    same = view.rows(f"meta.{outcome}.same_trials", stat_name="estimate")
    parts = []
    for mid in same["variable_level"]:
        w = {"variable_level": mid}
        part = (f"{said(view, f'meta.{outcome}.same_trials', 'estimate', **w)} for "
                f"{meta_labels.get(mid, mid)}'s (published {said(view, pub, 'estimate', **w)}")
        if view.has(f"meta.{outcome}.same_trials_inverted", **w):
            part += (f"; {said(view, f'meta.{outcome}.same_trials_inverted', 'estimate', **w)} "
                     f"with {labels.get(inverted_trial, inverted_trial)} inverted")
        parts.append(part + ")")
    return (
        f"The published pooled hazard ratios range from {said(view, pub, 'estimate', variable_level=low)} "
        f"({meta_labels.get(low, low)}) to {said(view, pub, 'estimate', variable_level=high)} "
        f"({meta_labels.get(high, high)}). They differ, first, in the trial sets: from "
        f"{ks.loc[ks['stat'].idxmin(), 'stat_fmt']} to {ks.loc[ks['stat'].idxmax(), 'stat_fmt']} "
        f"trials, and {without} of the {len(est)} meta-analyses do not include {labels.get(_run_trial(), _run_trial())}. "
        f"Second, in the versions: {labels.get(version_trial, version_trial)}'s hazard ratio was "
        f"{said(view, f'meta.{outcome}.versions', 'estimate', group2_level=v_first, **vw)} in "
        f"its {said(view, f'meta.{outcome}.versions', 'year', group2_level=v_first, **vw)} report "
        f"and {said(view, f'meta.{outcome}.versions', 'estimate', group2_level=v_last, **vw)} in "
        f"the {said(view, f'meta.{outcome}.versions', 'year', group2_level=v_last, **vw)} "
        f"{version_label(v_last)}. Third, in reading {labels.get(inverted_trial, inverted_trial)}: "
        f"the direction of its hazard ratio "
        f"({said(view, f'meta.{outcome}.versions', 'estimate', **iw)}) is not stated in its "
        "abstract while its medians favour systemic therapy alone, so a meta-analysis taking it "
        "at face value counts it as a benefit of surgery, one inverting it as "
        f"{said(view, f'meta.{outcome}.inverted', 'estimate', **iw)}. Fourth, in the model: "
        f"with I² = {said(view, p, 'I2')}% among the trials pooled here, the random-effects CI "
        f"({estimate_ci(view, p, level=False).split(' (')[1].rstrip(')')}) is wider than the "
        f"common-effect one "
        f"({estimate_ci(view, m, level=False, variable_level=common_label).split(' (')[1].rstrip(')')}). "
        "Pooling each named trial set with this run's settings gives " + "; ".join(parts)
        + ". The remaining gaps come from the versions each used, the trials' published rounding "
        "and the model.")


def local_control_text(view: ArdView, labels: Mapping[str, str], meta_labels: Mapping[str, str],
                       measures: Mapping[str, str]) -> str:
    """This run's trial's local relapse-free survival hazard ratio (this run and as published), why
    local control is not pooled, and the other trials' and meta-analyses' figures
    (``measures``: trial -> the measure as its source names it)."""
    run, rep = "meta.local_control.run_trial", "meta.local_control.reported"
    n = len(view.rows("meta.local_control.trials", stat_name="estimate")) or \
        len(view.rows(run, stat_name="estimate", variable_level="this_run"))
    pooled = "meta.local_control.pooled"
    this = (estimate_ci(view, run, variable_level="this_run")
            if view.has(run, variable_level="this_run") else "not estimable")
    parts = []
    for trial in dict.fromkeys(view.rows(rep)["variable_level"]):
        w = {"variable_level": trial}
        figure = (view.fmt(rep, "estimate", **w) if view.has(rep, stat_name="estimate", **w) else
                  f"{view.fmt(rep, 'p', group1_level='surgery', **w)}% vs "
                  f"{view.fmt(rep, 'p', group1_level='control', **w)}%")
        parts.append(f"{labels.get(trial, trial)}: {measures.get(trial, '')} {figure}")
    pub = "meta.local_control.published"
    return (
        f"{labels.get(_run_trial(), _run_trial())}'s local relapse-free survival hazard ratio in "
        f"this run is {this} (published "
        f"{estimate_ci(view, run, variable_level='published')}). {n} of the trials "
        f"report{'s' if n == 1 else ''} a local-control hazard ratio with a CI, so "
        + ("no pooled estimate is computed: " if not view.has(pooled) else
           f"the pooled hazard ratio is {estimate_ci(view, pooled)}; ")
        + "the other trials report local control as " + "; ".join(parts)
        + ". Published meta-analyses pooled "
        + "; ".join(f"{meta_labels.get(mid, mid)} {estimate_ci(view, pub, variable_level=mid)}"
                    for mid in dict.fromkeys(view.rows(pub)["variable_level"])) + ".")
