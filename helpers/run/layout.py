"""Generations of a run directory: all notebooks of a run are published together or not at all.

Layout of ``RUN`` (the ``output_dir`` of a parameter file)::

    RUN/.generations/<id>/         one complete set of outputs: notebooks/, results/, figures/,
                                   tables/, manifest.json (content keys), run_record.json
    RUN/current -> .generations/<id>   the published generation (a symbolic link)
    RUN/notebooks -> current/notebooks  fixed links, so readers use the usual paths;
    RUN/results, RUN/figures, RUN/tables, RUN/run_record.json likewise
    RUN/.staging/<run id>/NN_name/  in-flight outputs of the running notebooks
    RUN/failed/NN_name.ipynb        partly executed copy of the last failure
    RUN/.state/lock, kernels.log    the run lock and the kernels' stderr

A run builds a new generation beside the published one and publishes it with a single
``os.replace`` of the ``current`` link (atomic on POSIX): a reader sees the previous generation
or the new one, never a mixture, and a killed run leaves the previous generation untouched.
Leftovers of killed runs (``.staging`` entries, unpublished generations) are removed by the
next run, which holds the run lock, so no other run can be writing them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from helpers.core.atomic import remove_path

GENERATIONS = ".generations"
STAGING = ".staging"
CURRENT = "current"
#: Entries of RUN that are links into the published generation.
PUBLISHED = ("notebooks", "results", "ard", "figures", "tables", "ard.parquet", "ard.csv",
             "run_record.json")
MANIFEST = "manifest.json"
RECORD = "run_record.json"


def current_generation(run_dir: Path) -> Path | None:
    """The published generation of ``run_dir`` (None before the first published run)."""
    link = run_dir / CURRENT
    if not link.is_symlink():
        return None
    target = run_dir / os.readlink(link)
    return target if target.is_dir() else None


def new_generation(run_dir: Path) -> Path:
    """An empty, unpublished generation directory with a unique, time-ordered name."""
    parent = run_dir / GENERATIONS
    parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = Path(tempfile.mkdtemp(dir=parent, prefix=f"{stamp}-"))
    os.chmod(path, 0o755)
    return path


def new_staging(run_dir: Path) -> Path:
    """This run's own staging directory (``RUN/.staging/<unique>``): a late write of a dying
    process of an earlier run can never collide with it."""
    parent = run_dir / STAGING
    parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=parent, prefix=f"{os.getpid()}-"))


def publish(run_dir: Path, generation: Path) -> None:
    """Make ``generation`` the published one: one atomic replace of the ``current`` link.

    The fixed links (``RUN/results`` -> ``current/results`` ...) are created when missing; a
    real directory left there by a runner before generations existed is removed after the swap.
    """
    relative = os.path.relpath(generation, run_dir)
    tmp = run_dir / f".{CURRENT}.{os.getpid()}.new"
    remove_path(tmp)
    os.symlink(relative, tmp)
    os.replace(tmp, run_dir / CURRENT)
    for name in PUBLISHED:
        entry = run_dir / name
        wanted = f"{CURRENT}/{name}"
        if entry.is_symlink() and os.readlink(entry) == wanted:
            continue
        link = run_dir / f".{name}.{os.getpid()}.new"
        remove_path(link)
        os.symlink(wanted, link)
        if entry.is_dir() and not entry.is_symlink():
            remove_path(entry)  # the layout of earlier runners: replaced by the link
        os.replace(link, entry)


def remove_debris(run_dir: Path, keep: Path | None) -> list[str]:
    """Remove ``.staging`` and every unpublished generation except ``keep``; names removed.

    Called under the run lock. A process of a killed run may still be dying (its parent-death
    signal is asynchronous) and create a file while a tree is removed: removal is retried
    briefly rather than failing the run.
    """
    removed = []
    staging = run_dir / STAGING
    if staging.exists():
        _remove_tree(staging)
        removed.append(STAGING)
    current = current_generation(run_dir)
    generations = run_dir / GENERATIONS
    if generations.is_dir():
        for path in sorted(generations.iterdir()):
            if path not in (current, keep):
                _remove_tree(path)
                removed.append(f"{GENERATIONS}/{path.name}")
    for name in (CURRENT, *PUBLISHED):  # links of a publish cut short
        for path in run_dir.glob(f".{name}.*.new"):
            remove_path(path)
    return removed


def _remove_tree(path: Path, attempts: int = 50, pause: float = 0.1) -> None:
    for _ in range(attempts - 1):
        try:
            remove_path(path)
            return
        except OSError:  # "Directory not empty": something wrote into it meanwhile
            time.sleep(pause)
    remove_path(path)


def carry_over(source: Path, target: Path, names: list[str]) -> None:
    """Copy the outputs of notebooks ``names`` from generation ``source`` to ``target``.

    Files are hard-linked (outputs are replaced, never modified in place, so sharing them
    between generations is safe), copied where links are not possible.
    """
    for name in names:
        for relative in (f"notebooks/{name}.ipynb", f"results/{name}.json", f"ard/{name}.parquet",
                         f"figures/{name}", f"tables/{name}"):
            origin = source / relative
            if origin.is_dir():
                shutil.copytree(origin, target / relative, copy_function=_link_or_copy)
            elif origin.is_file():
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(origin, target / relative)


def _link_or_copy(origin: str | Path, target: str | Path) -> None:
    try:
        os.link(origin, target)
    except OSError:
        shutil.copy2(origin, target)


def fsync_tree(path: Path) -> None:
    """Flush the directory entries of ``path`` and its subdirectories to disk (before publish)."""
    for directory in [path, *(p for p in path.rglob("*") if p.is_dir())]:
        with contextlib.suppress(OSError):
            fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
