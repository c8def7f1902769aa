"""Multivariable Cox model, one row per term: R's ``summary(coxph(Surv(time, event) ~ x1 +
factor(x2, levels = ...) + strata(...)))``.

Covariates: numeric columns as is (HR per unit), others (and any column named in ``levels``)
as treatment contrasts with the first level in the configured order as the reference
(``helpers.survival.contrasts``; unconfigured factors: first sorted level). Fitted by
``helpers.survival.cox.cox_fit`` (Efron ties by default, Breslow on request; stratified by
``strata``), so every coefficient equals coxph's; HR = exp(coef), Wald CI ``exp(coef -/+ z
se)`` at ``conf_level``, two-sided Wald p. A design column that is constant or collinear with
earlier ones has no coefficient (R: NA): its row is NaN with the reason in ``note``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .contrasts import treatment_design
from .cox import cox_fit, estimable_columns
from .frame import column_list, strata_labels, survival_data

__all__ = ["cox_terms"]


def cox_terms(df: pd.DataFrame, time: str, event: str, covariates: Any, strata: Any = None,
              levels: dict | None = None, ties: str = "efron",
              conf_level: float = 0.95) -> pd.DataFrame:
    """Every covariate's hazard ratio (module doc). One row per design column: term (``COL``
    or ``COL=level``), variable, level, reference, coef, se, hr, lower, upper, z, p, note.
    ``attrs``: n, events, n_excluded, conf_level, ties, strata, loglik (null, fitted)."""
    covariates = column_list(covariates, "covariates")
    if not covariates:
        raise ValueError("cox_terms needs at least one covariate")
    strata = column_list(strata, "strata")
    data = survival_data(df, time, event, strata=strata, covariates=covariates,
                         caller="cox_terms")
    x, terms = treatment_design(data.frame, covariates, levels)
    keep, dropped = estimable_columns(x)
    fit = cox_fit(data.time, data.event, x.iloc[:, keep], strata=strata_labels(data.frame, strata),
                  ties=ties, conf_level=conf_level)
    out = terms.rename(columns={"column": "term"})
    for col in ("coef", "se", "hr", "lower", "upper", "z", "p"):
        values = np.full(len(out), np.nan)
        values[keep] = getattr(fit, col)
        out[col] = values
    note = np.full(len(out), "", dtype=object)
    for msg in dropped:
        name = msg.split(" dropped:")[0]
        note[list(x.columns).index(name)] = msg
    for i in fit.infinite:
        note[keep[i]] = "coefficient may be infinite (monotone likelihood)"
    out["note"] = note
    out.attrs.update(n=data.n, events=int(data.event.sum()), n_excluded=data.n_excluded,
                     conf_level=float(conf_level), ties=ties, strata=strata,
                     loglik=fit.loglik, converged=fit.converged)
    return out
