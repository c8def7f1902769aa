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

The survival frame: one sort per analysis. ``survival_frame(df, time, event, group=...,
strata=..., covariates=...)`` validates once and sorts the (merged) times once
(``TimeSort``: stable order, distinct times, each row's distinct-time index); group and
stratum codes come from factorisation or counting, not sorting. ``km_by_group``,
``logrank_test`` and ``cox_hazard_ratio`` take such a ``SurvivalFrame`` in place of the data
frame (same column names) and reuse it; given a data frame they build one per call. The
array-level cores take a ``TimeSort`` (``sort_times``) too. Every fast path gives the same
bits as the general one (tests/test_survival_fastpaths.py).

Errors are ``SurvivalDataError`` (a ``DataValidationError`` and a ``ValueError``) naming the
column and example rows (index labels of ``df``).

Over 400 lines because the validation, the one sort and the frame that carries both belong
together: splitting them would make every caller import three modules to get one frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helpers.core.errors import DataValidationError

from .ties import TIME_TOLERANCE, merge_close_times

__all__ = ["SurvivalData", "SurvivalDataError", "SurvivalFrame", "TimeSort",
           "check_not_identifying", "column_list", "merge_sorted_times", "one_sample",
           "sort_times", "strata_codes", "strata_labels", "survival_data", "survival_frame"]

#: times are sorted by counting (hash factorisation, then a stable 16-bit radix sort of the
#: distinct-time ranks) from this many rows on, when they hold at most RADIX_MAX values
COUNTING_SORT_FROM = 20_000
RADIX_MAX = 65_535


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
    sort: TimeSort | None = None  # the merged times sorted (survival_data(..., sort=True))

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
        k = _distinct_small_ints(d[c]) if n >= 3 else None
        k = d[c].nunique() if k is None else k
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
                  caller: str = "survival function", sort: bool = False) -> SurvivalData:
    """Validated complete rows of ``df[[time, event, group, *strata, *covariates]]``.

    ``strata`` and ``covariates``: column names (a string is one column). ``merge_ties``:
    merge near-equal times as R's aeqSurv (see module doc). ``sort``: also sort the times
    once (``SurvivalData.sort``) and merge them using that sort (same result).
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
    if df.columns.is_unique:  # the used columns without copying them (read only here)
        d = pd.DataFrame({c: df[c] for c in used}, copy=False)
    else:
        d = df[used]
    na = d.isna()
    missing = {c: int(na[c].sum()) for c in used if na[c].any()}
    if missing:  # (no copy of the rows when all are complete)
        d = d[~na.any(axis=1).to_numpy()]
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
    values = e_num.to_numpy()
    if values.dtype.kind in "iu" and 0 <= values.min() and values.max() <= 1:
        bad = None  # integer 0/1 (min and max: no mask of n rows, no hash table)
    else:
        bad = ~e_num.isin([0, 1])
    del values
    if bad is not None and bad.any():
        raise SurvivalDataError("event must be 1 (event) or 0 (censored)", column=event,
                                rows=_rows(bad), detail=f"values: {e[bad].head(5).tolist()}")
    if group is not None:
        check_not_identifying(d, [group], "group")
    check_not_identifying(d, strata, "stratification")
    t = t.to_numpy(dtype=float)
    del na, bad, e  # (memory: the checks' masks are not alive during the sort)
    ts = None
    if sort:
        ts = sort_times(t)
        if merge_ties:
            merged, ts = merge_sorted_times(t, ts)
            if merged is not t:
                t = merged
                d = d.assign(**{time: t})
    elif merge_ties:
        merged = merge_close_times(t)
        if merged is not t:
            t = merged
            d = d.assign(**{time: t})
    return SurvivalData(frame=d, time=t, event=e_num.to_numpy(dtype=np.int64), n=len(d),
                        n_excluded=int(len(df) - len(d)), missing=missing, sort=ts)


@dataclass(frozen=True, eq=False)
class TimeSort:
    """Times sorted once. ``order``: the stable ascending argsort (tied times in row order,
    = ``np.argsort(time, kind="stable")``); ``times``: the distinct times, ascending
    (= ``np.unique(time)``); ``tid``: each row's index into ``times`` (input row order),
    unsigned 16-bit when sorted by counting (a quarter of the memory), else intp: cast it
    before arithmetic that may leave 16 bits (``tid * k``)."""

    order: np.ndarray
    times: np.ndarray
    tid: np.ndarray


def sort_times(time: np.ndarray) -> TimeSort:
    """Sort finite float ``time`` once (see ``TimeSort``). From ``COUNTING_SORT_FROM`` rows
    with at most ``RADIX_MAX`` distinct times (e.g. times rounded to days or 0.1 months) by
    counting: hash factorisation (linear), ranks of the few distinct values, and numpy's
    stable radix sort of 16-bit ranks; otherwise one stable argsort. Same result."""
    t = np.asarray(time, dtype=float)
    if t.size >= COUNTING_SORT_FROM:
        ts = _sort_times_counting(t)
        if ts is not None:
            return ts
    return _sort_times_comparison(t)


def _sort_times_comparison(t: np.ndarray) -> TimeSort:
    n = t.size
    order = t.argsort(kind="stable")
    ts = t[order]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    times = ts[new]
    tid = np.empty(n, dtype=np.intp)
    tid[order] = new.cumsum() - 1
    return TimeSort(order=order, times=times, tid=tid)


def _sort_times_counting(t: np.ndarray) -> TimeSort | None:
    """``sort_times`` by counting, or None when there are more than RADIX_MAX distinct times."""
    codes, uniques = pd.factorize(t)  # hash table: 0.0 and -0.0 are one value, as ==
    if len(uniques) > RADIX_MAX:
        return None
    by_value = uniques.argsort()
    rank = np.empty(len(uniques), dtype=np.uint16)
    rank[by_value] = np.arange(len(uniques), dtype=np.uint16)
    tid16 = rank.take(codes)
    del codes  # (memory: few arrays of n rows alive at once)
    order = tid16.argsort(kind="stable")  # radix sort: linear in n
    return TimeSort(order=order, times=uniques.take(by_value), tid=tid16)


def merge_sorted_times(time: np.ndarray, ts: TimeSort,
                       tolerance: float = TIME_TOLERANCE) -> tuple[np.ndarray, TimeSort]:
    """``merge_close_times(time)`` (R's aeqSurv) from the sorted distinct times of ``ts``, and
    the sort of the merged times. Returns ``(time, ts)`` themselves when nothing is tied;
    merged values are bit for bit those of ``merge_close_times``."""
    y = ts.times
    if tolerance <= 0 or time.size < 2 or y.size < 2:
        return time, ts
    dy = np.diff(y)
    tied = (dy <= tolerance) | (dy / np.mean(np.abs(y)) <= tolerance)
    if not tied.any():
        return time, ts
    first = np.r_[True, ~tied]  # the first (smallest) time of each chain of near-equal ones
    chain = first.cumsum() - 1
    merged = y[first][chain[ts.tid]]
    # tied rows of a merged time must be in row order (as a sort of the merged times): sort
    # again (only when near-equal times occur)
    return merged, sort_times(merged)


def _distinct_small_ints(column: pd.Series) -> int | None:
    """``column.nunique()`` of non-negative integers of a small range by counting (no hash
    table, no copy of the rows); None for other columns."""
    values = column.to_numpy() if isinstance(column.dtype, np.dtype) else None
    if values is None or values.dtype != np.intp or values.ndim != 1 or not values.size:
        return None
    if values.min() < 0 or values.max() > 4 * values.size + 1024:
        return None
    return int(np.count_nonzero(np.bincount(values)))


def _int_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes, uniques) of an integer array of a small range by counting: codes 0..k-1 in
    ascending value order; None when not such an array."""
    if values.dtype.kind not in "iu" or values.ndim != 1 or not values.size:
        return None
    low, high = int(values.min()), int(values.max())
    if high - low > 4 * values.size + 1024:
        return None
    shifted = (values if low == 0 and values.dtype == np.intp  # (no copy of the rows)
               else (values - low).astype(np.intp))
    present = np.bincount(shifted, minlength=high - low + 1) > 0
    uniques = (present.nonzero()[0] + low).astype(values.dtype)
    return (present.cumsum() - 1).take(shifted), uniques


def strata_codes(df: pd.DataFrame, strata: Any) -> tuple[np.ndarray, list[str]] | None:
    """Codes 0..S-1 of the stratum of each row and the stratum labels in code order, the
    codes ordered as the sorted labels of ``strata_labels`` (``np.unique(strata_labels(df,
    strata), return_inverse=True)``, bit for bit), by factorisation and counting instead of
    sorting the rows; None when there are no strata."""
    strata = column_list(strata)
    if not strata:
        return None
    codes, uniques = [], []
    for c in strata:
        values = df[c].to_numpy()
        fast = _int_codes(values) if isinstance(values, np.ndarray) else None
        if fast is None:  # as strata_labels: first-appearance codes, labels from uniques
            fast = pd.factorize(df[c], use_na_sentinel=False)
        codes.append(fast[0])
        uniques.append(fast[1])
    dims = [max(len(u), 1) for u in uniques]
    combined = codes[0] if len(codes) == 1 else np.ravel_multi_index(codes, dims)
    size = int(np.prod(dims, dtype=object))
    if size <= 4 * len(combined) + 1024:  # present combinations by counting
        present = (np.bincount(combined, minlength=size) > 0).nonzero()[0]
        position = np.zeros(size, dtype=np.intp)
        position[present] = np.arange(present.size)
        inverse = position.take(combined)
    else:
        present, inverse = np.unique(combined, return_inverse=True)
        inverse = inverse.reshape(-1)
    parts = np.unravel_index(present, dims) if len(codes) > 1 else (present,)
    labels = np.array(["\x1f".join(str(u[i]) for u, i in zip(uniques, combo))
                       for combo in zip(*parts)], dtype=object)
    by_label, code_of = np.unique(labels, return_inverse=True)  # few labels: sort them
    return code_of.reshape(-1).take(inverse), by_label.tolist()


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


class SurvivalFrame:
    """A validated survival data set, sorted once, shared by the analyses of its columns.

    ``survival_frame(df, "time", "event", group="arm", strata=["ER"])`` drops the rows with
    a missing value in those columns, checks them, merges near-equal times (aeqSurv) and
    sorts the times once. ``km_by_group``, ``logrank_test`` and ``cox_hazard_ratio`` take it
    in place of ``df`` with the same column names and reuse the sort and the codes; a call
    on other columns, or on a subset whose complete rows differ (a missing value in a column
    the call does not use), is analysed from the original data frame instead.

    ``data``: the ``SurvivalData`` (its ``sort`` the ``TimeSort``); ``source``: ``df``.
    """

    def __init__(self, df: pd.DataFrame, time: str, event: str, group: str | None = None,
                 strata: Any = None, covariates: Any = None, caller: str = "survival_frame"):
        self.source, self.time_column, self.event_column = df, time, event
        self.strata_columns = column_list(strata, "strata")
        self.covariate_columns = column_list(covariates, "covariates")
        self.group_column = group
        self.data = survival_data(df, time, event, group=group, strata=self.strata_columns,
                                  covariates=self.covariate_columns, caller=caller, sort=True)
        self.columns = {time, event, *self.strata_columns, *self.covariate_columns,
                        *([group] if group is not None else [])}
        self._checked = {("group", group), ("stratification", tuple(self.strata_columns))}
        self._codes: dict = {}

    @property
    def sort(self) -> TimeSort:
        return self.data.sort

    def for_call(self, time: str, event: str, group: str | None = None, strata: Any = None,
                 covariates: Any = None, caller: str = "survival function") -> SurvivalFrame:
        """This frame when it holds the rows and columns of the call, else a new one from
        ``source`` (same checks, errors naming the caller)."""
        strata = column_list(strata, "strata")
        covariates = column_list(covariates, "covariates")
        used = {time, event, *strata, *covariates, *([group] if group is not None else [])}
        if (time, event) != (self.time_column, self.event_column) or not used <= self.columns \
                or any(c not in used for c in self.data.missing):
            return SurvivalFrame(self.source, time, event, group=group, strata=strata,
                                 covariates=covariates, caller=caller)
        d = self.data.frame
        for what, cols in (("group", [group] if group is not None else []),
                           ("stratification", strata)):
            key = (what, group if what == "group" else tuple(strata))
            if cols and key not in self._checked:
                check_not_identifying(d, cols, what)
                self._checked.add(key)
        return self

    def group_codes(self, column: str) -> tuple[np.ndarray, list]:
        """Codes 0..k-1 of ``column`` by sorted value and the values as Python scalars
        (as ``km.group_codes``: pandas factorisation, or counting for small integers)."""
        key = ("group", column)
        if key not in self._codes:
            values = self.data.frame[column]
            fast = (_int_codes(values.to_numpy())
                    if isinstance(values.dtype, np.dtype) else None)
            if fast is None:
                codes, uniques = pd.factorize(values, sort=True)
                labels = [u.item() if isinstance(u, np.generic) else u
                          for u in np.asarray(uniques)]
                fast = (codes.astype(np.int64), labels)
            else:
                fast = (fast[0].astype(np.int64, copy=False), fast[1].tolist())
            self._codes[key] = fast
        return self._codes[key]

    def strata_codes(self, strata: Any) -> tuple[np.ndarray, list[str]] | None:
        """``strata_codes`` of the rows (cached per column list)."""
        key = ("strata", tuple(column_list(strata)))
        if key not in self._codes:
            self._codes[key] = strata_codes(self.data.frame, strata)
        return self._codes[key]


def survival_frame(df: pd.DataFrame | SurvivalFrame, time: str, event: str,
                   group: str | None = None, strata: Any = None, covariates: Any = None,
                   caller: str = "survival_frame") -> SurvivalFrame:
    """A ``SurvivalFrame`` of ``df`` for these columns (``df`` itself when it is one that
    holds them; see ``SurvivalFrame``)."""
    if isinstance(df, SurvivalFrame):
        return df.for_call(time, event, group=group, strata=strata, covariates=covariates,
                           caller=caller)
    return SurvivalFrame(df, time, event, group=group, strata=strata, covariates=covariates,
                         caller=caller)
