"""The trial table of the meta-analysis: load, validate, choose versions, convert CIs to SEs.

The trials live in the file the study configuration names in ``study.trials`` (its header
states the format; by default the bundled study's). An
outcome's estimate is a hazard ratio (surgery vs systemic therapy alone) with a CI at the level
the trial published; :func:`se_from_ci` turns it into the standard error of the log HR, so a
trial's 90% CI and another's 95% CI enter the pooling on the same footing. Bad entries raise
:class:`~helpers.core.errors.DataValidationError` naming the file, the trial and the field; a bad
choice of version raises :class:`~helpers.core.errors.ParameterError` naming the parameter.
"""

from __future__ import annotations

import math
from pathlib import Path
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
from scipy.stats import norm

from helpers.core.errors import DataValidationError, ParameterError

SOURCE_LABEL = "the study's trial table (study.trials)"
OUTCOMES = ("os", "local_control")
#: CI levels a trial table may state; anything else (95, 0.59, a typo) is refused.
KNOWN_CI_LEVELS = (0.80, 0.90, 0.95, 0.99)

TABLE_COLUMNS = ["trial", "label", "version", "year", "hr", "lower", "upper", "ci_level",
                 "log_hr", "se", "source", "uncertain", "from_run", "note"]


@dataclass(frozen=True)
class RunEstimate:
    """A hazard ratio computed by this run (e.g. the stratified Cox OS HR) and its CI."""

    hr: float
    lower: float
    upper: float
    conf_level: float


def se_from_ci(lower: float, upper: float, ci_level: float) -> float:
    """Standard error of the log HR from a two-sided Wald CI at ``ci_level``:
    ``(log(upper) - log(lower)) / (2 * qnorm(1 - (1 - ci_level) / 2))`` (for a 90% CI the
    divisor is 2 x qnorm(0.95) = 3.29, for 95% 2 x 1.96)."""
    return (math.log(upper) - math.log(lower)) / (2 * norm.ppf(1 - (1 - ci_level) / 2))


def default_table_path() -> Path | None:
    """The file of the default study's trial table (``study.trials``), None without one."""
    from helpers.config.study import load_study

    book = load_study(None).book
    return book.path(book.trials).resolve() if book and book.trials else None


@lru_cache(maxsize=1)
def _packaged() -> dict:
    """The trial table of the default study (``study.trials`` of ``DEFAULT_STUDY``)."""
    from helpers.config.safe_yaml import load_yaml_file
    from helpers.config.study import load_study

    book = load_study(None).book
    path = book.path(book.trials) if book else None
    if path is None:
        raise ParameterError("the default study names no trial table (study.trials)")
    return load_yaml_file(path).data


def load_trials(data: Mapping | None = None, source: str = SOURCE_LABEL) -> dict:
    """The trial table (the packaged YAML, or ``data`` of the same shape), validated.

    Raises DataValidationError naming ``source``, the trial and the field of the first problem:
    a missing or non-numeric HR or CI, HR or a CI bound <= 0, lower > upper, the HR outside its
    CI, a CI level not in ``KNOWN_CI_LEVELS``, an unknown ``default_version`` or ``source`` key.
    """
    data = _packaged() if data is None else data
    sources = data.get("sources") or {}
    seen = set()
    for trial in data.get("trials") or []:
        tid = trial.get("id")
        if not tid or tid in seen:
            raise DataValidationError(f"trial id {tid!r} missing or repeated", file=source)
        seen.add(tid)
        for outcome in OUTCOMES:
            if outcome in trial:
                _check_outcome(trial[outcome], tid, outcome, sources, source)
    return data


def _fail(source: str, tid: str, field: str, problem: str):
    raise DataValidationError(f"trial {tid!r}, field {field!r}: {problem}", file=source)


def _check_outcome(entry: Any, tid: str, outcome: str, sources: Mapping, source: str) -> None:
    versions = entry.get("versions") if isinstance(entry, dict) else None
    if not isinstance(versions, dict) or not versions:
        _fail(source, tid, f"{outcome}.versions", "no versions given")
    default = entry.get("default_version")
    if default not in versions:
        _fail(source, tid, f"{outcome}.default_version",
              f"{default!r} is not one of its versions ({', '.join(versions)})")
    for name, estimate in versions.items():
        _check_estimate(estimate, tid, f"{outcome}.versions.{name}", sources, source)


def _check_estimate(est: Any, tid: str, field: str, sources: Mapping, source: str) -> None:
    if not isinstance(est, dict):
        _fail(source, tid, field, "expected a mapping")
    if est.get("source") not in sources:
        _fail(source, tid, f"{field}.source", f"unknown source {est.get('source')!r}")
    year = est.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        _fail(source, tid, f"{field}.year", f"expected a publication year, got {year!r}")
    if est.get("from_run") or "reference" in est:
        return  # the run's estimate, or a published figure of the study: checked when used
    check_hazard_ratio(est.get("hr"), est.get("ci"), est.get("ci_level"),
                       where=(source, tid, field))


def check_hazard_ratio(hr: Any, ci: Any, ci_level: Any, where: tuple[str, str, str]) -> None:
    """Refuse an unusable HR estimate; ``where`` = (file, trial, field) for the message."""
    source, tid, field = where

    def number(x: Any) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    if not number(hr):
        _fail(source, tid, f"{field}.hr", f"missing or not a number ({hr!r})")
    if hr <= 0:
        _fail(source, tid, f"{field}.hr", f"a hazard ratio must be > 0, got {hr!r}")
    if ci is None:
        _fail(source, tid, f"{field}.ci", "missing CI: the standard error cannot be derived")
    if not isinstance(ci, (list, tuple)) or len(ci) != 2 or not all(number(x) for x in ci):
        _fail(source, tid, f"{field}.ci", f"expected [lower, upper] numbers, got {ci!r}")
    lower, upper = ci
    if lower <= 0:
        _fail(source, tid, f"{field}.ci", f"CI bounds must be > 0, got {ci!r}")
    if lower >= upper:
        _fail(source, tid, f"{field}.ci", f"lower {lower!r} >= upper {upper!r}")
    if not lower <= hr <= upper:
        _fail(source, tid, f"{field}.ci", f"HR {hr!r} lies outside its CI {ci!r}")
    if ci_level is None:
        _fail(source, tid, f"{field}.ci_level", "missing CI level")
    if not any(ci_level == known for known in KNOWN_CI_LEVELS):
        _fail(source, tid, f"{field}.ci_level", f"unknown CI level {ci_level!r} "
              f"(known: {', '.join(map(str, KNOWN_CI_LEVELS))})")


def trial_table(
    outcome: str = "os",
    *,
    versions: Mapping[str, str] | None = None,
    run_estimates: Mapping[str, RunEstimate] | None = None,
    data: Mapping | None = None,
    source: str = SOURCE_LABEL,
) -> pd.DataFrame:
    """One row per trial reporting ``outcome`` ("os" or "local_control"), in publication-year
    order: the chosen version's HR, CI (at its published ``ci_level``), ``log_hr`` and ``se``
    (:func:`se_from_ci`), source, ``uncertain`` and ``from_run``.

    ``versions`` maps trial id -> version name (parameter ``meta_versions``; the YAML's
    ``default_version`` otherwise); ``run_estimates`` maps trial id -> :class:`RunEstimate` for
    versions marked ``from_run``. Uncertain rows are kept (flagged): see :func:`select_trials`.
    """
    if outcome not in OUTCOMES:
        raise ParameterError(f"outcome {outcome!r}: expected one of {', '.join(OUTCOMES)}")
    data = load_trials(data, source)
    versions = dict(versions or {})
    run_estimates = dict(run_estimates or {})
    trials = {t["id"]: t for t in data.get("trials") or []}
    unknown = sorted(set(versions) - set(trials))
    if unknown:
        raise ParameterError(f"parameter 'meta_versions': unknown trial(s) {', '.join(unknown)} "
                             f"(known: {', '.join(trials)})")
    rows = []
    for tid, trial in trials.items():
        if outcome not in trial:
            continue
        entry = trial[outcome]
        version = versions.get(tid, entry["default_version"])
        if version not in entry["versions"]:
            raise ParameterError(f"parameter 'meta_versions': trial {tid!r} has no {outcome} "
                                 f"version {version!r} (known: {', '.join(entry['versions'])})")
        est = entry["versions"][version]
        hr, lower, upper, level = _estimate_values(est, tid, f"{outcome}.versions.{version}",
                                                   run_estimates, source)
        rows.append({
            "trial": tid, "label": trial.get("label", tid), "version": version,
            "year": est["year"], "hr": hr, "lower": lower, "upper": upper, "ci_level": level,
            "log_hr": math.log(hr), "se": se_from_ci(lower, upper, level),
            "source": est["source"], "uncertain": bool(est.get("uncertain", False)),
            "from_run": bool(est.get("from_run", False)), "note": est.get("note", ""),
        })
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.sort_values(["year", "trial"], kind="stable").reset_index(drop=True)


def _estimate_values(est: Mapping, tid: str, field: str, run_estimates: Mapping,
                     source: str) -> tuple[float, float, float, float]:
    if est.get("from_run"):
        run = run_estimates.get(tid)
        if run is None:
            raise ParameterError(f"trial {tid!r}, field {field!r}: the version comes from the "
                                 "run, but no run estimate was given (run_estimates)")
        hr, ci, level = run.hr, [run.lower, run.upper], run.conf_level
        check_hazard_ratio(hr, ci, level, where=("run estimate", tid, field))
        return hr, ci[0], ci[1], level
    if "reference" in est:
        from helpers.config.reference import published_entry

        ref = published_entry(est["reference"])
        hr, ci, level = ref.get("value"), ref.get("ci"), ref.get("ci_level")
        check_hazard_ratio(hr, ci, level, where=(f"published figures:{est['reference']}",
                                                 tid, field))
        return hr, ci[0], ci[1], level
    return est["hr"], est["ci"][0], est["ci"][1], est["ci_level"]


def select_trials(table: pd.DataFrame, include_uncertain: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pooled, excluded): rows flagged uncertain are excluded unless ``include_uncertain``."""
    keep = ~table["uncertain"].astype(bool) | include_uncertain
    return table[keep].reset_index(drop=True), table[~keep].reset_index(drop=True)


def trial_info(data: Mapping | None = None) -> pd.DataFrame:
    """Per trial: label, name, country, timing of randomisation, n randomised (total)."""
    data = load_trials(data)
    return pd.DataFrame([{
        "trial": t["id"], "label": t.get("label", t["id"]), "name": t.get("name", ""),
        "country": t.get("country", ""), "timing": t.get("timing", ""),
        "n_randomised": (t.get("n_randomised") or {}).get("total"),
    } for t in data.get("trials") or []])


def local_control_reported(data: Mapping | None = None) -> pd.DataFrame:
    """Local-control figures that are not a HR with a CI (shown, not pooled): trial, measure,
    hr, surgery, control (proportions), source, note."""
    data = load_trials(data)
    rows = [{"trial": t["id"], "label": t.get("label", t["id"]), **item}
            for t in data.get("trials") or [] for item in t.get("local_control_reported") or []]
    return pd.DataFrame(rows, columns=["trial", "label", "measure", "hr", "surgery", "control",
                                       "source", "note"])


def published_meta_analyses(outcome: str = "os", data: Mapping | None = None) -> pd.DataFrame:
    """The published pooled estimates of ``outcome``: id, label, hr, lower, upper, ci_level,
    n_trials, trials (ids when the publication names them, else None), trial_set, model, source."""
    data = load_trials(data)
    rows = []
    for meta in data.get("meta_analyses") or []:
        est = meta.get(outcome)
        if not est:
            continue
        check_hazard_ratio(est.get("hr"), est.get("ci"), est.get("ci_level"),
                           where=(SOURCE_LABEL, meta["id"], f"meta_analyses.{outcome}"))
        rows.append({"id": meta["id"], "label": meta.get("label", meta["id"]),
                     "hr": est["hr"], "lower": est["ci"][0], "upper": est["ci"][1],
                     "ci_level": est["ci_level"], "n_trials": est.get("n_trials"),
                     "trials": meta.get("trials"), "trial_set": meta.get("trial_set", ""),
                     "model": meta.get("model", ""), "source": meta["source"]})
    return pd.DataFrame(rows)


def sources(data: Mapping | None = None) -> dict[str, dict]:
    """The ``sources`` mapping (key -> citation, doi, url)."""
    return dict(load_trials(data).get("sources") or {})


def run_trial(data: Mapping | None = None) -> tuple[str, str]:
    """(id, label) of the trial whose estimates come from the run (``from_run: true``) in the
    trial table; ParameterError when none does."""
    data = load_trials(data)
    for trial in data.get("trials") or []:
        for outcome in OUTCOMES:
            versions = (trial.get(outcome) or {}).get("versions") or {}
            if any(v.get("from_run") for v in versions.values() if isinstance(v, dict)):
                return str(trial["id"]), str(trial.get("label", trial["id"]))
    raise ParameterError("the trial table names no trial whose estimate comes from the run "
                         "(from_run: true)")
