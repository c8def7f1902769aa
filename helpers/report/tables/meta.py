"""The meta-analysis of one outcome as chapter 08 shows it, from the run's parameters.

:func:`meta_analysis` chooses each trial's version (``meta_versions``), sets this run's
JCOG1017 estimate in, leaves out uncertain versions (unless ``meta_include_uncertain``), pools
with ``meta_method`` / ``meta_hksj`` at ``conf_level``, and adds every other method, the
leave-one-out and cumulative analyses and the forest rows. The display tables are on the HR
scale with CIs at ``conf_level``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.errors import ParameterError
from helpers.report.plots.meta_forest import forest_table
from helpers.meta.pooling import METHODS, PooledEstimate, pool, pooled_table
from helpers.meta.sensitivity import cumulative, leave_one_out
from helpers.meta.trials import (RunEstimate, published_meta_analyses, select_trials,
                                 trial_table)
from helpers.report.format import format_ci, format_p

RUN_TRIAL = "jcog1017"


@dataclass
class MetaAnalysis:
    """Everything the chapter shows for one outcome (see the module docstring)."""

    outcome: str
    conf_level: float
    table: pd.DataFrame          # every trial at its chosen version (uncertain flagged)
    pooled_rows: pd.DataFrame    # the rows pooled
    excluded: pd.DataFrame       # the rows left out (uncertain)
    published_run_trial: pd.DataFrame  # JCOG1017's published value (shown, not pooled)
    result: PooledEstimate | None      # None when fewer than 2 trials can be pooled
    methods: list[PooledEstimate] = field(default_factory=list)
    loo: pd.DataFrame | None = None
    cumul: pd.DataFrame | None = None
    forest: pd.DataFrame | None = None

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
        }


def run_estimate(hazard_ratio: Any) -> RunEstimate:
    """A :class:`RunEstimate` from a survival ``HazardRatio`` result (hr, lower, upper, conf_level)."""
    return RunEstimate(hr=float(hazard_ratio.hr), lower=float(hazard_ratio.lower),
                       upper=float(hazard_ratio.upper), conf_level=float(hazard_ratio.conf_level))


def meta_analysis(outcome: str, params: Mapping[str, Any],
                  run_estimates: Mapping[str, RunEstimate], require_pooled: bool = False) -> MetaAnalysis:
    """The meta-analysis of ``outcome`` with the run parameters ``params`` (``meta_method``,
    ``meta_hksj``, ``meta_include_uncertain``, ``meta_versions``, ``conf_level``). Fewer than
    2 poolable trials give ``result`` None, or with ``require_pooled`` a ParameterError."""
    versions = params["meta_versions"]
    table = trial_table(outcome, versions=versions, run_estimates=run_estimates)
    pooled_rows, excluded = select_trials(table, params["meta_include_uncertain"])
    published = pd.DataFrame(columns=table.columns)
    if RUN_TRIAL in set(table["trial"]) and table.set_index("trial").loc[RUN_TRIAL, "from_run"]:
        published = trial_table(outcome, versions={**versions, RUN_TRIAL: "published"},
                                run_estimates=run_estimates).query("trial == @RUN_TRIAL")
    conf = params["conf_level"]
    analysis = MetaAnalysis(outcome, conf, table, pooled_rows, excluded, published, None)
    if len(pooled_rows) < 2:
        if require_pooled:
            raise ParameterError(
                f"meta-analysis of {outcome}: {len(pooled_rows)} trial(s) left to pool "
                f"({', '.join(pooled_rows['trial']) or 'none'}); the uncertain versions "
                f"({', '.join(excluded['trial'])}) are left out: set parameter "
                "'meta_include_uncertain' or choose other 'meta_versions'")
        return analysis
    options = {"method": params["meta_method"], "hksj": params["meta_hksj"], "conf_level": conf}
    analysis.result = pool(pooled_rows, **options)
    analysis.methods = [pool(pooled_rows, method=m, hksj=h, conf_level=conf)
                        for m in METHODS for h in ((False,) if m == "FE" else (False, True))]
    analysis.loo = leave_one_out(pooled_rows, **options)
    analysis.cumul = cumulative(pooled_rows, **options)
    shown = pd.concat([excluded.assign(reason="uncertain"),
                       published.assign(reason="published value")], ignore_index=True)
    analysis.forest = forest_table(pooled_rows, analysis.result, shown, conf)
    return analysis


def forest_display(analysis: MetaAnalysis) -> pd.DataFrame:
    """The forest rows as a table: trial, version, year, HR (CI), published CI level, weight."""
    f = analysis.forest
    return pd.DataFrame({
        "Trial": f["label"], "Version": f["version"], "Year": f["year"],
        "HR": f["hr"].round(2),
        f"{analysis.conf_level:.0%} CI": [format_ci(lo, hi) for lo, hi in zip(f["lower"], f["upper"])],
        "Published CI level": f["published_ci_level"].map("{:.0%}".format),
        "Weight (%)": f["weight"].round(1),
        "Pooled": np.where(f["status"] == "pooled", "yes", "no: " + f["reason"].astype(str)),
    })


def methods_display(analysis: MetaAnalysis) -> pd.DataFrame:
    """Every pooling method on the pooled trials (HR scale, rounded for display)."""
    table = pooled_table(analysis.methods)
    table["p"] = table["p"].map(format_p)
    table["Q p"] = table["Q p"].map(format_p)
    return table.round({"HR": 3, "Lower": 3, "Upper": 3, "tau2": 4, "I2 (%)": 1, "I2 lower": 1,
                        "I2 upper": 1, "PI lower": 3, "PI upper": 3})


def sequence_display(frame: pd.DataFrame, key: str, labels: Mapping[str, str]) -> pd.DataFrame:
    """Leave-one-out (``key="omitted"``) or cumulative (``"added"``) rows for display."""
    out = pd.DataFrame({key.capitalize(): frame[key].map(labels), "k": frame["k"],
                        "HR": frame["hr"].round(3),
                        "CI": [format_ci(lo, hi, 3) for lo, hi in zip(frame["hr_lower"], frame["hr_upper"])],
                        "tau2": frame["tau2"].round(4), "I2 (%)": frame["i2"].round(1)})
    if "year" in frame:
        out.insert(1, "Year", frame["year"])
    return out


def published_comparison(analysis: MetaAnalysis, params: Mapping[str, Any],
                         invert: tuple[str, ...] = ("abcsg_28",)) -> pd.DataFrame:
    """Published pooled estimates of the outcome beside this run's pooling of the same named
    trial set (uncertain versions included when the publication pooled that trial; this run's
    versions and method), and the same again with the HRs of the trials in ``invert`` (whose
    direction the sources leave unclear) inverted, where the set holds one; this run's own
    pooled estimate last. Columns ``ours`` and ``ours_inverted`` hold the PooledEstimates."""
    options = {"method": params["meta_method"], "hksj": params["meta_hksj"],
               "conf_level": params["conf_level"]}
    flipped = analysis.table.assign(log_hr=np.where(analysis.table["trial"].isin(invert),
                                                    -analysis.table["log_hr"], analysis.table["log_hr"]))
    rows = []
    for m in published_meta_analyses(analysis.outcome).itertuples(index=False):
        named = m.trials if isinstance(m.trials, list) else []
        same = analysis.table["trial"].isin(named)
        ours = pool(analysis.table[same], **options) if same.sum() >= 2 else None
        inverted = (pool(flipped[same], **options)
                    if ours is not None and set(invert) & set(named) else None)
        rows.append({"Meta-analysis": m.label, "Trials": m.trial_set, "k": m.n_trials,
                     "Model": m.model, "HR": f"{m.hr:g}", "CI": format_ci(m.lower, m.upper),
                     "This run, same trials": _hr_ci(ours),
                     f"Same, {', '.join(invert)} inverted": _hr_ci(inverted),
                     "source": m.source, "id": m.id, "published_hr": m.hr,
                     "ours": ours, "ours_inverted": inverted})
    if analysis.result is not None:
        r = analysis.result
        rows.append({"Meta-analysis": "This run", "Trials": ", ".join(analysis.pooled_rows["label"]),
                     "k": r.k, "Model": r.label, "HR": f"{r.hr:.2f}",
                     "CI": format_ci(r.hr_lower, r.hr_upper), "This run, same trials": "",
                     f"Same, {', '.join(invert)} inverted": "", "source": "", "id": "this_run",
                     "published_hr": np.nan, "ours": r, "ours_inverted": None})
    return pd.DataFrame(rows)


def _hr_ci(result: PooledEstimate | None) -> str:
    return "" if result is None else f"{result.hr:.2f} ({format_ci(result.hr_lower, result.hr_upper)})"
