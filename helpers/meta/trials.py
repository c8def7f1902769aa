"""The trial table of the meta-analysis: read, validate, choose versions, convert CIs to SEs.

The trials live in the file the study configuration names in ``study.trials`` (its format is
documented in the header of the bundled study's ``trials.yaml`` and in ``studies/README.md``).
:func:`read_trial_table` reads and validates that file once and returns a :class:`TrialTable`;
every other function here takes it explicitly (``data=``): nothing falls back on a bundled
table. An outcome's estimate is a hazard ratio (experimental vs control) with a CI at the level
the trial published; :func:`se_from_ci` turns it into the standard error of the log HR, so a
trial's 90% CI and another's 95% CI enter the pooling on the same footing. Bad entries raise one
:class:`~helpers.core.errors.DataValidationError` naming the file and, for every problem, the
trial and the field; a bad choice of version raises :class:`~helpers.core.errors.ParameterError`
naming the parameter.

What the chapter says about single trials comes from the table too: a version marked
``direction_unclear`` (its HR direction is not stated) is the one the "inverted" analyses
invert (:func:`direction_unclear`); the trials with more than one published version are those
whose versions the chapter compares (:func:`multi_version_trials`); ``comparison`` names the
arms the trials compare; ``local_control.paramcd`` the study's endpoint of local control.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from scipy.stats import norm

from helpers.core.errors import ParameterError

from .trial_file import (DEFAULT_ARMS, KNOWN_CI_LEVELS, OUTCOMES, TrialTable, _published,
                         check_hazard_ratio, load_trials, read_study_trials, read_trial_table)

__all__ = ["KNOWN_CI_LEVELS", "OUTCOMES", "RunEstimate", "TrialTable", "check_hazard_ratio",
           "check_versions",
           "comparison_words", "direction_unclear", "load_trials", "local_control_endpoint",
           "local_control_reported", "multi_version_trials", "published_meta_analyses",
           "published_version", "read_study_trials", "read_trial_table", "run_trial",
           "se_from_ci", "select_trials", "sources", "trial_info", "trial_table",
           "version_labels"]

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


def trial_table(outcome: str = "os", *, data: TrialTable,
                versions: Mapping[str, str] | None = None,
                run_estimates: Mapping[str, RunEstimate] | None = None,
                leave_out: Iterable[str] = ()) -> pd.DataFrame:
    """One row per trial of ``data`` reporting ``outcome`` ("os" or "local_control"), in
    publication-year order: the chosen version's HR, CI (at its published ``ci_level``),
    ``log_hr`` and ``se`` (:func:`se_from_ci`), source, ``uncertain`` and ``from_run``.

    ``versions`` maps trial id -> version name (parameter ``meta_versions``; the YAML's
    ``default_version`` otherwise); ``run_estimates`` maps trial id -> :class:`RunEstimate` for
    versions marked ``from_run``; ``leave_out``: trials not to show (e.g. this run's trial when
    the run cannot estimate it). Uncertain rows are kept (flagged): see :func:`select_trials`.
    """
    if outcome not in OUTCOMES:
        raise ParameterError(f"outcome {outcome!r}: expected one of {', '.join(OUTCOMES)}")
    versions = dict(versions or {})
    run_estimates = dict(run_estimates or {})
    trials = {t["id"]: t for t in data.trials}
    unknown = sorted(set(versions) - set(trials))
    if unknown:
        raise ParameterError(f"parameter 'meta_versions': unknown trial(s) {', '.join(unknown)} "
                             f"of {data.source} (known: {', '.join(trials)})")
    rows = []
    for tid, trial in trials.items():
        if outcome not in trial or tid in leave_out:
            continue
        entry = trial[outcome]
        version = versions.get(tid, entry["default_version"])
        if version not in entry["versions"]:
            raise ParameterError(f"parameter 'meta_versions': trial {tid!r} has no {outcome} "
                                 f"version {version!r} (known: {', '.join(entry['versions'])})")
        est = entry["versions"][version]
        hr, lower, upper, level = _estimate_values(est, tid, f"{outcome}.versions.{version}",
                                                   run_estimates, data)
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
                     data: TrialTable) -> tuple[float, float, float, float]:
    if est.get("from_run"):
        run = run_estimates.get(tid)
        if run is None:
            raise ParameterError(f"trial {tid!r}, field {field!r}: the version comes from the "
                                 "run, but no run estimate was given (run_estimates)")
        hr, ci, level = run.hr, [run.lower, run.upper], run.conf_level
        check_hazard_ratio(hr, ci, level, where=(tid, f"{field} (run estimate)"))
        return hr, ci[0], ci[1], level
    if "reference" in est:
        ref = _published(est["reference"], data.figures)
        return ref["value"], ref["ci"][0], ref["ci"][1], ref["ci_level"]
    return est["hr"], est["ci"][0], est["ci"][1], est["ci_level"]


def check_versions(data: TrialTable, versions: Mapping[str, str]) -> None:
    """ParameterError naming parameter ``meta_versions`` and the file when it names a trial,
    or a version of a trial, that the trial table ``data`` does not have (every one at once)."""
    trials = {t["id"]: t for t in data.trials}
    problems = []
    for tid, version in dict(versions or {}).items():
        if tid not in trials:
            problems.append(f"unknown trial {tid!r} (known: {', '.join(trials)})")
            continue
        known = {name for outcome in OUTCOMES
                 for name in ((trials[tid].get(outcome) or {}).get("versions") or {})}
        if version not in known:
            problems.append(f"trial {tid!r} has no version {version!r} "
                            f"(known: {', '.join(sorted(known))})")
    if problems:
        raise ParameterError(f"parameter 'meta_versions' ({data.source}): " + "; ".join(problems))


def select_trials(table: pd.DataFrame, include_uncertain: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pooled, excluded): rows flagged uncertain are excluded unless ``include_uncertain``."""
    keep = ~table["uncertain"].astype(bool) | include_uncertain
    return table[keep].reset_index(drop=True), table[~keep].reset_index(drop=True)


def trial_info(data: TrialTable) -> pd.DataFrame:
    """Per trial: label, name, country, timing of randomisation, n randomised (total)."""
    return pd.DataFrame([{
        "trial": t["id"], "label": t.get("label", t["id"]), "name": t.get("name", ""),
        "country": t.get("country", ""), "timing": t.get("timing", ""),
        "n_randomised": (t.get("n_randomised") or {}).get("total"),
    } for t in data.trials], columns=["trial", "label", "name", "country", "timing",
                                      "n_randomised"])


def local_control_reported(data: TrialTable) -> pd.DataFrame:
    """Local-control figures that are not a HR with a CI (shown, not pooled): trial, measure,
    hr, experimental, control (proportions), source, note."""
    rows = [{"trial": t["id"], "label": t.get("label", t["id"]), **item}
            for t in data.trials for item in t.get("local_control_reported") or []]
    return pd.DataFrame(rows, columns=["trial", "label", "measure", "hr", "experimental",
                                       "control", "source", "note"])


def published_meta_analyses(outcome: str, data: TrialTable) -> pd.DataFrame:
    """The published pooled estimates of ``outcome``: id, label, hr, lower, upper, ci_level,
    n_trials, trials (ids when the publication names them, else None), trial_set, model, source."""
    rows = []
    for meta in data.data.get("meta_analyses") or []:
        est = meta.get(outcome)
        if not est:
            continue
        rows.append({"id": meta["id"], "label": meta.get("label", meta["id"]),
                     "hr": est["hr"], "lower": est["ci"][0], "upper": est["ci"][1],
                     "ci_level": est["ci_level"], "n_trials": est.get("n_trials"),
                     "trials": meta.get("trials"), "trial_set": meta.get("trial_set", ""),
                     "model": meta.get("model", ""), "source": meta["source"]})
    return pd.DataFrame(rows, columns=["id", "label", "hr", "lower", "upper", "ci_level",
                                       "n_trials", "trials", "trial_set", "model", "source"])


def sources(data: TrialTable) -> dict[str, dict]:
    """The ``sources`` mapping (key -> citation, doi, url)."""
    return dict(data.data.get("sources") or {})


def run_trial(data: TrialTable) -> tuple[str, str]:
    """(id, label) of the trial whose estimates come from the run (``from_run: true``) in the
    trial table; ParameterError naming the file when none does."""
    for trial in data.trials:
        for outcome in OUTCOMES:
            versions = (trial.get(outcome) or {}).get("versions") or {}
            if any(v.get("from_run") for v in versions.values() if isinstance(v, dict)):
                return str(trial["id"]), str(trial.get("label", trial["id"]))
    raise ParameterError(f"{data.source}: the trial table names no trial whose estimate comes "
                         "from the run (from_run: true)")


def published_version(data: TrialTable, outcome: str, trial: str) -> str | None:
    """The first version of ``trial``'s ``outcome`` that does not come from the run (this run's
    trial as published), or None when the table gives none."""
    entry = next((t.get(outcome) or {} for t in data.trials if t["id"] == trial), {})
    return next((name for name, est in (entry.get("versions") or {}).items()
                 if not est.get("from_run")), None)


def direction_unclear(data: TrialTable, outcome: str) -> dict[tuple[str, str], str]:
    """(trial, version) -> why its HR direction is unclear (``direction_unclear``: its words,
    or its ``note`` when it is ``true``), for the versions of ``outcome`` so marked."""
    out = {}
    for trial in data.trials:
        for name, est in ((trial.get(outcome) or {}).get("versions") or {}).items():
            unclear = est.get("direction_unclear")
            if unclear:
                out[(trial["id"], name)] = unclear if isinstance(unclear, str) else est["note"]
    return out


def multi_version_trials(data: TrialTable, outcome: str) -> list[str]:
    """Trials with more than one published version (a ``hr`` in the table) of ``outcome``."""
    return [t["id"] for t in data.trials
            if sum("hr" in est for est in ((t.get(outcome) or {}).get("versions") or {}).values()) > 1]


def comparison_words(data: TrialTable) -> dict[str, str]:
    """The words for the arms the trials compare (``comparison``: experimental, control)."""
    return {**DEFAULT_ARMS, **dict(data.data.get("comparison") or {})}


def local_control_endpoint(data: TrialTable) -> str | None:
    """The PARAMCD of this run's local-control endpoint (``local_control.paramcd``), or None."""
    return (data.data.get("local_control") or {}).get("paramcd")


def version_labels(data: TrialTable) -> dict[str, str]:
    """Version key -> how the chapter names it (the version's ``label`` in the table)."""
    return {name: str(est["label"]) for t in data.trials for outcome in OUTCOMES
            for name, est in ((t.get(outcome) or {}).get("versions") or {}).items()
            if isinstance(est, dict) and est.get("label")}
