"""The published figures of JCOG1017 (``helpers/config/reference/jcog1017_published.yaml``).

Paths are dotted keys of that YAML, e.g. ``"results.os.hazard_ratio"``. An entry is a mapping
with ``value`` (and optionally ``ci``, ``ci_level``, ``source``, ``note``, ``uncertain``).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

RESOURCE = "jcog1017_published.yaml"


@lru_cache(maxsize=1)
def _load() -> dict:
    text = resources.files("helpers.config").joinpath("reference", RESOURCE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def published() -> dict:
    """Return the whole published-facts YAML as a nested dict (a fresh copy each call)."""
    return copy.deepcopy(_load())


def published_entry(path: str) -> dict:
    """Return the YAML mapping at a dotted ``path`` (e.g. ``"results.os.hazard_ratio"``).

    Raises KeyError naming the first missing component.
    """
    node: Any = _load()
    walked = []
    for part in path.split("."):
        walked.append(part)
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"no published entry {'.'.join(walked)!r} (looking up {path!r})")
        node = node[part]
    return copy.deepcopy(node)


def published_value(path: str) -> Any:
    """Return the ``value`` of the entry at a dotted ``path``.

    ``path`` may also end in ``.ci_lower`` / ``.ci_upper`` (the CI bounds of an entry with
    ``ci``) or ``.ci_level``; e.g. ``published_value("results.os.hazard_ratio.ci_lower")``
    is 0.686.
    """
    head, _, last = path.rpartition(".")
    if last in ("ci_lower", "ci_upper", "ci_level") and head:
        entry = published_entry(head)
        if last == "ci_level":
            return entry["ci_level"]
        return entry["ci"][0 if last == "ci_lower" else 1]
    entry = published_entry(path)
    if isinstance(entry, dict) and "value" in entry:
        return entry["value"]
    raise KeyError(f"published entry {path!r} has no 'value' (it is a group)")


def published_figures(include_uncertain: bool = False) -> list[dict]:
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

    walk(_load(), "")
    return rows
