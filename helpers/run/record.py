"""The machine-readable record of a complete run (``RUN/run_record.json``) and its check.

The record is written last, atomically, into a generation whose every notebook succeeded on
the current inputs (see ``helpers.run.layout``); a run directory without it was never
completed. :func:`require_complete_run` is what a renderer calls before publishing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from helpers.core.checksums import sha256_file
from helpers.core.errors import ParameterError
from helpers.run.layout import CURRENT, MANIFEST, RECORD, current_generation

#: Distributions whose versions the record names (absent ones are recorded as null).
PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "pandera", "pyreadstat", "papermill",
            "matplotlib", "lifelines")
RECORD_VERSION = 1
COMPLETE = "complete"


class IncompleteRunError(ParameterError):
    """A run directory that holds no complete run (it never completed, or was cut short)."""


def package_versions() -> dict[str, str | None]:
    """Python's and the analysis packages' versions (from the installed metadata, no import)."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def data_files(data_dirs: Iterable[Path], suffixes: Iterable[str]) -> list[dict[str, str]]:
    """Every data file (by suffix) under ``data_dirs``: resolved path and SHA-256."""
    suffixes = tuple(suffixes)
    found = []
    for root in sorted(set(data_dirs)):
        if root.is_dir():
            found += [p for p in sorted(root.rglob("*"))
                      if p.is_file() and p.suffix.lower() in suffixes]
    return [{"path": str(p), "sha256": sha256_file(p)} for p in found]


def study_files(parameters: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The study configuration files the notebooks used (``study`` parameter, or the default
    study when it is not given) and the files they name that the analyses read (the trial
    table ``study.trials`` of the meta-analysis, the published figures ``study.reference`` of
    the design and reproduction chapters), with their SHA-256: what the independent QC
    (validation/qc) may read, checked against these."""
    from helpers.config.reference import reference_path
    from helpers.config.study import load_study
    from helpers.config.study.config import resolve_study_path

    paths = set()
    for given in parameters:
        value = given.get("study")
        path = resolve_study_path(value if isinstance(value, (str, os.PathLike)) and str(value)
                                  else None)
        if path.is_file():
            paths.add(path)
    for path in sorted(paths):
        study = load_study(path)
        named = [study.book.path(study.book.trials) if study.book else None,
                 reference_path(study.reference, study.path) if study.reference else None]
        paths.update(p.resolve() for p in named if p is not None and p.is_file())
    return [{"path": str(p), "sha256": sha256_file(p)} for p in sorted(paths)]


def build_record(*, run_label: str, parameter_file: Path, notebooks: Mapping[str, Mapping],
                 executed: Iterable[str], data: list[dict], study: list[dict],
                 helpers_fingerprint: str, started: dt.datetime, finished: dt.datetime) -> dict:
    """The run record (plain JSON data); ``notebooks`` maps name -> resolved parameters."""
    executed = set(executed)
    return {
        "record_version": RECORD_VERSION,
        "status": COMPLETE,
        "run_label": run_label,
        "parameter_file": {"path": str(parameter_file), "sha256": sha256_file(parameter_file)},
        "started_utc": started.isoformat(timespec="seconds"),
        "finished_utc": finished.isoformat(timespec="seconds"),
        "notebooks": {name: {"parameters": dict(params), "executed_in_this_run": name in executed}
                      for name, params in sorted(notebooks.items())},
        "data_files": data,
        "study_files": study,
        "packages": package_versions(),
        "helpers_fingerprint": helpers_fingerprint,
    }


def require_complete_run(run_dir: str | os.PathLike, generation: Path | None = None) -> dict:
    """The run record of the complete run published in ``run_dir``; else IncompleteRunError.

    ``generation``: check this generation (resolved from ``RUN/current`` once by a reader that
    goes on reading through it, see ``helpers.render.common.pinned_generation``) instead of
    resolving ``current`` again.

    Refused: a missing directory, a run directory of a runner before run records existed, one
    whose runs never all succeeded (or only ran some notebooks with ``--notebooks`` after an
    input changed), a record that is unreadable or not ``complete``, and a record naming an
    executed notebook that is not there.
    """
    run_dir = Path(run_dir)
    where = f"run directory {run_dir}"
    if not run_dir.is_dir():
        raise IncompleteRunError(f"{where} does not exist; run `supplement-run PARAMS.yaml` first")
    generation = generation or current_generation(run_dir)
    if generation is None:
        raise IncompleteRunError(f"{where} holds no completed run (no '{CURRENT}' generation); "
                                 f"run `supplement-run PARAMS.yaml` to completion first")
    record_path = generation / RECORD
    if not record_path.is_file():
        names = _manifest_names(generation)
        raise IncompleteRunError(
            f"{where} holds no complete run: {RECORD} is missing because not every notebook "
            f"has current results (present: {', '.join(names) or 'none'}); run "
            f"`supplement-run PARAMS.yaml` without --notebooks until every notebook succeeds")
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IncompleteRunError(f"{where}: {RECORD} is unreadable: {exc}") from None
    if not isinstance(record, dict) or record.get("status") != COMPLETE:
        status = record.get("status") if isinstance(record, dict) else None
        raise IncompleteRunError(f"{where}: {RECORD} has status {status!r}, not {COMPLETE!r}")
    missing = [name for name in record.get("notebooks", {})
               if not (generation / "notebooks" / f"{name}.ipynb").is_file()]
    if missing:
        raise IncompleteRunError(f"{where}: executed notebooks missing: {', '.join(missing)}")
    return record


def _manifest_names(generation: Path) -> list[str]:
    try:
        return sorted(json.loads((generation / MANIFEST).read_text())["keys"])
    except (OSError, ValueError, KeyError):
        return []
