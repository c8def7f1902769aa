"""Subgroup analyses of the treatment hazard ratio, with arm x subgroup interaction tests.

Per level of each subgroup variable: the Cox HR (experimental vs control) fitted on that
level's patients (stratified as the primary model when ``strata`` given), Wald CI at
``conf_level``, and n / events per arm. Per variable: the likelihood-ratio test of the
arm x subgroup interaction, 2 (loglik[arm + subgroup + arm:subgroup] - loglik[arm +
subgroup]) on k - 1 df (k levels), as R's ``anova(coxph(Surv ~ arm * subgroup +
strata(...)))``. Complete cases per variable (rows with a missing time, event, arm, stratum or
subgroup value dropped; near-equal times merged as R's ``timefix = TRUE``); a subgroup
variable with a different value for every patient is an error (it identifies patients). A level in which an arm has no patient or no
event gets HR NaN and a ``note`` (not estimable) rather than an error.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import chdtrc

from helpers.survival.cox import arm_indicator, cox_fit, design_matrix
from helpers.survival.frame import (check_not_identifying, column_list, strata_labels,
                                    survival_data)
from helpers.survival.results import JsonResult

__all__ = ["SubgroupAnalysis", "subgroup_analysis"]

COLUMNS = ["variable", "label", "level", "n_control", "n_experimental", "events_control",
           "events_experimental", "hr", "lower", "upper", "conf_level", "p_interaction", "note",
           "se", "p_wald"]


@dataclass
class SubgroupAnalysis(JsonResult):
    """``table``: one row per subgroup level (columns ``COLUMNS``; ``se`` of the log HR, ``p_wald`` two-sided); ``interaction``: one row
    per variable (variable, label, chisq, df, p, test = "LR", note)."""

    table: pd.DataFrame = field(repr=False)
    interaction: pd.DataFrame = field(repr=False)
    arm: str
    experimental: object
    control: object
    strata: list[str]
    conf_level: float
    ties: str


def _level_row(t, e, z, st, conf_level, ties) -> tuple[float, float, float, str, float, float]:
    """hr, lower, upper, note, se (of the log HR), two-sided Wald p."""
    nan = np.nan
    missing = [name for name, arm in (("control", 0), ("experimental", 1))
               if e[z == arm].sum() == 0]
    if missing:
        arms = " and ".join(missing)
        return nan, nan, nan, f"not estimable: no events in the {arms} arm", nan, nan
    try:
        fit = cox_fit(t, e, z[:, None], strata=st, ties=ties, conf_level=conf_level)
    except ValueError as err:
        return nan, nan, nan, f"not estimable: {err}", nan, nan
    if fit.infinite:  # R: "coefficient may be infinite" (monotone likelihood)
        return nan, nan, nan, "not estimable: the coefficient diverges", nan, nan
    note = "" if fit.converged else "Cox model did not converge"
    return (float(fit.hr[0]), float(fit.lower[0]), float(fit.upper[0]), note,
            float(fit.se[0]), float(fit.p[0]))


def _interaction(t, e, z, sub: pd.Series, st, in_strata: bool,
                 ties) -> tuple[float, int, float, str]:
    dummies, _ = design_matrix(sub.astype(str).to_frame("sub"), ["sub"])
    k = dummies.shape[1]
    if k == 0:
        return np.nan, 0, np.nan, "one level only: no interaction test"
    dm = dummies.to_numpy()
    main = np.c_[z] if in_strata else np.c_[z, dm]  # a stratum variable's main effect is absorbed
    try:
        red = cox_fit(t, e, main, strata=st, ties=ties)
        full = cox_fit(t, e, np.c_[main, z[:, None] * dm], strata=st, ties=ties)
    except ValueError as err:
        return np.nan, k, np.nan, f"interaction not testable: {err}"
    stat = max(2 * (full.loglik[1] - red.loglik[1]), 0.0)
    note = "" if full.converged else "interaction model did not converge (infinite coefficient?)"
    return stat, k, float(chdtrc(k, stat)), note


def subgroup_analysis(df: pd.DataFrame, time: str, event: str, arm: str, experimental,
                      subgroups: dict[str, str] | list[str], strata: list[str] | str | None = None,
                      conf_level: float = 0.95, ties: str = "efron") -> SubgroupAnalysis:
    """HR per subgroup level and interaction LR p per subgroup variable (see module doc).

    ``subgroups``: column names, or {column: display label}; levels in sorted order, the
    first level the reference of the interaction dummies. ``event`` 0/1.
    """
    strata = column_list(strata)
    labels = dict(subgroups) if isinstance(subgroups, dict) else {c: c for c in subgroups}
    rows, inter = [], []
    for var, label in labels.items():
        data = survival_data(df, time, event, group=arm, strata=strata, covariates=[var],
                             caller="subgroup_analysis")
        d = data.frame
        check_not_identifying(d, [var], "subgroup")
        z, control = arm_indicator(d[arm], experimental)
        t, e = data.time, data.event
        st = strata_labels(d, strata)
        stat, k, p, note = _interaction(t, e, z, d[var], st, var in strata, ties)
        inter.append({"variable": var, "label": label, "chisq": stat, "df": k, "p": p,
                      "test": "LR", "note": note})
        for level in sorted(d[var].unique().tolist()):
            m = (d[var] == level).to_numpy()
            hr, lo, up, lnote, se, p_wald = _level_row(t[m], e[m], z[m], None if st is None else st[m],
                                           conf_level, ties)
            rows.append({
                "variable": var, "label": label, "level": level,
                "n_control": int((z[m] == 0).sum()), "n_experimental": int((z[m] == 1).sum()),
                "events_control": int(e[m][z[m] == 0].sum()),
                "events_experimental": int(e[m][z[m] == 1].sum()),
                "hr": hr, "lower": lo, "upper": up, "conf_level": conf_level,
                "p_interaction": p, "note": lnote, "se": se, "p_wald": p_wald,
            })
    return SubgroupAnalysis(
        table=pd.DataFrame(rows, columns=COLUMNS), interaction=pd.DataFrame(inter),
        arm=arm, experimental=experimental, control=control, strata=strata,
        conf_level=conf_level, ties=ties,
    )
