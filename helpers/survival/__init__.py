"""Trial-grade survival statistics, equal to R's survival package (validated in tests/).

Times in the unit given (months for the trial). One call style, as lifelines and R: a data
frame plus column names, e.g. ``logrank_test(df, "time", "event", "ARMCD", strata=["ER",
"HER2"], experimental="B")``; ``strata`` (and ``covariates``) take a list of column names or
one name. Every frame-level function drops rows with a missing value in a column it uses (as
R's na.omit, stated as ``n_excluded``) and merges near-equal times as R's ``aeqSurv``. The
array-level cores (``km_arrays``, ``logrank_arrays``, ``logrank_components``, ``rmst_arrays``,
``follow_up_arrays``, ``cox_fit``) take validated arrays and times as given (for speed, e.g.
in simulations). Modules, one concern each:

- ``frame``: the data-frame input (``survival_data``): columns, missing values, checks;
  ``survival_frame``: validated and sorted once, shared by KM, log-rank and Cox (pass it in
  place of the data frame, same column names)
- ``ties``: near-equal times as R's ``aeqSurv`` (``merge_close_times``)

- ``km``: Kaplan-Meier (``kaplan_meier``, ``km_by_group``, ``km_summary``), Greenwood std.
  errors, log-log (default) / log / plain CIs, Brookmeyer-Crowley median CI as R's survfit
- ``logrank``: (stratified, k-group) log-rank test as R's survdiff, one-sided p
  (``logrank_test``)
- ``followup``: reverse Kaplan-Meier median follow-up (``median_follow_up``)
- ``rmst``: restricted mean survival time and arm difference (``rmst``, ``rmst_difference``)
- ``lean``: a simulated trial's log-rank components and Cox coefficient from one sort
  (``logrank_cox``)
- ``cox``, ``subgroups``, ``ph``: Cox regression, subgroup analyses, proportional hazards
  tests; their public names (each module's ``__all__``) are re-exported here lazily, on first
  access, so that this package imports without them.
- ``competing``, ``gray``, ``finegray``: competing risks equal to R's cmprsk: cumulative
  incidence (``cumulative_incidence``), Gray's test (``gray_test``), Fine-Gray
  subdistribution hazard ratio (``fine_gray``); event-type column + cause codes
- ``landmark``: survival rate difference between arms at landmarks (``landmark_difference``)
- ``contrasts``: treatment contrasts with a configured reference level (``treatment_design``);
  ``multivariable``: every covariate's HR of a multivariable Cox model (``cox_terms``, lazy)
- ``results``: ``JsonResult``, the ``to_dict()`` mixin of the result dataclasses
"""

from __future__ import annotations

import importlib
import importlib.util

from .competing import (CompetingData, CumulativeIncidence, competing_data,
                        cumulative_incidence)
from .contrasts import treatment_design
from .followup import FollowUp, follow_up_arrays, median_follow_up
from .frame import SurvivalDataError, SurvivalFrame, survival_data, survival_frame
from .km import KaplanMeier, KaplanMeierByGroup, kaplan_meier, km_arrays, km_by_group, km_summary
from .logrank import LogRankResult, logrank_arrays, logrank_components, logrank_test
from .results import JsonResult, to_jsonable
from .rmst import RMST, RMSTDifference, rmst, rmst_arrays, rmst_difference
from .ties import merge_close_times

__all__ = [
    "CompetingData",
    "CumulativeIncidence",
    "FollowUp",
    "JsonResult",
    "KaplanMeier",
    "KaplanMeierByGroup",
    "LogRankResult",
    "RMST",
    "RMSTDifference",
    "SurvivalDataError",
    "SurvivalFrame",
    "competing_data",
    "cumulative_incidence",
    "follow_up_arrays",
    "kaplan_meier",
    "km_arrays",
    "km_by_group",
    "km_summary",
    "logrank_arrays",
    "logrank_components",
    "logrank_test",
    "median_follow_up",
    "merge_close_times",
    "rmst",
    "rmst_arrays",
    "rmst_difference",
    "survival_data",
    "survival_frame",
    "to_jsonable",
    "treatment_design",
]

_LAZY_MODULES = ("cox", "subgroups", "ph", "gray", "finegray", "landmark", "multivariable")


def __getattr__(name: str):
    """Public names of the Cox-side modules (``from helpers.survival import cox_fit``)."""
    for module_name in _LAZY_MODULES:
        if importlib.util.find_spec(f"{__name__}.{module_name}") is None:
            continue
        module = importlib.import_module(f".{module_name}", __name__)
        if name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
