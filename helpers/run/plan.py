"""What a run executes: the notebooks found, their content keys, and the plan.

A notebook is skipped when its ``.py``, its parameters, the data files under ``data_dir``, the
study configuration's content and the ``helpers`` source are unchanged since its last success
(its content key in the published generation's manifest); deciding that imports neither
pandas nor papermill.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.core.errors import ParameterError
from helpers.config.params import REPO_ROOT, ParameterFile, resolve_path
from helpers.config.study import load_study
from helpers.run.layout import MANIFEST, current_generation

__all__ = ["Notebook", "Plan", "data_fingerprint", "discover_notebooks", "helpers_fingerprint",
           "make_plan", "published_keys", "select_notebooks"]

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
HELPERS_DIR = Path(__file__).resolve().parents[1]  # the whole helpers package
KERNEL_NAME = "python3"
#: Suffixes of the data files the loader reads (as helpers.data.readers.FORMATS): hashed for skipping.
DATA_SUFFIXES = (".csv", ".parquet", ".xpt", ".sas7bdat")
_NAME = re.compile(r"^\d+_[A-Za-z0-9_-]+$")


def _sha256_files(paths: Iterable[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def data_fingerprint(data_dir: str | os.PathLike) -> str:
    """Hash of every data file (recognised suffix) under ``data_dir``, with relative names."""
    root = resolve_path(data_dir)
    if not root.is_dir():
        return "missing"
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in DATA_SUFFIXES]
    return _sha256_files(files, root)


def helpers_fingerprint() -> str:
    """Hash of the helpers package source (.py, .yaml, .json)."""
    files = [p for p in HELPERS_DIR.rglob("*") if p.is_file()
             and p.suffix in (".py", ".yaml", ".json") and "__pycache__" not in p.parts]
    return _sha256_files(files, HELPERS_DIR)


def _run_key(source: Path, given: dict, data_hash: str, helpers_hash: str) -> str:
    payload = {
        "source": hashlib.sha256(source.read_bytes()).hexdigest(),
        "parameters": given,
        "data": data_hash,
        "helpers": helpers_hash,
        "kernel": KERNEL_NAME,
        "python": sys.version_info[:2],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# --------------------------------------------------------------------------- discovery
@dataclass(frozen=True)
class Notebook:
    name: str    # file stem, e.g. "03_overall_survival"
    source: Path  # the percent .py (or the .ipynb when there is no .py)


def discover_notebooks(directory: str | os.PathLike = NOTEBOOKS_DIR) -> list[Notebook]:
    """The ``NN_*`` notebooks of ``directory`` in reading order, preferring the ``.py``."""
    directory = Path(directory)
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("[0-9]*_*.ipynb")) + sorted(directory.glob("[0-9]*_*.py")):
        if _NAME.match(path.stem):
            found[path.stem] = path  # .py sorted last: it wins
    return [Notebook(name, found[name]) for name in sorted(found)]


def select_notebooks(notebooks: list[Notebook], wanted: Sequence[str] | None) -> list[Notebook]:
    """The notebooks named in ``wanted`` (stem, or its ``NN`` prefix); all when empty."""
    if not wanted:
        return notebooks
    chosen = []
    for want in wanted:
        hits = [nb for nb in notebooks if nb.name == want or nb.name.split("_", 1)[0] == want]
        if not hits:
            raise ParameterError(f"--notebooks: no notebook {want!r} "
                                 f"(have: {', '.join(nb.name for nb in notebooks)})")
        chosen += [nb for nb in hits if nb not in chosen]
    return [nb for nb in notebooks if nb in chosen]


@dataclass(frozen=True)
class Plan:
    todo: list[Notebook]        # to execute now
    skipped: list[str]          # selected, unchanged: carried over from the published generation
    carried: list[str]          # every notebook carried over (skipped, or not selected but present)
    keys: dict[str, str]        # content key of every discovered notebook on the current inputs
    complete: bool              # the new generation would hold every notebook, all current
    helpers_hash: str           # helpers_fingerprint() the keys were computed with


def make_plan(pfile: ParameterFile, discovered: list[Notebook], run_dir: Path, force: bool,
          selected: list[Notebook] | None = None) -> Plan:
    """What to execute, what to carry over from the published generation, and whether the
    result will be a complete run (every discovered notebook current)."""
    selected = discovered if selected is None else selected
    helpers_hash = helpers_fingerprint()
    data_hashes: dict[str, str] = {}
    study_hashes: dict[str | None, str] = {}
    keys = {}
    for nb in discovered:
        given = pfile.given(nb.name)
        data_dir = given.get("data_dir", "data")
        if data_dir not in data_hashes:
            data_hashes[data_dir] = data_fingerprint(data_dir)
        study = given.get("study")  # its content, not only its path, keys the run
        if study not in study_hashes:
            study_hashes[study] = load_study(study).sha256
        keys[nb.name] = _run_key(nb.source, {**given, "study_sha256": study_hashes[study]},
                                 data_hashes[data_dir], helpers_hash)
    published = published_keys(run_dir)
    todo, skipped, carried = [], [], []
    for nb in discovered:
        current = published.get(nb.name) == keys[nb.name]
        if nb in selected and (force or not current):
            todo.append(nb)
        elif nb.name in published:
            carried.append(nb.name)
            if nb in selected:
                skipped.append(nb.name)
    executed_or_current = {nb.name for nb in todo} | {n for n in carried if published[n] == keys[n]}
    complete = executed_or_current == set(keys)
    return Plan(todo, skipped, carried, keys, complete, helpers_hash)


def published_keys(run_dir: Path) -> dict[str, str]:
    """Content keys of the notebooks in the published generation (present ones only)."""
    generation = current_generation(run_dir)
    if generation is None:
        return {}
    try:
        keys = json.loads((generation / MANIFEST).read_text())["keys"]
    except (OSError, ValueError, KeyError):
        return {}
    return {name: key for name, key in keys.items()
            if (generation / "notebooks" / f"{name}.ipynb").is_file()}
