"""Checks before a run writes anything: ``output_dir`` a writable (run) directory, ``data_dir``
an existing directory, and the data of the notebooks to execute loaded, validated and prepared
as each notebook would prepare them. Failures are ``ParameterError`` / ``DataValidationError``
naming the parameter and the path (exit status 2)."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from helpers.core.errors import ParameterError
from helpers.config.params import ParameterFile, resolve_path
from helpers.run.layout import PUBLISHED
from helpers.run.plan import Notebook

__all__ = ["check_data_dir", "check_output_dir", "preflight"]


def check_output_dir(path: Path) -> None:
    """ParameterError unless ``output_dir`` is (or can be created as) a writable directory.

    Writability is probed by creating and removing a directory in the nearest existing
    ancestor (permission bits do not stop root; a read-only file system or ``/sys`` does).
    """
    what = f"parameter 'output_dir': {path}"
    existing = path
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        raise ParameterError(f"{what} is {_kind(path)}, not a directory")
    if not existing.is_dir():
        raise ParameterError(f"{what} lies below {existing}, which is {_kind(existing)}, "
                             f"not a directory")
    try:
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".jcog1017-write-test-"))
    except OSError as exc:
        raise ParameterError(f"{what} is not writable: cannot create a directory in {existing} "
                             f"({exc.strerror})") from None
    foreign = [name for name in PUBLISHED if os.path.lexists(path / name)
               and not (path / name).is_symlink()]
    if foreign and not (path / ".state").is_dir():  # .state: a run directory of an older runner
        raise ParameterError(f"{what} already holds {', '.join(foreign)} that no run wrote "
                             f"(a run replaces them); choose an empty or run directory")


def check_data_dir(value: str | os.PathLike) -> None:
    """ParameterError unless ``data_dir`` is an existing directory (no file, no link loop)."""
    path = resolve_path(value)
    what = f"parameter 'data_dir': {path}"
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ParameterError(f"{what} is a symbolic link loop, not a directory") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise ParameterError(f"{what} does not exist") from None
        raise ParameterError(f"{what} cannot be read ({exc.strerror})") from None
    if not stat.S_ISDIR(mode):
        raise ParameterError(f"{what} is {_kind(path)}, not a directory of data files")


def _kind(path: Path) -> str:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return "a symbolic link loop" if exc.errno == errno.ELOOP else "a broken symbolic link"
    return "a regular file" if stat.S_ISREG(mode) else "not a directory"


def preflight(pfile: ParameterFile, notebooks: list[Notebook]) -> None:
    """Check the data of ``notebooks`` before any of them runs: each distinct data set (study
    configuration, data_dir, format) is loaded and validated once, then prepared as each
    notebook would (``helpers.data.run_data.prepare_run_data``: column parameters, data cut). Bad
    data, a study configuration that does not fit them or a bad parameter stop the run with a
    DataValidationError or ParameterError and nothing written."""
    from helpers.config.study import load_study
    from helpers.data.problems import Problems
    from helpers.data.run_data import prepare_run_data
    from helpers.data.trial_data import load_trial_data

    loaded = {}
    problems = Problems()  # every data problem of the run in one error
    for nb in notebooks:
        params = pfile.for_notebook(nb.name)
        key = (params["study"], params.get("comparison"), params["data_dir"], params["data_format"])
        if key not in loaded:
            loaded[key] = None
            with problems.check():
                study = load_study(params["study"]).for_comparison(params.get("comparison"))
                loaded[key] = load_trial_data(resolve_path(params["data_dir"]),
                                              fmt=params["data_format"], study=study)
        if loaded[key] is not None:
            with problems.check():
                prepare_run_data(loaded[key], params)
    problems.raise_any()
