"""Meta-analysis of the randomised trials of the study's question (chapter 08).

``trial_file`` reads and validates the study's trial table (the file ``study.trials`` names)
into a ``TrialTable``; ``trials`` chooses versions and converts CIs to standard errors, every
function taking that table explicitly; ``pooling`` pools log hazard ratios as metafor's
``rma()``; ``sensitivity`` gives leave-one-out and cumulative analyses. Maths only: the
trials' forest plot is ``helpers.report.plots.meta_forest``, the chapter's tables
``helpers.report.tables.meta``.
"""

from .pooling import METHODS, PooledEstimate, pool, pooled_table
from .sensitivity import cumulative, leave_one_out
from .trials import (KNOWN_CI_LEVELS, RunEstimate, TrialTable, load_trials,
                     local_control_reported, published_meta_analyses, read_study_trials,
                     read_trial_table, se_from_ci, select_trials, trial_table)

__all__ = ["KNOWN_CI_LEVELS", "METHODS", "PooledEstimate", "RunEstimate", "TrialTable",
           "cumulative", "leave_one_out", "load_trials", "local_control_reported", "pool",
           "pooled_table", "published_meta_analyses", "read_study_trials", "read_trial_table",
           "se_from_ci", "select_trials", "trial_table"]
