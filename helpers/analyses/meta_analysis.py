"""The meta-analysis of one outcome as chapter 08 shows it, numbers only.

:func:`meta_analysis` chooses each trial's version (``MetaSettings.versions``), sets this
run's estimate of its own trial in (the trial table's trial ``from_run``; or, when this run
cannot estimate it, leaves that trial out and
says why in ``missing``), leaves out uncertain versions (unless ``include_uncertain``), pools
with the settings' method at ``conf_level``, and adds every other method, the leave-one-out
and cumulative analyses and the forest rows. :func:`published_comparison` sets the published
pooled estimates beside this run's pooling of the same named trials. Both take the study's
trial table (``data``: ``helpers.meta.trials.read_trial_table``) explicitly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.errors import ParameterError
from helpers.meta.forest import forest_table
from helpers.meta.pooling import METHODS, PooledEstimate, pool
from helpers.meta.sensitivity import cumulative, leave_one_out
from helpers.meta.settings import MetaSettings
from helpers.meta.trials import (RunEstimate, TrialTable, direction_unclear,
                                 published_meta_analyses, published_version, run_trial,
                                 select_trials, trial_table)

__all__ = ["MetaAnalysis", "MetaSettings", "PublishedComparison", "inverted_trials",
           "meta_analysis", "published_comparison", "run_estimate"]



@dataclass
class MetaAnalysis:
    """Everything the chapter shows for one outcome (see the module docstring)."""

    outcome: str
    conf_level: float
    table: pd.DataFrame          # every trial at its chosen version (uncertain flagged)
    pooled_rows: pd.DataFrame    # the rows pooled
    excluded: pd.DataFrame       # the rows left out (uncertain)
    published_run_trial: pd.DataFrame  # this run's trial as published (shown, not pooled)
    result: PooledEstimate | None      # None when fewer than 2 trials can be pooled
    methods: list[PooledEstimate] = field(default_factory=list)
    loo: pd.DataFrame | None = None
    cumul: pd.DataFrame | None = None
    forest: pd.DataFrame | None = None
    missing: dict[str, str] = field(default_factory=dict)  # trial -> why it is left out

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome, "conf_level": self.conf_level,
            "trials": self.table.drop(columns="note").to_dict(orient="list"),
            "pooled_trials": list(self.pooled_rows["trial"]),
            "excluded_trials": list(self.excluded["trial"]),
            "result": self.result.to_dict() if self.result else None,
            "methods": [m.to_dict() for m in self.methods],
            "leave_one_out": None if self.loo is None else self.loo.to_dict(orient="list"),
            "cumulative": None if self.cumul is None else self.cumul.to_dict(orient="list"),
            **({"not_estimable": dict(self.missing)} if self.missing else {}),
        }


def run_estimate(hazard_ratio: Any) -> RunEstimate:
    """A :class:`RunEstimate` from a survival ``HazardRatio`` result (hr, lower, upper, conf_level)."""
    return RunEstimate(hr=float(hazard_ratio.hr), lower=float(hazard_ratio.lower),
                       upper=float(hazard_ratio.upper), conf_level=float(hazard_ratio.conf_level))


def _estimable(est: RunEstimate) -> bool:
    return all(math.isfinite(x) and x > 0 for x in (est.hr, est.lower, est.upper))


def _why_missing(note: str) -> str:
    if note.startswith("not estimable"):
        return f"this run's hazard ratio is {note}"
    return "this run's hazard ratio is not estimable" + (f" ({note})" if note else "")


def meta_analysis(outcome: str, settings: MetaSettings, run_estimates: Mapping[str, RunEstimate],
                  require_pooled: bool = False,
                  reasons: Mapping[str, str] | None = None, *, data: TrialTable) -> MetaAnalysis:
    """The meta-analysis of ``outcome`` ("os", "local_control") of the trial table ``data``
    with ``settings``. A run
    estimate that is not estimable (NaN or a bound of 0 or infinity) leaves its trial out:
    ``missing`` says why (``reasons``: trial -> the analysis's note). Fewer than 2 poolable
    trials give ``result`` None, or with ``require_pooled`` a ParameterError."""
    versions = settings.version_map
    missing = {tid: _why_missing((reasons or {}).get(tid) or "")
               for tid, est in run_estimates.items() if not _estimable(est)}
    usable = {tid: est for tid, est in run_estimates.items() if tid not in missing}
    table = trial_table(outcome, versions=versions, run_estimates=usable, data=data,
                        leave_out=list(missing))
    pooled_rows, excluded = select_trials(table, settings.include_uncertain)
    published = pd.DataFrame(columns=table.columns)
    own = table.loc[table["from_run"].astype(bool), "trial"]
    as_published = published_version(data, outcome, own.iloc[0]) if len(own) else None
    if as_published:  # this run's trial as published (when the table gives it): shown, not pooled
        trial = own.iloc[0]
        published = trial_table(outcome, versions={**versions, trial: as_published},
                                run_estimates=usable, data=data).query("trial == @trial")
    conf = settings.conf_level
    analysis = MetaAnalysis(outcome, conf, table, pooled_rows, excluded, published, None,
                            missing=missing)
    if len(pooled_rows) < 2:
        if require_pooled:
            raise ParameterError(
                f"meta-analysis of {outcome}: {len(pooled_rows)} trial(s) left to pool "
                f"({', '.join(pooled_rows['trial']) or 'none'}); the uncertain versions "
                f"({', '.join(excluded['trial'])}) are left out: set parameter "
                "'meta_include_uncertain' or choose other 'meta_versions'")
        return analysis
    options = settings.pooling
    analysis.result = pool(pooled_rows, **options)
    analysis.methods = [pool(pooled_rows, method=m, hksj=h, conf_level=conf)
                        for m in METHODS for h in ((False,) if m == "FE" else (False, True))]
    analysis.loo = leave_one_out(pooled_rows, **options)
    analysis.cumul = cumulative(pooled_rows, **options)
    shown = [f for f in (excluded.assign(reason="uncertain"),
                         published.assign(reason="published value")) if len(f)]
    shown = pd.concat(shown, ignore_index=True) if shown else None
    analysis.forest = forest_table(pooled_rows, analysis.result, shown, conf)
    return analysis


@dataclass(frozen=True)
class PublishedComparison:
    """A published pooled estimate (``id`` "this_run" for this run's own) beside this run's
    pooling of the same named trials (``ours``) and the same with the HRs whose direction is
    unclear inverted (``ours_inverted``); None where the publication names no trials of this
    run, or names none whose direction is unclear. ``includes_run_trial``: the publication
    names this run's trial (by id, or by id or label in its trial set's words)."""

    id: str
    label: str
    trial_set: str
    k: float  # trials pooled as published (NaN when not stated)
    model: str
    hr: float
    lower: float
    upper: float
    ci_level: float
    source: str
    named: tuple[str, ...]
    ours: PooledEstimate | None
    ours_inverted: PooledEstimate | None
    includes_run_trial: bool = False


def inverted_trials(analysis: MetaAnalysis, data: TrialTable) -> dict[str, str]:
    """Trial -> why the direction of its HR is unclear, for the trials whose version in
    ``analysis`` is marked so in the trial table (``direction_unclear``)."""
    unclear = direction_unclear(data, analysis.outcome)
    return {t: unclear[(t, v)] for t, v in zip(analysis.table["trial"], analysis.table["version"])
            if (t, v) in unclear}


def published_comparison(analysis: MetaAnalysis, settings: MetaSettings, *,
                         data: TrialTable) -> list[PublishedComparison]:
    """Published pooled estimates of the outcome (trial table ``data``) beside this run's
    pooling of the same named trial set (uncertain versions included when the publication
    pooled that trial; this run's versions and method), and the same again with the HRs of the
    trials whose direction the sources leave unclear (:func:`inverted_trials`) inverted, where
    the set holds one; this run's own pooled estimate last."""
    options = settings.pooling
    invert = list(inverted_trials(analysis, data))
    run_id, run_label = run_trial(data)
    flipped = analysis.table.assign(log_hr=np.where(analysis.table["trial"].isin(invert),
                                                    -analysis.table["log_hr"], analysis.table["log_hr"]))
    rows = []
    for m in published_meta_analyses(analysis.outcome, data).itertuples(index=False):
        named = tuple(m.trials) if isinstance(m.trials, list) else ()
        same = analysis.table["trial"].isin(named)
        ours = pool(analysis.table[same], **options) if same.sum() >= 2 else None
        inverted = (pool(flipped[same], **options)
                    if ours is not None and set(invert) & set(named) else None)
        words = str(m.trial_set).lower()
        includes = run_id in named or run_id.lower() in words or run_label.lower() in words
        rows.append(PublishedComparison(m.id, m.label, m.trial_set, m.n_trials, m.model,
                                        m.hr, m.lower, m.upper, m.ci_level, m.source, named,
                                        ours, inverted, includes))
    if analysis.result is not None:
        r = analysis.result
        rows.append(PublishedComparison("this_run", "This run",
                                        ", ".join(analysis.pooled_rows["label"]), r.k, r.label,
                                        np.nan, np.nan, np.nan, r.conf_level, "",
                                        tuple(analysis.pooled_rows["trial"]), r, None,
                                        run_id in set(analysis.pooled_rows["trial"])))
    return rows
