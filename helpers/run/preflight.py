"""Checks before a run writes anything: ``output_dir`` a writable (run) directory, ``data_dir``
an existing directory, and the data of the notebooks to execute loaded, validated and prepared
as each notebook would prepare them; the study's file of published figures (``study.reference``)
of the right shape, its trial table (``study.trials``) valid; a Dask scheduler (``sim_dask_address``) reachable within
:data:`DASK_TIMEOUT` seconds. Failures are ``ParameterError`` / ``DataValidationError`` naming
the parameter and the path (exit status 2)."""

from __future__ import annotations

import errno
import os
import socket
import stat
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

from helpers.core.errors import ParameterError
from helpers.config.params import ParameterFile, resolve_path
from helpers.run.layout import PUBLISHED
from helpers.run.plan import Notebook

__all__ = ["DASK_TIMEOUT", "check_dask_address", "check_data_dir", "check_output_dir", "preflight"]

#: Seconds to wait for a TCP connection to the Dask scheduler (``sim_dask_address``).
DASK_TIMEOUT = 5.0
DASK_SCHEMES = ("tcp", "tls", "ws", "wss")
DASK_PORT = 8786  # dask.distributed's default scheduler port


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
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".supplement-write-test-"))
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


def check_dask_address(address: str | None, timeout: float = DASK_TIMEOUT) -> None:
    """ParameterError naming ``sim_dask_address`` unless a TCP connection to the scheduler
    (``tcp://host:port``, ``host:port``; port 8786 by default) opens within ``timeout``
    seconds, name lookup included. None: local processes, nothing to check."""
    if not address:
        return
    what = f"parameter 'sim_dask_address': {address}"
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in DASK_SCHEMES:
        raise ParameterError(f"{what}: unsupported scheme {parts.scheme!r} (expected "
                             f"{', '.join(s + '://' for s in DASK_SCHEMES)} or host:port)")
    try:
        host, port = parts.hostname, parts.port or DASK_PORT
    except ValueError as exc:
        raise ParameterError(f"{what}: not an address ({exc})") from None
    if not host:
        raise ParameterError(f"{what}: no host (expected tcp://host:port)")
    outcome: list[BaseException | None] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=connect, daemon=True)  # a hanging name lookup too
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise ParameterError(f"{what}: no Dask scheduler answered within {timeout:g} s")
    if outcome[0] is not None:
        exc = outcome[0]
        reason = "timed out" if isinstance(exc, socket.timeout) else (
            exc.strerror or str(exc))
        raise ParameterError(f"{what}: cannot reach a Dask scheduler at {host}:{port} within "
                             f"{timeout:g} s ({reason}); start the scheduler or set "
                             "sim_dask_address to null for local processes")


def preflight(pfile: ParameterFile, notebooks: list[Notebook]) -> None:
    """Check the data of ``notebooks`` before any of them runs: each distinct data set (study
    configuration, data_dir, format) is loaded and validated once, then prepared as each
    notebook would (``helpers.data.run_data.prepare_run_data``: column parameters, data cut). Bad
    data, a study configuration that does not fit them or a bad parameter stop the run with a
    DataValidationError or ParameterError and nothing written. The study's ``reference`` file
    and the Dask scheduler of ``sim_dask_address`` are checked first; every data problem of
    the run is reported in one error (``helpers.data.problems``)."""
    from helpers.config.reference import check_reference
    from helpers.config.study import load_study
    from helpers.data.problems import Problems
    from helpers.data.run_data import DATA_PARAMETERS, prepare_run_data
    from helpers.data.trial_data import load_trial_data
    from helpers.meta.trials import check_versions, read_study_trials

    loaded = {}
    problems = Problems()  # every data problem of the run in one error
    checked: set = set()
    tables: dict = {}  # study configuration -> its trial table
    for nb in notebooks:
        params = pfile.for_notebook(nb.name)
        study = load_study(params["study"]).for_comparison(params.get("comparison"))
        if study.reference and (study.path, study.reference) not in checked:
            check_reference(study.reference, study.path)
            checked.add((study.path, study.reference))
        if study.book and study.book.trials:  # the trial table of chapter 08, validated once
            if (study.path, "trials") not in checked:
                checked.add((study.path, "trials"))
                tables[study.path] = read_study_trials(study)
            check_versions(tables[study.path], params.get("meta_versions") or {})
        if params["sim_dask_address"] not in checked:
            check_dask_address(params["sim_dask_address"])
            checked.add(params["sim_dask_address"])
        key = tuple(params.get(name) for name in DATA_PARAMETERS)
        if key not in loaded:
            loaded[key] = None
            with problems.check():
                loaded[key] = load_trial_data(resolve_path(params["data_dir"]),
                                              fmt=params["data_format"], study=study)
        if loaded[key] is not None:
            with problems.check():
                prepare_run_data(loaded[key], params)
    problems.raise_any()
