"""Several comparisons of one trial's arms, and the level labels of a study configuration.

``comparisons`` (study configuration) lists pairs of arm values, **experimental first, then
control**: ``[[ARM A, ARM B], [ARM C, ARM B]]`` compares ARM A with ARM B, then ARM C with
ARM B. Without it the study has one comparison, ``arms.experimental`` against
``arms.control``. Every arm value named must be the control, the experimental arm or one of
``arms.others``; a pair repeats neither itself nor another pair. The runner runs the notebook
set once per comparison into ``RUN/<slug>/`` (``helpers.run.comparisons``); each run selects
its comparison with the ``comparison`` parameter (the slug, e.g. ``arm-a-vs-arm-b``).

Level labels: ``levels`` of a subgroup or Table 1 variable is a list of values, a list of
``{value, label}`` or a mapping ``{value: label}``; the labels are what the supplement shows.

Pure functions raising ``ValueError`` (the caller names the file and key, and adds "write 'no'
in quotes" where YAML read an unquoted word as a boolean); PyYAML-free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from helpers.config.validators import text

__all__ = ["comparison_slug", "parse_comparisons", "parse_levels"]


def comparison_slug(experimental: str, control: str) -> str:
    """``"ARM A", "ARM B"`` -> ``"arm-a-vs-arm-b"`` (the run sub-directory of a comparison)."""
    def part(value: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "arm"

    return f"{part(experimental)}-vs-{part(control)}"


def parse_comparisons(value: Any, known: list[str]) -> tuple[tuple[str, str], ...]:
    """Validated ``comparisons``: (experimental, control) pairs of ``known`` arm values.

    Raises ``ValueError("[i]: message")`` for the i-th pair, ``ValueError("[i][j]: message")``
    for its j-th value (or without index for the list)."""
    if isinstance(value, (str, Mapping)) or not isinstance(value, list) or not value:
        raise ValueError(f"expected a non-empty list of [experimental, control] pairs, got {value!r}")
    pairs: list[tuple[str, str]] = []
    slugs: dict[str, int] = {}
    for i, item in enumerate(value):
        if isinstance(item, (str, Mapping)) or not isinstance(item, list) or len(item) != 2:
            raise ValueError(f"[{i}]: expected a pair [experimental, control], got {item!r}")
        arms = []
        for j, arm in enumerate(item):
            try:
                arms.append(text(arm))
            except ValueError as exc:
                raise ValueError(f"[{i}][{j}]: {exc}") from None
            if arms[-1] not in known:
                raise ValueError(f"[{i}][{j}]: unknown arm {arms[-1]!r}: not the control, the "
                                 f"experimental arm nor in arms.others (known: {', '.join(known)})")
        experimental, control = arms
        if experimental == control:
            raise ValueError(f"[{i}]: compares arm {experimental!r} with itself")
        pair = (experimental, control)
        for first, seen in enumerate(pairs):
            if seen in (pair, (control, experimental)):
                raise ValueError(f"[{i}]: duplicate comparison {list(pair)} (as comparisons[{first}])")
        slug = comparison_slug(*pair)
        if slug in slugs:
            raise ValueError(f"[{i}]: comparison {list(pair)} has the same run directory "
                             f"{slug!r} as comparisons[{slugs[slug]}]")
        slugs[slug] = i
        pairs.append(pair)
    return tuple(pairs)


def parse_levels(value: Any) -> tuple[tuple, tuple[str, ...]]:
    """``levels`` as (values, labels): a list of values (labels empty), a list of
    ``{value, label}`` or a mapping ``{value: label}`` (labels given for every value)."""
    if isinstance(value, Mapping):
        items = [{"value": k, "label": v} for k, v in value.items()]
        for key in value:
            if isinstance(key, bool):
                raise ValueError(f"a level value is the YAML boolean {str(key).lower()}: write "
                                 "it in quotes (e.g. 'no': label)")
    elif isinstance(value, list):
        items = value
    else:
        raise ValueError(f"expected a list of levels or a mapping value -> label, got {value!r}")
    labelled = [isinstance(item, Mapping) for item in items]
    if any(labelled) and not all(labelled):
        raise ValueError("mixes plain levels and {value, label} levels: give a label for every level")
    if not any(labelled):
        for item in items:
            text(item)  # not a boolean (unquoted yes/no), not empty
        return tuple(items), ()
    values, labels = [], []
    for item in items:
        unknown = set(map(str, item)) - {"value", "label"}
        if unknown or "value" not in item:
            raise ValueError(f"expected {{value, label}}, got {dict(item)!r}")
        text(item["value"])
        label = item.get("label")
        try:
            labels.append(text(label))
        except ValueError:
            raise ValueError(f"level {item['value']!r}: expected a non-empty label, got {label!r}") from None
        values.append(item["value"])
    if len(set(labels)) != len(labels):
        raise ValueError(f"level labels repeat: {labels}")
    return tuple(values), tuple(labels)
