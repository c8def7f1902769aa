"""Trial-grade survival statistics, equal to R's survival package (validated in tests/).

Times in the unit given (months for the trial). Modules, one concern each:

- ``km``: Kaplan-Meier (``kaplan_meier``, ``km_by_group``, ``km_summary``), Greenwood std.
  errors, log-log (default) / log / plain CIs, Brookmeyer-Crowley median CI as R's survfit
- ``logrank``: (stratified, k-group) log-rank test as R's survdiff, one-sided p
  (``logrank_test``)
- ``followup``: reverse Kaplan-Meier median follow-up (``median_follow_up``)
- ``rmst``: restricted mean survival time and arm difference (``rmst``, ``rmst_difference``)
- ``cox``, ``subgroups``, ``ph``: Cox regression, subgroup analyses, proportional hazards
  tests; their public names (each module's ``__all__``) are re-exported here lazily, on first
  access, so that this package imports without them.
- ``results``: ``JsonResult``, the ``to_dict()`` mixin of the result dataclasses
"""

from __future__ import annotations

import importlib
import importlib.util

from .followup import FollowUp, median_follow_up
from .km import KaplanMeier, kaplan_meier, km_by_group, km_summary
from .logrank import LogRankResult, logrank_test
from .results import JsonResult, to_jsonable
from .rmst import RMST, RMSTDifference, rmst, rmst_difference

__all__ = [
    "FollowUp",
    "JsonResult",
    "KaplanMeier",
    "LogRankResult",
    "RMST",
    "RMSTDifference",
    "kaplan_meier",
    "km_by_group",
    "km_summary",
    "logrank_test",
    "median_follow_up",
    "rmst",
    "rmst_difference",
    "to_jsonable",
]

_LAZY_MODULES = ("cox", "subgroups", "ph")


def __getattr__(name: str):
    """Public names of the Cox-side modules (``from helpers.survival import cox_fit``)."""
    for module_name in _LAZY_MODULES:
        if importlib.util.find_spec(f"{__name__}.{module_name}") is None:
            continue
        module = importlib.import_module(f".{module_name}", __name__)
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
