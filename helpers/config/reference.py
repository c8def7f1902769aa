"""The published figures of a study: the file its configuration names in ``study.reference``
(for the bundled study ``published.yaml`` in its folder under ``studies/``).

Paths are dotted keys of that YAML, e.g. ``"results.os.hazard_ratio"``. An entry is a mapping
with ``value`` (and optionally ``ci``, ``ci_level``, ``source``, ``note``, ``uncertain``).

A study configuration names its file of published figures in ``study.reference``: a path
relative to the study configuration's folder (or absolute). Every reader takes the figures
(``figures``: :func:`study_figures` of the run's study); without them, the default study's.
:func:`check_reference` reads it (safe YAML) and checks its shape (:func:`check_published`),
so that a reference pointing at the wrong file stops a run in its preflight naming the file
and the key, not a chapter half-way.
"""

from __future__ import annotations

import copy
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from helpers.core.errors import ParameterError
from helpers.config.safe_yaml import load_yaml, load_yaml_file

#: What a file of published figures looks like (the bundled study's), for error messages.
RESOURCE = "published figures (studies/README.md, key study.reference)"
#: Keys an entry (a mapping with ``source`` or ``value``) may hold besides its own fields.
ENTRY_FIELDS = ("value", "ci", "ci_level", "source", "note", "uncertain", "first", "last")


class ReferenceError(ParameterError):
    """The study's file of published figures is missing or not of the expected shape; the
    message names the file, the key in it and the study configuration key."""


@lru_cache(maxsize=8)
def _read(path: str) -> dict:
    return load_yaml(Path(path).read_bytes(), path).data


def study_figures(study=None) -> dict | None:
    """The published figures the study configuration ``study`` (a ``StudyConfig``; None: the
    default study) names in ``study.reference``, or None when it names none."""
    if study is None:
        from helpers.config.study import load_study

        study = load_study(None)
    if not study.reference:
        return None
    return _read(str(reference_path(study.reference, study.path)))


def _load(figures: dict | None = None) -> dict:
    if figures is not None:
        return figures
    default = study_figures(None)
    if default is None:
        raise ParameterError("the default study names no published figures (study.reference)")
    return default


def reference_path(name: str | os.PathLike, study_path: str | os.PathLike | None = None) -> Path:
    """The file a study's ``study.reference`` names: absolute as given, else relative to the
    study configuration's folder (the working directory without one)."""
    path = Path(name).expanduser()
    if path.is_absolute():
        return path
    return (Path(study_path).parent if study_path is not None else Path.cwd()) / path


def check_reference(name: str | os.PathLike, study_path: str | os.PathLike | None = None) -> dict:
    """Read and check the published figures named by a study configuration's
    ``study.reference`` (``study_path``: the configuration, for relative names and messages).

    Raises :class:`ReferenceError` naming the file, the key and the configuration key when the
    file is missing, is not safe YAML (see :mod:`helpers.config.safe_yaml`) or is not of the
    shape of the published figures (:func:`check_published`)."""
    path = reference_path(name, study_path)
    key = f"key 'study.reference' of the study configuration {study_path}" if study_path \
        else "key 'study.reference'"
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise ReferenceError(f"{path}: the file of published figures named by {key} {what}")
    try:
        data = load_yaml_file(path).data
        check_published(data, str(path))
    except ParameterError as exc:
        raise ReferenceError(f"{exc} (named by {key})") from None
    return data


def check_published(data: Any, source: str) -> None:
    """ParameterError naming ``source`` and the key unless ``data`` has the shape of the
    published figures: a mapping with ``sources`` (key -> citation text) and groups (mappings)
    of entries; an entry is a mapping with ``value`` or ``source`` (its ``source`` a key of
    ``sources``, ``ci`` two numbers lower <= upper, ``ci_level`` in (0, 1), ``uncertain`` true
    or false); at least one entry has a ``value``."""
    def fail(key: str, message: str) -> None:
        raise ParameterError(f"{source}: key {key!r}: {message} (expected the shape of "
                             f"{RESOURCE})")

    if not isinstance(data, dict):
        raise ParameterError(f"{source}: expected a mapping of published figures with "
                             f"'sources', got {type(data).__name__}")
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        fail("sources", "expected a mapping of source keys to citations")
    for name, text in sources.items():
        if not isinstance(text, str) or not text.strip():
            fail(f"sources.{name}", f"expected the citation text, got {type(text).__name__}")
    values = 0

    def walk(node: Any, key: str) -> None:
        nonlocal values
        if not isinstance(node, dict):
            fail(key, f"expected a published entry (a mapping with 'value') or a group of "
                      f"entries, got {type(node).__name__}")
        if "value" in node or "source" in node:
            values += "value" in node
            if "source" in node and node["source"] not in sources:
                fail(f"{key}.source", f"{node['source']!r} is not a key of 'sources'")
            ci = node.get("ci")
            if ci is not None and not (isinstance(ci, list) and len(ci) == 2 and all(
                    isinstance(b, (int, float)) and not isinstance(b, bool) for b in ci)
                    and ci[0] <= ci[1]):
                fail(f"{key}.ci", f"expected [lower, upper] with lower <= upper, got {ci!r}")
            level = node.get("ci_level")
            if level is not None and (isinstance(level, bool) or not isinstance(level, (int, float))
                                      or not 0 < level < 1):
                fail(f"{key}.ci_level", f"expected a level in (0, 1), got {level!r}")
            if not isinstance(node.get("uncertain", False), bool):
                fail(f"{key}.uncertain", f"expected true or false, got {node['uncertain']!r}")
            return
        if not node:
            fail(key, "is an empty group")
        for name, sub in node.items():
            walk(sub, f"{key}.{name}")

    for name, node in data.items():
        if name != "sources":
            walk(node, str(name))
    if not values:
        raise ParameterError(f"{source}: no published entry with a 'value' (expected the shape "
                             f"of {RESOURCE})")


def published(figures: dict | None = None) -> dict:
    """Return the whole published-facts YAML as a nested dict (a fresh copy each call)."""
    return copy.deepcopy(_load(figures))


def published_entry(path: str, figures: dict | None = None) -> dict:
    """Return the YAML mapping at a dotted ``path`` (e.g. ``"results.os.hazard_ratio"``).

    Raises KeyError naming the first missing component.
    """
    node: Any = _load(figures)
    walked = []
    for part in path.split("."):
        walked.append(part)
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no published entry {'.'.join(walked)!r} (looking up {path!r})")
        node = node[part]
    return copy.deepcopy(node)


def published_value(path: str, figures: dict | None = None) -> Any:
    """Return the ``value`` of the entry at a dotted ``path``.

    ``path`` may also end in ``.ci_lower`` / ``.ci_upper`` (the CI bounds of an entry with
    ``ci``) or ``.ci_level``; e.g. ``published_value("results.os.hazard_ratio.ci_lower")``
    is 0.686.
    """
    head, _, last = path.rpartition(".")
    if last in ("ci_lower", "ci_upper", "ci_level") and head:
        entry = published_entry(head, figures)
        if last == "ci_level":
            return entry["ci_level"]
        return entry["ci"][0 if last == "ci_lower" else 1]
    entry = published_entry(path, figures)
    if isinstance(entry, dict) and "value" in entry:
        return entry["value"]
    raise KeyError(f"published entry {path!r} has no 'value' (it is a group)")


def published_figures(include_uncertain: bool = False, figures: dict | None = None) -> list[dict]:
    """Every published number as rows ``{path, value, source, ci_level}``, in YAML order.

    Numeric values only (text and lists are left out); an entry with ``ci`` adds rows
    ``<path>.ci_lower`` and ``<path>.ci_upper``; a mapping value of numbers (e.g.
    ``{arm_a: .., arm_b: ..}``) adds one row per key (``<path>.arm_a``). Entries marked
    ``uncertain: true`` are skipped unless ``include_uncertain``.
    """
    rows: list[dict] = []

    def is_number(x: Any) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, dict):
            return
        if "value" in node:
            if node.get("uncertain") and not include_uncertain:
                return
            base = {"source": node.get("source"), "ci_level": node.get("ci_level")}
            value = node["value"]
            if is_number(value):
                rows.append({"path": prefix, "value": value, **base})
            elif isinstance(value, dict):
                for key, sub in value.items():
                    if is_number(sub):
                        rows.append({"path": f"{prefix}.{key}", "value": sub, **base})
            if "ci" in node:
                lower, upper = node["ci"]
                rows.append({"path": f"{prefix}.ci_lower", "value": lower, **base})
                rows.append({"path": f"{prefix}.ci_upper", "value": upper, **base})
            return
        for key, sub in node.items():
            walk(sub, f"{prefix}.{key}" if prefix else key)

    walk(_load(figures), "")
    return rows
