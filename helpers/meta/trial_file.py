"""Reading and validating a study's trial table (the file ``study.trials`` names; format in the
header of the bundled study's ``trials.yaml`` and in ``studies/README.md``):
:func:`read_study_trials`, :func:`read_trial_table` and :func:`load_trials` return a
:class:`TrialTable`, or raise one
:class:`~helpers.core.errors.DataValidationError` naming the file and, for every problem, the
trial and the field. ``helpers.meta.trials`` reads the validated table.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from helpers.core.errors import DataValidationError

OUTCOMES = ("os", "local_control")
#: CI levels a trial table may state; anything else (95, 0.59, a typo) is refused.
KNOWN_CI_LEVELS = (0.80, 0.90, 0.95, 0.99)
TOP_KEYS = ("sources", "trials", "meta_analyses", "comparison", "local_control")
TRIAL_KEYS = ("id", "label", "name", "country", "timing", "n_randomised", *OUTCOMES,
              "local_control_reported")
VERSION_KEYS = ("hr", "ci", "ci_level", "year", "source", "label", "note", "uncertain",
                "direction_unclear", "from_run", "reference")
REPORTED_KEYS = ("measure", "hr", "experimental", "control", "source", "note")
#: The arms' words when the table has no ``comparison``.
DEFAULT_ARMS = {"experimental": "the experimental arm", "control": "the control arm"}

@dataclass(frozen=True)
class TrialTable:
    """A study's trial table, validated (:func:`load_trials`, :func:`read_trial_table`):
    ``data`` the YAML's content, ``source`` the file (named in every message) and ``figures``
    the study's published figures (for versions given by ``reference:``)."""

    data: Mapping[str, Any]
    source: str
    figures: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def trials(self) -> list[dict]:
        return list(self.data.get("trials") or [])


def read_study_trials(study) -> TrialTable | None:
    """The trial table the study configuration ``study`` names (``study.trials``), read and
    validated with its published figures and endpoints; None when it names none."""
    from helpers.config.reference import study_figures

    book = study.book
    if not book or not book.trials:
        return None
    endpoints = {e.paramcd: e.label for e in (study.primary, *study.secondary)}
    return read_trial_table(book.path(book.trials), figures=study_figures(study),
                            endpoints=endpoints)


def read_trial_table(path: str | os.PathLike, *, figures: Mapping | None = None,
                     endpoints: Mapping[str, str] | None = None) -> TrialTable:
    """Read (safe YAML) and validate the trial table at ``path`` (:func:`load_trials`);
    ``figures``: the study's published figures, ``endpoints``: its endpoints (PARAMCD ->
    label), against which ``local_control.paramcd`` is checked."""
    from helpers.config.safe_yaml import load_yaml_file

    data = load_yaml_file(path).data
    if not isinstance(data, Mapping):
        raise DataValidationError("expected a mapping with 'sources' and 'trials' (the format of "
                                  "the bundled study's trials.yaml, studies/README.md)", file=path)
    return load_trials(data, source=str(path), figures=figures, endpoints=endpoints)


def load_trials(data: Mapping, source: str, *, figures: Mapping | None = None,
                endpoints: Mapping[str, str] | None = None) -> TrialTable:
    """``data`` (the YAML's content) validated as a :class:`TrialTable` from ``source``.

    Raises one DataValidationError naming ``source`` and, for every problem, the trial and the
    field: an unknown key, a missing or non-numeric HR or CI, HR or a CI bound <= 0, lower >
    upper, the HR outside its CI, a CI level not in ``KNOWN_CI_LEVELS``, an unknown
    ``default_version`` or ``source`` key, a ``reference`` not in ``figures``, a
    ``direction_unclear`` without words, a ``local_control.paramcd`` not in ``endpoints``.
    """
    problems: list[str] = []
    fail = problems.append
    for key in data:
        if key not in TOP_KEYS:
            fail(f"key {key!r}: unknown (known: {', '.join(TOP_KEYS)})")
    sources = data.get("sources") or {}
    if not isinstance(sources, Mapping):
        fail("key 'sources': expected a mapping of source keys")
        sources = {}
    _check_top(data, endpoints, fail)
    seen = set()
    trials = data.get("trials") or []
    if not isinstance(trials, list) or not trials:
        fail("key 'trials': expected a list of trials")
        trials = []
    for trial in trials:
        tid = trial.get("id") if isinstance(trial, Mapping) else None
        if not tid or tid in seen:
            fail(f"trial id {tid!r} missing or repeated")
            continue
        seen.add(tid)
        for key in trial:
            if key not in TRIAL_KEYS:
                fail(f"trial {tid!r}, field {key!r}: unknown (known: {', '.join(TRIAL_KEYS)})")
        for outcome in OUTCOMES:
            if outcome in trial:
                _check_outcome(trial[outcome], tid, outcome, sources, figures, fail)
        for i, item in enumerate(trial.get("local_control_reported") or []):
            _check_reported(item, tid, f"local_control_reported[{i}]", sources, fail)
    for meta in data.get("meta_analyses") or []:
        mid = meta.get("id") if isinstance(meta, Mapping) else None
        if not mid:
            fail(f"meta-analysis without an id: {meta!r}")
            continue
        if meta.get("source") not in sources:
            fail(f"meta-analysis {mid!r}, field 'source': unknown source {meta.get('source')!r}")
        unknown = [t for t in meta.get("trials") or [] if t not in seen]
        if unknown:
            fail(f"meta-analysis {mid!r}, field 'trials': unknown trial(s) {', '.join(map(str, unknown))}")
        for outcome in OUTCOMES:
            est = meta.get(outcome)
            if est and not isinstance(est, Mapping):
                fail(f"meta-analysis {mid!r}, field {outcome!r}: expected a mapping (hr, ci, ci_level)")
            elif est:
                check_hazard_ratio(est.get("hr"), est.get("ci"), est.get("ci_level"),
                                   where=(mid, outcome), fail=fail, kind="meta-analysis")
    if problems:
        raise DataValidationError("; ".join(problems), file=source)
    return TrialTable(data, source, figures)


def _check_top(data: Mapping, endpoints: Mapping[str, str] | None, fail) -> None:
    arms = data.get("comparison")
    if arms is not None and (not isinstance(arms, Mapping) or set(arms) != set(DEFAULT_ARMS)
                             or not all(isinstance(v, str) and v.strip() for v in arms.values())):
        fail(f"key 'comparison': expected {{experimental: <words>, control: <words>}}, got {arms!r}")
    local = data.get("local_control")
    if local is not None:
        paramcd = local.get("paramcd") if isinstance(local, Mapping) else None
        if not isinstance(paramcd, str) or not paramcd or set(local) != {"paramcd"}:
            fail(f"key 'local_control': expected {{paramcd: <PARAMCD>}}, got {local!r}")
        elif endpoints is not None and paramcd not in endpoints:
            fail(f"key 'local_control.paramcd': {paramcd!r} is not an endpoint of the study "
                 f"configuration (endpoints: {', '.join(endpoints)})")


def _check_outcome(entry: Any, tid: str, outcome: str, sources: Mapping, figures, fail) -> None:
    versions = entry.get("versions") if isinstance(entry, dict) else None
    if not isinstance(versions, dict) or not versions:
        fail(f"trial {tid!r}, field '{outcome}.versions': no versions given")
        return
    default = entry.get("default_version")
    if default not in versions:
        fail(f"trial {tid!r}, field '{outcome}.default_version': {default!r} is not one of its "
             f"versions ({', '.join(versions)})")
    for name, est in versions.items():
        _check_estimate(est, tid, f"{outcome}.versions.{name}", sources, figures, fail)


def _check_entry(entry: Any, where: str, known: tuple, sources: Mapping, fail) -> bool:
    """A trial table entry is a mapping of ``known`` keys whose ``source`` is a key of
    ``sources``; False (after ``fail``) when it is not a mapping at all."""
    if not isinstance(entry, Mapping):
        fail(f"{where}': expected a mapping")
        return False
    for key in entry:
        if key not in known:
            fail(f"{where}.{key}': unknown (known: {', '.join(known)})")
    if entry.get("source") not in sources:
        fail(f"{where}.source': unknown source {entry.get('source')!r}")
    return True


def _check_estimate(est: Any, tid: str, field: str, sources: Mapping, figures, fail) -> None:
    where = f"trial {tid!r}, field '{field}"
    if not _check_entry(est, where, VERSION_KEYS, sources, fail):
        return
    year = est.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        fail(f"{where}.year': expected a publication year, got {year!r}")
    unclear = est.get("direction_unclear")
    if unclear is not None and not (
            (unclear is True and str(est.get("note") or "").strip())
            or (isinstance(unclear, str) and unclear.strip())):
        fail(f"{where}.direction_unclear': say why in words (direction_unclear: <why>), or "
             f"'true' with a note, got {unclear!r}")
    if est.get("from_run"):
        return  # the run's estimate: checked when the run gives it
    if "reference" in est:
        try:
            ref = _published(est["reference"], figures)
        except KeyError as exc:
            fail(f"{where}.reference': {exc.args[0]}")
            return
        est = {"hr": ref.get("value"), "ci": ref.get("ci"), "ci_level": ref.get("ci_level")}
    check_hazard_ratio(est.get("hr"), est.get("ci"), est.get("ci_level"), where=(tid, field),
                       fail=fail)


def _check_reported(item: Any, tid: str, field: str, sources: Mapping, fail) -> None:
    where = f"trial {tid!r}, field '{field}"
    if not _check_entry(item, where, REPORTED_KEYS, sources, fail):
        return
    if not str(item.get("measure") or "").strip():
        fail(f"{where}.measure': missing (the measure as the source names it)")
    proportions = [item.get(k) for k in ("experimental", "control")]
    if "hr" in item:
        if not _number(item["hr"]) or item["hr"] <= 0:
            fail(f"{where}.hr': expected a hazard ratio > 0, got {item['hr']!r}")
    elif not all(_number(p) and 0 <= p <= 1 for p in proportions):
        fail(f"{where}': expected 'hr', or proportions 'experimental' and 'control' between 0 "
             f"and 1, got {proportions!r}")


def _published(key: str, figures: Mapping | None) -> dict:
    if figures is None:
        raise KeyError(f"published figure {key!r}, but the study names no published figures "
                       "(study.reference)")
    from helpers.config.reference import published_entry

    return published_entry(key, dict(figures))


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def check_hazard_ratio(hr: Any, ci: Any, ci_level: Any, where: tuple[str, str],
                       fail=None, kind: str = "trial") -> None:
    """Refuse an unusable HR estimate; ``where`` = (trial, field) for the message (``kind``:
    "trial" or "meta-analysis"). ``fail`` collects the problems (else the first raises
    DataValidationError)."""
    tid, field = where

    def no(part: str, problem: str) -> None:
        message = f"{kind} {tid!r}, field '{field}.{part}': {problem}"
        if fail is None:
            raise DataValidationError(message)
        fail(message)

    if not _number(hr) or hr <= 0:
        return no("hr", f"missing or not a number ({hr!r})" if not _number(hr)
                  else f"a hazard ratio must be > 0, got {hr!r}")
    if ci is None:
        return no("ci", "missing CI: the standard error cannot be derived")
    if not isinstance(ci, (list, tuple)) or len(ci) != 2 or not all(_number(x) for x in ci):
        return no("ci", f"expected [lower, upper] numbers, got {ci!r}")
    lower, upper = ci
    if lower <= 0:
        return no("ci", f"CI bounds must be > 0, got {ci!r}")
    if lower >= upper:
        return no("ci", f"lower {lower!r} >= upper {upper!r}")
    if not lower <= hr <= upper:
        return no("ci", f"HR {hr!r} lies outside its CI {ci!r}")
    if ci_level is None:
        return no("ci_level", "missing CI level")
    if not any(ci_level == known for known in KNOWN_CI_LEVELS):
        no("ci_level", f"unknown CI level {ci_level!r} "
           f"(known: {', '.join(map(str, KNOWN_CI_LEVELS))})")


