"""The meta-analysis chapter's data-dependent sentences, built from its ARD rows
(``helpers.analyses.meta_ard``): every number is a ``stat_fmt``. Labels (trials, versions,
methods), this run's trial (``run_trial``: id, label), the arms' words and what the chapter
says about single trials (which have several versions, whose direction is unclear) are
arguments the callers take from the study's trial table; notes from that table are quoted as
they are. A sentence whose data the table lacks is left out, not printed wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from helpers.ard import ArdView

from .stats import conf_text, estimate_ci, p_phrase, said
from .tables.meta import version_label

__all__ = ["in_sentence", "local_control_text", "pooled_text", "published_text", "sequence_text",
           "settings_text"]

ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def in_sentence(label: str) -> str:
    """An endpoint's label inside a sentence: "Local relapse-free survival" -> "local
    relapse-free survival"; a label opening with an abbreviation ("PFS", "HER2-...") is kept."""
    words = label.split(" ", 1)
    first = words[0]
    if len(first) > 1 and (first[1:2].isupper() or any(ch.isdigit() for ch in first)):
        return label
    return first[:1].lower() + label[1:]


def settings_text(view: ArdView, outcome: str, *, method_label: str, versions: Mapping[str, str],
                  excluded: Mapping[str, str], missing: Mapping[str, str],
                  labels: Mapping[str, str], include_uncertain: bool,
                  population_label: str, run_trial: str,
                  version_words: Mapping[str, str] | None = None) -> str:
    """What this run pooled: method and level, each trial's version (``versions``: trial ->
    version; ``version_words``: version -> label), what was left out and why (``excluded``:
    trial -> note; ``missing``: trial -> why this run's estimate is missing), and where the
    row of this run's trial (``run_trial``: the trial table's trial ``from_run``) comes from."""
    words = dict(version_words or {})
    level = conf_text(view, f"meta.{outcome}.pooled") if view.has(f"meta.{outcome}.pooled") else ""
    run = f"meta.{outcome}.run_trial"
    left = [f"{labels[t]} ({words.get(versions[t], version_label(versions[t]))}: {note})"
            for t, note in excluded.items()]
    left += [f"{labels.get(t, t)} ({why})" for t, why in missing.items()]
    text = (f"Settings of this run: {method_label} at {level}; trial versions "
            + ", ".join(f"{labels[t]} {words.get(v, version_label(v))}" for t, v in versions.items())
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
                common_label: str, run_trial: str, arms: Mapping[str, str]) -> str:
    """The pooled estimate (``arms``: the words of the experimental and control arms the
    trials compare), the common-effect one, heterogeneity, the prediction interval and the
    weight of this run's trial (``run_trial``, as :func:`settings_text`; or why it is
    missing)."""
    own = labels.get(run_trial, run_trial)
    p, m, t = f"meta.{outcome}.pooled", f"meta.{outcome}.methods", f"meta.{outcome}.trials"
    pooled = [labels.get(tr, tr) for tr, version in zip(
        view.rows(t, stat_name="weight")["variable_level"],
        view.rows(t, stat_name="weight")["group2_level"])
        if view.fmt(t, "weight", variable_level=tr, group2_level=version)]
    level = conf_text(view, p)
    text = (f"Pooling {said(view, p, 'k')} trials ({', '.join(pooled)}; {method_label}), the "
            f"hazard ratio of {arms['experimental']} vs {arms['control']} was {estimate_ci(view, p)} "
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
                   includes_run_trial: Mapping[str, bool], version_trials: Sequence[str],
                   inverted: Mapping[str, str], labels: Mapping[str, str], common_label: str,
                   run_trial: str, arms: Mapping[str, str],
                   version_words: Mapping[str, str] | None = None) -> str:
    """Why the published pooled hazard ratios differ: trial sets, versions (of each trial of
    ``version_trials``: its first and latest, or the one used here), the direction of the HRs
    of ``inverted`` (trial -> why its direction is unclear), the model; and this run's pooling
    of each named trial set. A reason whose rows are absent (no trial with several versions,
    none of unclear direction, a common-effect pooling) is left out."""
    pub, p, m = f"meta.{outcome}.published", f"meta.{outcome}.pooled", f"meta.{outcome}.methods"
    ver_id, inv_id = f"meta.{outcome}.versions", f"meta.{outcome}.inverted"
    words = dict(version_words or {})
    est = view.rows(pub, stat_name="estimate")
    low = est.loc[est["stat"].idxmin(), "variable_level"]
    high = est.loc[est["stat"].idxmax(), "variable_level"]
    ks = view.rows(pub, stat_name="k")
    ks = ks[ks["stat"].notna()]
    without = sum(not includes_run_trial.get(mid, False) for mid in est["variable_level"])
    own = labels.get(run_trial, run_trial)
    few, many = ((ks.loc[ks["stat"].idxmin(), "stat_fmt"], ks.loc[ks["stat"].idxmax(), "stat_fmt"])
                 if len(ks) else ("", ""))
    if len(est) == 1:  # one publication: how it differs from this run's pooling
        reasons = [f"in the trial set: {f'{few} trials, ' if few else ''}"
                   f"{'not including' if without else 'including'} {own}"]
    else:
        sizes = (f"from {few} to {many} trials" if few != many else f"{few} trials each")
        reasons = ["in the trial sets: " + (f"{sizes}, and " if few else "")
                   + f"{without} of the {len(est)} meta-analyses do not include {own}"]
    versions = [_versions_said(view, outcome, trial, labels, words) for trial in version_trials]
    versions = [v for v in versions if v]
    if versions:
        reasons.append("in the versions: " + "; ".join(versions))
    for trial, why in inverted.items():
        inv = view.rows(f"meta.{outcome}.trials", stat_name="estimate", variable_level=trial)
        iw = {"variable_level": trial, "group2_level": inv["group2_level"].iloc[0] if len(inv) else ""}
        if not (view.has(ver_id, stat_name="estimate", **iw) and view.has(inv_id, **iw)):
            continue
        effect = "a benefit" if view.stat(ver_id, "estimate", **iw) < 1 else "a harm"
        reasons.append(
            f"in reading {labels.get(trial, trial)}: the direction of its hazard ratio "
            f"({said(view, ver_id, 'estimate', **iw)}) is {why}, so a meta-analysis taking it "
            f"at face value counts it as {effect} of {arms['experimental']}, one inverting it as "
            f"{said(view, inv_id, 'estimate', **iw)}")
    if view.has(m, variable_level=common_label) and not view.rows(p)["method_id"].eq(
            view.rows(m, variable_level=common_label)["method_id"].iloc[0]).all():
        wide = _width(view, p) - _width(view, m, variable_level=common_label)
        compared = ("is wider than" if wide > 1e-12 else "is narrower than" if wide < -1e-12
                    else "is as wide as")
        reasons.append(
            f"in the model: with I² = {said(view, p, 'I2')}% among the trials pooled here, the "
            f"random-effects CI ({_bounds(view, p)}) {compared} the common-effect one "
            f"({_bounds(view, m, variable_level=common_label)})")
    same = view.rows(f"meta.{outcome}.same_trials", stat_name="estimate")
    parts = []
    for mid in same["variable_level"]:
        w = {"variable_level": mid}
        part = (f"{said(view, f'meta.{outcome}.same_trials', 'estimate', **w)} for "
                f"{meta_labels.get(mid, mid)}'s (published {said(view, pub, 'estimate', **w)}")
        if view.has(f"meta.{outcome}.same_trials_inverted", **w):
            flipped = [labels.get(t, t) for t in inverted]
            part += (f"; {said(view, f'meta.{outcome}.same_trials_inverted', 'estimate', **w)} "
                     f"with {' and '.join(flipped)} inverted")
        parts.append(part + ")")
    opening = (
        f"The published pooled hazard ratio is {said(view, pub, 'estimate', variable_level=low)} "
        f"({meta_labels.get(low, low)}). It may differ from this run's pooled estimate, "
        if len(est) == 1 else
        f"The published pooled hazard ratios range from {said(view, pub, 'estimate', variable_level=low)} "
        f"({meta_labels.get(low, low)}) to {said(view, pub, 'estimate', variable_level=high)} "
        f"({meta_labels.get(high, high)}). They differ, ")
    text = (opening + ". ".join(
            (f"{ORDINALS[i]}, " if i == 0 else f"{ORDINALS[i].capitalize()}, ") + r
            for i, r in enumerate(reasons)) + ".")
    if parts:
        text += (" Pooling each named trial set with this run's settings gives " + "; ".join(parts)
                 + ". The remaining gaps come from the versions each used, the trials' published "
                 "rounding and the model.")
    return text


def _width(view: ArdView, aid: str, **where) -> float:
    import math

    return math.log(view.stat(aid, "conf.high", **where)) - math.log(view.stat(aid, "conf.low", **where))


def _bounds(view: ArdView, aid: str, **where) -> str:
    return estimate_ci(view, aid, level=False, **where).split(" (")[1].rstrip(")")


def _versions_said(view: ArdView, outcome: str, trial: str, labels: Mapping[str, str],
                   words: Mapping[str, str]) -> str:
    """"<trial>'s hazard ratio was X in its <year> report and Y in the <year> <version>": its
    first version and the one used here (else its latest); "" without two versions."""
    aid = f"meta.{outcome}.versions"
    ver = view.rows(aid, stat_name="year", variable_level=trial).sort_values("stat", kind="stable")
    if len(ver) < 2:
        return ""
    used = view.rows(f"meta.{outcome}.trials", stat_name="estimate", variable_level=trial)
    v_first = ver["group2_level"].iloc[0]
    v_last = (used["group2_level"].iloc[0] if len(used) and used["group2_level"].iloc[0] != v_first
              and used["group2_level"].iloc[0] in set(ver["group2_level"])
              else ver["group2_level"].iloc[-1])  # the version used here, else the latest
    vw = {"variable_level": trial}
    year = said(view, aid, 'year', group2_level=v_last, **vw)
    name = words.get(v_last, version_label(v_last))
    return (f"{labels.get(trial, trial)}'s hazard ratio was "
            f"{said(view, aid, 'estimate', group2_level=v_first, **vw)} in its "
            f"{said(view, aid, 'year', group2_level=v_first, **vw)} report and "
            f"{said(view, aid, 'estimate', group2_level=v_last, **vw)} in "
            + (name if year in name else f"the {year} {name}"))  # "J Clin Oncol 2022" has its year


def local_control_text(view: ArdView, labels: Mapping[str, str], meta_labels: Mapping[str, str],
                       measures: Mapping[str, str], run_trial: str, endpoint: str) -> str:
    """This run's trial's (``run_trial``) hazard ratio of its local-control endpoint
    (``endpoint``: its label in a sentence) in this run and as published, why local control is
    (not) pooled, and the other trials' and meta-analyses' figures (``measures``: trial -> the
    measure as its source names it); a part the table gives nothing for is left out."""
    run, rep = "meta.local_control.run_trial", "meta.local_control.reported"
    n = len(view.rows("meta.local_control.trials", stat_name="estimate")) or \
        len(view.rows(run, stat_name="estimate", variable_level="this_run"))
    pooled = "meta.local_control.pooled"
    this = (estimate_ci(view, run, variable_level="this_run")
            if view.has(run, variable_level="this_run") else "not estimable")
    published = (f" (published {estimate_ci(view, run, variable_level='published')})"
                 if view.has(run, variable_level="published") else "")
    parts = []
    for trial in dict.fromkeys(view.rows(rep)["variable_level"]):
        w = {"variable_level": trial}
        figure = (view.fmt(rep, "estimate", **w) if view.has(rep, stat_name="estimate", **w) else
                  f"{view.fmt(rep, 'p', group1_level='experimental', **w)}% vs "
                  f"{view.fmt(rep, 'p', group1_level='control', **w)}%")
        parts.append(f"{labels.get(trial, trial)}: {measures.get(trial, '')} {figure}")
    pub = "meta.local_control.published"
    metas = [f"{meta_labels.get(mid, mid)} {estimate_ci(view, pub, variable_level=mid)}"
             for mid in dict.fromkeys(view.rows(pub)["variable_level"])]
    text = (f"{labels.get(run_trial, run_trial)}'s {endpoint} hazard ratio in this run is "
            f"{this}{published}. {n} of the trials report{'s' if n == 1 else ''} a local-control "
            "hazard ratio with a CI, so "
            + ("no pooled estimate is computed" if not view.has(pooled) else
               f"the pooled hazard ratio is {estimate_ci(view, pooled)}"))
    if parts:
        text += ((": " if not view.has(pooled) else "; ")
                 + "the other trials report local control as " + "; ".join(parts))
    text += "."
    if metas:
        text += " Published meta-analyses pooled " + "; ".join(metas) + "."
    return text
