"""Meta-analysis of the randomised trials of the study's question (chapter 08).

``trials`` loads and validates the trial table (``helpers/config/reference/ptr_trials.yaml``) and
converts CIs to standard errors; ``pooling`` pools log hazard ratios as metafor's ``rma()``;
``sensitivity`` gives leave-one-out and cumulative analyses. Maths only: the trials' forest
plot is ``helpers.report.plots.meta_forest``, the chapter's tables ``helpers.report.tables.meta``.
"""

from .pooling import METHODS, PooledEstimate, pool, pooled_table
from .sensitivity import cumulative, leave_one_out
from .trials import (KNOWN_CI_LEVELS, RunEstimate, load_trials, local_control_reported,
                     published_meta_analyses, se_from_ci, select_trials, trial_table)

__all__ = ["KNOWN_CI_LEVELS", "METHODS", "PooledEstimate", "RunEstimate", "cumulative",
           "leave_one_out", "load_trials", "local_control_reported", "pool", "pooled_table",
           "published_meta_analyses", "se_from_ci", "select_trials", "trial_table"]
