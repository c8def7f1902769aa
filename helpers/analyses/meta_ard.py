"""The ARD rows of the meta-analysis chapter (``meta.*``; ``docs/ard.md``), for one outcome
``{o}`` ("os", "local_control"):

- ``meta.{o}.trials`` (context ``rma``): per trial (``variable`` trial, ``group2`` version)
  the hazard ratio with the CI rebuilt at the chapter's level, ``weight`` (percent, pooled
  rows), ``year`` and the level it was published at (``ci.level``); a trial this run cannot
  estimate is a missing ``estimate`` whose warning says why;
- ``meta.{o}.run_trial``: this run's trial from this run (context ``rma``, its own CI level) and as
  published (context ``published``: printed as published);
- ``meta.{o}.pooled`` (the chapter's method) and ``meta.{o}.methods`` (``variable`` method):
  ``estimate``, ``conf.low``, ``conf.high``, ``p.value``, ``tau2``, ``I2`` with its Q-profile
  CI, ``Q``, ``Q.p.value``, ``pi.low``, ``pi.high``, ``k``;
- ``meta.{o}.loo`` / ``meta.{o}.cumulative`` (``variable`` omitted / added);
- ``meta.{o}.published`` (context ``published``) per published meta-analysis, beside
  ``meta.{o}.same_trials`` and ``meta.{o}.same_trials_inverted`` (this run's pooling of the
  trials it names);
- ``meta.{o}.versions`` (context ``published``): every published version's hazard ratio and
  year; ``meta.{o}.inverted``: 1 / HR of the versions whose direction is unclear (the trial
  table's ``direction_unclear``);
- ``meta.{o}.reported``: local-control figures that are not a HR with a CI (a hazard ratio,
  or proportions: ``group1`` arm, ``group1_level`` experimental / control).

Everything published comes from the study's trial table, passed as ``data``.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.ard import ArdBuilder
from helpers.meta.pooling import PooledEstimate
from helpers.meta.trials import TrialTable, direction_unclear, local_control_reported

from .meta_analysis import MetaAnalysis, PublishedComparison

__all__ = ["meta_ard"]


def _pooled(a, r: PooledEstimate) -> None:
    for name, value, label in (
            ("estimate", r.hr, "Pooled hazard ratio"), ("conf.low", r.hr_lower, "CI lower limit"),
            ("conf.high", r.hr_upper, "CI upper limit"), ("p.value", r.p, "p-value (two-sided)"),
            ("tau2", r.tau2, "tau²"), ("I2", r.i2, "I² (%)"),
            ("I2.conf.low", r.i2_lower, "I², Q-profile CI lower limit"),
            ("I2.conf.high", r.i2_upper, "I², Q-profile CI upper limit"),
            ("Q", r.q, "Cochran's Q"), ("Q.p.value", r.q_p, "Cochran's Q p-value"),
            ("pi.low", r.pi_hr[0], "Prediction interval, lower limit"),
            ("pi.high", r.pi_hr[1], "Prediction interval, upper limit"), ("k", r.k, "Trials")):
        a.add(name, value, label)


def _hr(a, hr: float, lower: float, upper: float, label: str = "Hazard ratio", **fields) -> None:
    a.add("estimate", hr, label, **fields)
    a.add("conf.low", lower, f"{label}, CI lower limit", **fields)
    a.add("conf.high", upper, f"{label}, CI upper limit", **fields)


def meta_ard(b: ArdBuilder, m: MetaAnalysis, comparison: list[PublishedComparison] | None = None,
             *, data: TrialTable, output_ids: dict | None = None) -> None:
    """Add the ``meta.{outcome}.*`` rows (module docstring) of ``m`` and ``comparison``, from
    the trial table ``data``."""
    o, ids = m.outcome, dict(output_ids or {})
    method = f"rma_{m.result.method}" if m.result else "rma"
    conf = m.conf_level
    t = b.analysis(f"meta.{o}.trials", method, "rma", output_id=ids.get("trials", ""),
                   conf_level=conf, variable="trial", group2="version")
    rows = m.forest if m.forest is not None else pd.DataFrame(columns=["trial"])
    for r in rows.itertuples(index=False):
        s = t.scoped(variable_level=r.trial, group2_level=r.version)
        _hr(s, r.hr, r.lower, r.upper)
        s.add("weight", r.weight, "Weight (%)",
              warning="" if math.isfinite(r.weight) else f"not pooled: {r.reason}")
        s.add("year", r.year, "Year", conf_level=math.nan)
        s.add("ci.level", r.published_ci_level, "CI level as published",
              conf_level=r.published_ci_level)
    for trial, why in m.missing.items():
        _hr(t.scoped(variable_level=trial, group2_level="this_run"), math.nan, math.nan,
            math.nan, warning=why)
    run = b.analysis(f"meta.{o}.run_trial", method, "rma", output_id=ids.get("trials", ""),
                     variable="version")
    for r in m.table[m.table["from_run"].astype(bool)].itertuples(index=False):
        _hr(run.scoped(variable_level="this_run", conf_level=r.ci_level), r.hr, r.lower, r.upper)
    for r in m.published_run_trial.itertuples(index=False):
        _hr(run.scoped(variable_level="published", context="published", conf_level=r.ci_level),
            r.hr, r.lower, r.upper, label="Hazard ratio as published")
    if m.result is not None:
        _pooled(b.analysis(f"meta.{o}.pooled", method, "rma", output_id=ids.get("pooled", ""),
                           conf_level=conf), m.result)
        meths = b.analysis(f"meta.{o}.methods", method, "rma", output_id=ids.get("methods", ""),
                           conf_level=conf, variable="method")
        for r in m.methods:
            _pooled(meths.scoped(variable_level=r.label, method_id=f"rma_{r.method}"), r)
        for key, frame, extra in (("loo", m.loo, "omitted"), ("cumulative", m.cumul, "added")):
            a = b.analysis(f"meta.{o}.{key}", method, "rma", output_id=ids.get(key, ""),
                           conf_level=conf, variable=extra)
            for r in frame.to_dict("records"):
                s = a.scoped(variable_level=r[extra])
                _hr(s, r["hr"], r["hr_lower"], r["hr_upper"], label="Pooled hazard ratio")
                s.add("tau2", r["tau2"], "tau²", conf_level=math.nan)
                s.add("I2", r["i2"], "I² (%)", conf_level=math.nan)
                s.add("k", r["k"], "Trials", conf_level=math.nan)
                if "year" in r:
                    s.add("year", r["year"], "Year", conf_level=math.nan)
    _versions(b, o, data)
    if comparison:
        _comparison(b, o, comparison, ids.get("published", ""))
    if o == "local_control":
        _reported(b, ids.get("trials", ""), data)


def _versions(b: ArdBuilder, outcome: str, data: TrialTable) -> None:
    v = b.analysis(f"meta.{outcome}.versions", "published", "published", variable="trial",
                   group2="version")
    inv = b.analysis(f"meta.{outcome}.inverted", "published", "rma", variable="trial")
    unclear = direction_unclear(data, outcome)
    for trial in data.trials:
        for name, est in ((trial.get(outcome) or {}).get("versions") or {}).items():
            if "hr" not in est:
                continue
            s = v.scoped(variable_level=trial["id"], group2_level=name)
            s.add("estimate", est["hr"], "Hazard ratio as published")
            s.add("year", est["year"], "Year")
            if (trial["id"], name) in unclear:
                inv.scoped(variable_level=trial["id"], group2="version",
                           group2_level=name).add("estimate", 1 / est["hr"], "Hazard ratio inverted")


def _comparison(b: ArdBuilder, o: str, comparison: list[PublishedComparison], output_id: str) -> None:
    pub = b.analysis(f"meta.{o}.published", "published", "published", output_id=output_id,
                     variable="meta_analysis")
    same = b.analysis(f"meta.{o}.same_trials", "rma", "rma", output_id=output_id,
                      variable="meta_analysis")
    flipped = b.analysis(f"meta.{o}.same_trials_inverted", "rma", "rma", output_id=output_id,
                         variable="meta_analysis")
    for c in comparison:
        if c.id != "this_run":
            s = pub.scoped(variable_level=c.id, conf_level=c.ci_level)
            _hr(s, c.hr, c.lower, c.upper, label="Pooled hazard ratio as published")
            s.add("k", c.k, "Trials", conf_level=math.nan)
        for a, r in ((same, c.ours), (flipped, c.ours_inverted)):
            if r is not None and c.id != "this_run":
                _hr(a.scoped(variable_level=c.id, conf_level=r.conf_level, method_id=f"rma_{r.method}"),
                    r.hr, r.hr_lower, r.hr_upper, label="Pooled hazard ratio, this run")


def _reported(b: ArdBuilder, output_id: str, data: TrialTable) -> None:
    a = b.analysis("meta.local_control.reported", "published", "published", output_id=output_id,
                   variable="trial")
    for r in local_control_reported(data).itertuples(index=False):
        s = a.scoped(variable_level=r.trial)
        if r.hr == r.hr:
            s.add("estimate", r.hr, "Hazard ratio as published")
        else:
            s.add("p", r.experimental, "Proportion, experimental arm", group1="arm",
                  group1_level="experimental")
            s.add("p", r.control, "Proportion, control arm", group1="arm", group1_level="control")

