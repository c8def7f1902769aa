"""The meta-analysis chapter's tables, built from its ARD rows (``helpers.analyses.meta_ard``):
every number is a ``stat_fmt`` of the run's ARD. Trials, versions and meta-analyses are shown
by their labels (``labels``: trial id -> label; versions by :func:`version_label`), never by
the keys of the study's trial table (``data``, passed explicitly); sources are cited in the
tables' notes (:func:`sources_note`).

``meta_analysis`` and ``run_estimate`` (numbers) live in ``helpers.analyses.meta_analysis``
and are re-exported here for callers of the former module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.analyses.meta_analysis import meta_analysis, run_estimate  # noqa: F401 (re-exported)
from helpers.ard import ArdView
from helpers.meta.trials import TrialTable, version_labels
from helpers.meta.trials import sources as trial_sources

from ..stats import estimate_ci, said

__all__ = ["VERSION_LABELS", "forest_display", "local_control_display", "methods_display",
           "published_display", "published_note", "sequence_display", "sources_note", "version_label"]

DASH = "—"

#: Versions the chapter itself names (this run's estimate, this run's trial as published);
#: the trial table's versions are named by their ``label`` there.
VERSION_LABELS = {"this_run": "this run", "published": "as published"}


def version_label(key: str, data: TrialTable | None = None) -> str:
    """A version key as the supplement names it: its ``label`` in the trial table ``data``,
    else :data:`VERSION_LABELS`, else the key in words (underscores as spaces)."""
    labels = {**VERSION_LABELS, **(version_labels(data) if data is not None else {})}
    return labels.get(key, key.replace("_", " "))


def _ci(view: ArdView, aid: str, **where) -> str:
    low = said(view, aid, "conf.low", missing="NE", **where)
    high = said(view, aid, "conf.high", missing="NE", **where)
    return f"{low}–{high}"


def _pairs(view: ArdView, aid: str) -> list[tuple[str, str]]:
    rows = view.rows(aid, stat_name="estimate")
    return list(zip(rows["variable_level"], rows["group2_level"]))


def forest_display(view: ArdView, outcome: str, labels: Mapping[str, str],
                   data: TrialTable | None = None) -> pd.DataFrame:
    """The trials of the forest plot: trial, version, year, HR and CI at the chapter's level,
    the level each published, weight and whether it is pooled (a trial this run cannot
    estimate: "not estimable" and why); versions named from the trial table ``data``."""
    aid = f"meta.{outcome}.trials"
    level = f"{float(view.rows(aid)['conf_level'].dropna().iloc[0]):.0%} CI" if view.has(aid) else "CI"
    rows = []
    for trial, version in _pairs(view, aid):
        where = {"variable_level": trial, "group2_level": version}
        if not view.fmt(aid, "estimate", **where):
            rows.append({"Trial": labels.get(trial, trial), "Version": version_label(version, data),
                         "Year": DASH, "HR": "not estimable", level: DASH,
                         "Published CI level (%)": DASH, "Weight (%)": DASH,
                         "Pooled": f"No: {view.reason(aid, 'estimate', **where)}"})
            continue
        weight = view.fmt(aid, "weight", **where)
        rows.append({
            "Trial": labels.get(trial, trial), "Version": version_label(version, data),
            "Year": view.fmt(aid, "year", **where), "HR": view.fmt(aid, "estimate", **where),
            level: _ci(view, aid, **where),
            "Published CI level (%)": view.fmt(aid, "ci.level", **where),
            "Weight (%)": weight or DASH,
            "Pooled": "Yes" if weight else
            "No: " + view.reason(aid, "weight", **where).removeprefix("not pooled: "),
        })
    return pd.DataFrame(rows)


def methods_display(view: ArdView, outcome: str) -> pd.DataFrame:
    """Every pooling method on the pooled trials: k, HR, CI, p, τ², I² with its Q-profile
    CI, Cochran's Q p and the prediction interval."""
    aid = f"meta.{outcome}.methods"
    rows = []
    for method in dict.fromkeys(view.rows(aid)["variable_level"]):
        w = {"variable_level": method}
        rows.append({
            "Method": method, "k": view.fmt(aid, "k", **w), "HR": view.fmt(aid, "estimate", **w),
            "CI": _ci(view, aid, **w), "p": said(view, aid, "p.value", **w),
            "τ²": view.fmt(aid, "tau2", **w), "I² (%)": view.fmt(aid, "I2", **w),
            "I² CI (%)": f"{said(view, aid, 'I2.conf.low', missing='NE', **w)}–"
                         f"{said(view, aid, 'I2.conf.high', missing='NE', **w)}",
            "Q p": said(view, aid, "Q.p.value", **w),
            "Prediction interval": f"{said(view, aid, 'pi.low', missing='NE', **w)}–"
                                   f"{said(view, aid, 'pi.high', missing='NE', **w)}",
        })
    return pd.DataFrame(rows)


def sequence_display(view: ArdView, outcome: str, key: str, labels: Mapping[str, str]) -> pd.DataFrame:
    """Leave-one-out (``key="loo"``) or cumulative (``"cumulative"``) rows for display."""
    aid = f"meta.{outcome}.{key}"
    first = "Omitted" if key == "loo" else "Added"
    rows = []
    for trial in dict.fromkeys(view.rows(aid)["variable_level"]):
        w = {"variable_level": trial}
        row = {first: labels.get(trial, trial)}
        if key != "loo":
            row["Year"] = view.fmt(aid, "year", **w)
        rows.append({**row, "k": view.fmt(aid, "k", **w), "HR": view.fmt(aid, "estimate", **w),
                     "CI": _ci(view, aid, **w), "τ²": view.fmt(aid, "tau2", **w),
                     "I² (%)": view.fmt(aid, "I2", **w)})
    return pd.DataFrame(rows)


def published_display(view: ArdView, outcome: str, meta_labels: Mapping[str, str],
                      named: Mapping[str, Iterable[str]], models: Mapping[str, str],
                      labels: Mapping[str, str], run_label: str,
                      invert_label: str | None) -> pd.DataFrame:
    """Published pooled hazard ratios (as published) with the trials each names (``named``),
    beside this run's pooling of the same trials and the same with the HRs of
    ``invert_label`` (the trials whose direction is unclear; None: no such trial, no column)
    inverted; this run's own estimate last. The models (``models``,
    ``run_label``: this run's method) are text with version numbers: the note gives them
    (:func:`published_note`)."""
    aid = f"meta.{outcome}.published"
    rows = []
    for mid in dict.fromkeys(view.rows(aid)["variable_level"]):
        w = {"variable_level": mid}
        same = f"meta.{outcome}.same_trials"
        row = {
            "Meta-analysis": meta_labels.get(mid, mid),
            "Trials named": ", ".join(labels.get(t, t) for t in named.get(mid, ())) or "not named",
            "k": view.fmt(aid, "k", **w),
            "HR (CI) as published": estimate_ci(view, aid, **w),
            "This run, same trials": estimate_ci(view, same, level=False, **w)
            if view.has(same, **w) else DASH,
        }
        if invert_label:
            row[f"Same, {invert_label} inverted"] = (
                estimate_ci(view, f"{same}_inverted", level=False, **w)
                if view.has(f"{same}_inverted", **w) else DASH)
        rows.append(row)
    pooled = f"meta.{outcome}.pooled"
    if view.has(pooled):
        rows.append({"Meta-analysis": "This run", "Trials named": "the pooled trials",
                     "k": view.fmt(pooled, "k"),
                     "HR (CI) as published": DASH,
                     "This run, same trials": estimate_ci(view, pooled),
                     **({f"Same, {invert_label} inverted": DASH} if invert_label else {})})
    return pd.DataFrame(rows)


def published_note(meta_labels: Mapping[str, str], trial_sets: Mapping[str, str],
                   models: Mapping[str, str], run_label: str) -> str:
    """The published table's note: each meta-analysis's trial set and model as published."""
    return " ".join(f"{meta_labels.get(mid, mid)}: {trial_sets[mid]}; model: {models.get(mid, '')}."
                    for mid in trial_sets) + f" This run: {run_label}."


def local_control_display(view: ArdView, labels: Mapping[str, str],
                          meta_labels: Mapping[str, str], run_trial: tuple[str, str],
                          endpoint: str, arms: Mapping[str, str]) -> pd.DataFrame:
    """Local control: this run's trial (``run_trial``: id, label) from this run and as
    published (``endpoint``: its local-control endpoint in words), the other trials' published
    figures (hazard ratio, or proportions experimental vs control, ``arms``: their words) and
    the published pooled estimates."""
    own = labels.get(run_trial[0], run_trial[1])
    rows = []
    run = "meta.local_control.run_trial"
    for version in view.rows(run, stat_name="estimate")["variable_level"]:
        w = {"variable_level": version}
        rows.append({"Trial or meta-analysis": f"{own} ({version_label(version)})",
                     "Measure": f"{endpoint} HR",
                     "Value (CI)": estimate_ci(view, run, **w)})
    rep = "meta.local_control.reported"
    for trial in dict.fromkeys(view.rows(rep)["variable_level"]):
        w = {"variable_level": trial}
        if view.has(rep, stat_name="estimate", **w):
            measure, text = "hazard ratio", f"{view.fmt(rep, 'estimate', **w)} (CI not reported)"
        else:
            measure = f"proportions, {arms['experimental']} vs {arms['control']}"
            text = (f"{view.fmt(rep, 'p', group1_level='experimental', **w)}% vs "
                    f"{view.fmt(rep, 'p', group1_level='control', **w)}%")
        rows.append({"Trial or meta-analysis": labels.get(trial, trial), "Measure": measure,
                     "Value (CI)": text})
    pub = "meta.local_control.published"
    for mid in dict.fromkeys(view.rows(pub)["variable_level"]):
        rows.append({"Trial or meta-analysis": meta_labels.get(mid, mid), "Measure": "pooled HR",
                     "Value (CI)": estimate_ci(view, pub, variable_level=mid)})
    return pd.DataFrame(rows)


def sources_note(keys: Iterable[tuple[str, str]], data: TrialTable) -> str:
    """"Sources: <what>: <citation>; ..." for (what, source key) pairs, citations from the
    trial table's ``sources`` (the key itself when it has none)."""
    cites = trial_sources(data)
    seen = dict.fromkeys((what, key) for what, key in keys if key)
    return "Sources: " + "; ".join(
        f"{what}: {(cites.get(key) or {}).get('citation', key)}" for what, key in seen) + "."
