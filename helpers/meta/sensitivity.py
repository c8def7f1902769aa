"""Leave-one-out and cumulative meta-analyses (metafor ``leave1out`` and ``cumul``).

statsmodels has neither; both refit :func:`helpers.meta.pooling.pool` on subsets of the rows.
"""

from __future__ import annotations

import pandas as pd

from helpers.core.errors import ParameterError
from helpers.meta.pooling import PooledEstimate, pool

COLUMNS = ["estimate", "se", "p", "lower", "upper", "q", "q_p", "tau2", "i2", "h2"]


def _row(name: str, key: str, result: PooledEstimate) -> dict:
    return {key: name, "k": result.k, **{c: getattr(result, c) for c in COLUMNS},
            "hr": result.hr, "hr_lower": result.hr_lower, "hr_upper": result.hr_upper}


def leave_one_out(df: pd.DataFrame, effect: str = "log_hr", se: str = "se", *,
                  label: str = "trial", **pool_options) -> pd.DataFrame:
    """Pooled estimate without each trial in turn: one row per omitted trial (column
    ``omitted``), log-HR and HR scale; ``pool_options`` as :func:`pool` (method, hksj, conf_level)."""
    if len(df) < 2:
        raise ParameterError(f"leave-one-out needs at least 2 trials, got {len(df)}")
    rows = [_row(df[label].iloc[i], "omitted",
                 pool(df.drop(index=df.index[i]), effect, se, **pool_options))
            for i in range(len(df))]
    return pd.DataFrame(rows)


def cumulative(df: pd.DataFrame, effect: str = "log_hr", se: str = "se", *,
               order_by: str = "year", label: str = "trial", **pool_options) -> pd.DataFrame:
    """Pooled estimate as trials accrue in ``order_by`` order (stable: ties keep the table's
    order): row i pools the first i trials; column ``added`` names the trial added."""
    if order_by not in df.columns:
        raise ParameterError(f"cumulative: order column {order_by!r} not in the trial table")
    ordered = df.sort_values(order_by, kind="stable")
    rows = [_row(ordered[label].iloc[i], "added",
                 pool(ordered.iloc[: i + 1], effect, se, **pool_options))
            for i in range(len(ordered))]
    out = pd.DataFrame(rows)
    out.insert(1, order_by, ordered[order_by].to_numpy())
    return out
