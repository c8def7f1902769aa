"""The data-frame side of the public API: a data frame plus column names, as lifelines and R.

``survival_data(df, time, event, group=..., strata=..., covariates=...)`` checks the columns a
function uses and returns the rows it analyses:

- rows with a missing value in any used column are dropped, as R's ``na.omit`` (so the
  log-rank test and the Cox model of the same columns use the same patients); the number
  used and excluded are stated in every result (``n``, ``n_excluded``);
- ``event`` must be 0 (censored) / 1 (event) (or boolean), ``time`` finite and >= 0, and
  not all 0 (no follow-up);
- a group or stratum column with a different value in every row identifies patients: an
  error naming the column (such a "stratification" makes every risk set a single patient);
- near-equal times are merged as R's ``aeqSurv`` (``helpers.survival.ties``).

Errors are ``SurvivalDataError`` (a ``DataValidationError`` and a ``ValueError``) naming the
column and example rows (index labels of ``df``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.errors import DataValidationError

from .ties import merge_close_times

__all__ = ["SurvivalData", "SurvivalDataError", "check_not_identifying", "column_list",
           "one_sample", "strata_labels", "survival_data"]


class SurvivalDataError(DataValidationError, ValueError):
    """Input of a survival function that cannot be analysed (names column and rows)."""


def column_list(columns: Any, what: str = "strata") -> list[str]:
    """Column names as a list: None -> [], a string -> [it], an iterable of strings -> list."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    if isinstance(columns, (pd.Series, np.ndarray)):
        raise TypeError(f"{what} takes column names of the data frame (e.g. {what}=['ER', "
                        f"'HER2']), not an array of values")
    out = list(columns)
    if not all(isinstance(c, str) for c in out):
        raise TypeError(f"{what} must be column names (strings), got {out!r}")
    return out


@dataclass(frozen=True, eq=False)
class SurvivalData:
    """Complete rows of the used columns. ``frame``: those rows (``time`` merged as aeqSurv);
    ``time`` (float) and ``event`` (int 0/1) arrays of them; ``n`` rows used, ``n_excluded``
    rows dropped for a missing value, ``missing``: column -> rows with a missing value."""

    frame: pd.DataFrame
    time: np.ndarray
    event: np.ndarray
    n: int
    n_excluded: int
    missing: dict

    def excluded_note(self) -> str:
        """"3 rows with a missing value excluded (ER: 3)" or ""."""
        if not self.n_excluded:
            return ""
        cols = ", ".join(f"{c}: {k}" for c, k in self.missing.items() if k)
        return f"{self.n_excluded} rows with a missing value excluded ({cols})"


def _rows(mask: pd.Series) -> list:
    return mask.index[mask.to_numpy()].tolist()


def check_not_identifying(d: pd.DataFrame, columns: list[str], what: str) -> None:
    """Error when a column of ``d`` (3 rows or more) has a different value in every row, or
    (``what`` = "stratification") the columns together make every row its own stratum."""
    n = len(d)
    for c in columns:
        k = d[c].nunique()
        if n >= 3 and k == n:
            raise SurvivalDataError(
                f"a different value in each of the {n} rows: it identifies patients and cannot "
                f"be a {what} variable", column=c)
    if what == "stratification" and len(columns) > 1 and n >= 3:
        if not d.duplicated(subset=columns).any():
            raise SurvivalDataError(
                f"every combination of the strata is a single patient ({n} rows): the "
                f"stratified analysis compares nobody", column=", ".join(columns))


def survival_data(df: pd.DataFrame, time: str, event: str, *, group: str | None = None,
                  strata: Any = None, covariates: Any = None, merge_ties: bool = True,
                  caller: str = "survival function") -> SurvivalData:
    """Validated complete rows of ``df[[time, event, group, *strata, *covariates]]``.

    ``strata`` and ``covariates``: column names (a string is one column). ``merge_ties``:
    merge near-equal times as R's aeqSurv (see module doc).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{caller}(df, time, event, ...) takes a pandas DataFrame and column "
                        f"names, got {type(df).__name__}")
    strata = column_list(strata, "strata")
    covariates = column_list(covariates, "covariates")
    used = list(dict.fromkeys([time, event, *([group] if group is not None else []),
                               *strata, *covariates]))
    absent = [c for c in used if c not in df.columns]
    if absent:
        raise SurvivalDataError(f"not in the data frame given to {caller} (columns: "
                                f"{', '.join(map(str, df.columns))})", column=", ".join(absent))
    d = df[used]
    na = d.isna()
    missing = {c: int(na[c].sum()) for c in used if na[c].any()}
    complete = ~na.any(axis=1)
    d = d[complete.to_numpy()]
    if d.empty:
        raise SurvivalDataError(f"no row without a missing value in the columns {used}",
                                column=", ".join(missing) or None)
    t = pd.to_numeric(d[time], errors="coerce")
    bad = t.isna() | ~np.isfinite(t.to_numpy(dtype=float, na_value=np.nan)) | (t < 0)
    if bad.any():
        raise SurvivalDataError("times must be finite numbers >= 0", column=time,
                                rows=_rows(bad), detail=f"values: {d[time][bad].head(5).tolist()}")
    if not (t > 0).any():
        raise SurvivalDataError(f"all {len(t)} times are 0: there is no follow-up to analyse",
                                column=time)
    e = d[event]
    e_num = pd.to_numeric(e.astype(int) if pd.api.types.is_bool_dtype(e) else e, errors="coerce")
    bad = ~e_num.isin([0, 1])
    if bad.any():
        raise SurvivalDataError("event must be 1 (event) or 0 (censored)", column=event,
                                rows=_rows(bad), detail=f"values: {e[bad].head(5).tolist()}")
    if group is not None:
        check_not_identifying(d, [group], "group")
    check_not_identifying(d, strata, "stratification")
    t = t.to_numpy(dtype=float)
    if merge_ties:
        merged = merge_close_times(t)
        if merged is not t:
            t = merged
            d = d.assign(**{time: t})
    return SurvivalData(frame=d, time=t, event=e_num.to_numpy(dtype=np.int64), n=len(d),
                        n_excluded=int(len(df) - len(d)), missing=missing)


def strata_labels(df: pd.DataFrame, strata: Any) -> np.ndarray | None:
    """One stratum label per row combining the ``strata`` columns (as R's ``strata(a, b)``),
    or None when there are none."""
    strata = column_list(strata)
    if not strata:
        return None
    # the label of a row is "\x1f".join(str(value)); built once per distinct combination
    # (factorized codes) rather than per row, which is slow at 1e6 rows
    codes, uniques = zip(*(pd.factorize(df[c], use_na_sentinel=False) for c in strata))
    combined = np.ravel_multi_index(codes, [max(len(u), 1) for u in uniques])
    present, inverse = np.unique(combined, return_inverse=True)
    parts = np.unravel_index(present, [max(len(u), 1) for u in uniques])
    labels = np.array(["\x1f".join(str(u[i]) for u, i in zip(uniques, combo))
                       for combo in zip(*parts)], dtype=object)
    return labels[inverse.reshape(-1)]


def one_sample(core: Callable, df: pd.DataFrame, time: str, event: str, *args,
               caller: str) -> Any:
    """``core(time_array, event_array, *args)`` on the complete rows of ``df`` (one sample:
    no group), its result with ``n_excluded`` set."""
    data = survival_data(df, time, event, caller=caller)
    return dataclasses.replace(core(data.time, data.event, *args), n_excluded=data.n_excluded)
