"""Log-rank test, unstratified or stratified, equal to R's ``survival::survdiff`` (rho = 0).

Times in any unit (months for the trial). k >= 2 groups: chi-square on k - 1 df from the
observed minus expected events and their hypergeometric variance, both summed over strata
when ``strata`` is given (``survdiff(Surv(time, event) ~ group + strata(s))``). For two
groups, a one-sided p in the pre-specified direction "experimental arm better":
z = (O - E) / sqrt(V) of the experimental group, p_one_sided = Phi(z), small when the
experimental arm has fewer events than expected.

Public API: ``logrank_test(df, "time", "event", "ARMCD", strata=["ER", "HER2"],
experimental="B")``; rows with a missing time, event, group or stratum are dropped (stated as
``n_excluded``, the same rows as the Cox model of those columns drops) and near-equal times
merged as R's ``timefix = TRUE``. An arm without events is no problem for the test (its
expected count is positive; the statistic and p are well defined, as R's survdiff).
``logrank_arrays`` and ``logrank_components`` are the low-level versions on arrays.

Own vectorised numpy code (one sort, bincounts and cumulative sums per stratum): lifelines
has no stratified log-rank and its ``logrank_test`` is slow at 1e6 rows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import chdtrc, ndtr  # scipy.stats imports slowly; same functions

from .frame import SurvivalFrame, TimeSort, column_list, survival_frame
from .km import as_time_event, group_codes
from .results import JsonResult

__all__ = ["LogRankResult", "logrank_arrays", "logrank_test", "logrank_components"]

INT16_MAX = np.iinfo(np.int16).max


@dataclass(frozen=True, eq=False)
class LogRankResult(JsonResult):
    """Log-rank test result (as R's survdiff).

    ``groups``: labels in sorted order; ``n``, ``observed``, ``expected``: per group, aligned
    with ``groups`` (summed over strata); ``variance``: k x k variance matrix of O - E;
    ``chisq`` on ``df`` = (groups with expected > 0) - 1 degrees of freedom, ``p_two_sided``
    its upper tail. Two groups with ``experimental`` given: ``z`` = (O - E)/sqrt(V) of the
    experimental group and ``p_one_sided`` = Phi(z); otherwise both NaN. ``strata``: stratum
    labels (empty list when unstratified). ``n_excluded``: rows dropped for a missing value;
    ``strata_columns``: the stratification columns (frame-level calls); ``note``: why the
    test is not estimable (no events; no two groups ever at risk together within a stratum),
    with chisq and p NaN, else "".
    """

    groups: list
    n: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    chisq: float
    df: int
    p_two_sided: float
    experimental: Any = None
    z: float = float("nan")
    p_one_sided: float = float("nan")
    strata: list = field(default_factory=list)
    n_excluded: int = 0
    strata_columns: list = field(default_factory=list)
    note: str = ""

    def summary(self) -> pd.DataFrame:
        """One row per group: group, n, observed, expected, o_minus_e, variance (diagonal)."""
        return pd.DataFrame(
            {
                "group": self.groups,
                "n": self.n,
                "observed": self.observed,
                "expected": self.expected,
                "o_minus_e": self.observed - self.expected,
                "variance": np.diag(self.variance),
            }
        )


def logrank_components(
    time: np.ndarray, event: np.ndarray, group_code: np.ndarray, k: int, stratum_code: np.ndarray,
    order: np.ndarray | None = None, time_sort: TimeSort | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed, expected (length k) and variance (k x k) of O - E, summed over strata.

    Inputs are validated arrays: group codes 0..k-1 and stratum codes 0..s-1 (int64).
    At each distinct event time within a stratum with d events among n at risk (n_j in
    group j): E_j += d n_j / n, V_jl += d (n - d)/(n - 1) * (n_j / n) (delta_jl - n_l / n).
    ``order``: ``np.argsort(time, kind="stable")`` when already known (``TimeSort.order``);
    ``time_sort``: ``frame.sort_times(time)`` when known: the (stratum, distinct time, group)
    counts are then one ``bincount`` of the cell index, without sorting the rows (when the
    cells are not many more than the rows; same result bit for bit).
    """
    top = int(stratum_code.max(initial=0))
    if time_sort is not None and time.size:
        m = time_sort.times.size
        if (top + 1) * m * k <= CELLS_PER_ROW * time.size + 1024:
            return _components_counted(event, group_code, k, stratum_code, top + 1, time_sort)
    # sort by stratum, then time: argsort of time, then a stable (radix for int16) sort
    # of the stratum codes; faster than np.lexsort at 1e6 rows. Below, np.add.reduce and
    # preallocated outputs instead of .sum()/np.vstack: the same arithmetic without the
    # Python wrappers, which dominate on the ~400 rows of a simulated trial.
    if order is None:
        order = np.argsort(time, kind="stable")
    if top > 0:
        codes = stratum_code[order]
        codes = codes.astype(np.int16) if top < INT16_MAX else codes
        order = order[np.argsort(codes, kind="stable")]
    t, s, e, g = time[order], stratum_code[order], event[order], group_code[order]
    new = np.empty(t.size, dtype=bool)
    new[0] = True
    np.logical_or(t[1:] != t[:-1], s[1:] != s[:-1], out=new[1:])
    key = new.cumsum() - 1
    n_keys = int(key[-1]) + 1
    cell = key * k + g
    leave = np.bincount(cell, minlength=n_keys * k).reshape(n_keys, k)
    died = np.bincount(cell, weights=e, minlength=n_keys * k).reshape(n_keys, k)
    return _components(leave, died, s[new])


#: the counting path of ``logrank_components`` while (strata x distinct times x groups) cells
#: are at most this many per row (plus 1024)
CELLS_PER_ROW = 4


def _components_counted(event, group_code, k, stratum_code, n_strata, ts: TimeSort):
    """``logrank_components`` from the distinct-time index of ``ts``: the counts of each
    (stratum, time, group) cell by ``bincount``, the cells of (stratum, time) keys holding
    rows kept in (stratum, time) order: the arrays of the sorting path, so the same bits."""
    m = ts.times.size
    cell = (np.multiply(ts.tid, k, dtype=np.intp) if n_strata == 1
            else (stratum_code * m + ts.tid) * k)  # (tid may be 16-bit)
    cell += group_code
    size = n_strata * m * k
    leave = np.bincount(cell, minlength=size).reshape(n_strata * m, k)
    died = np.bincount(cell, weights=event, minlength=size).reshape(n_strata * m, k)
    if n_strata > 1:  # (stratum, time) keys without rows: dropped
        present = np.add.reduce(leave, axis=1).nonzero()[0]
        leave, died = leave.take(present, axis=0), died.take(present, axis=0)
        key_stratum = present // m
    else:  # one stratum: every distinct time holds rows
        key_stratum = np.zeros(m, dtype=np.intp)
    return _components(leave, died, key_stratum)


def stratum_ends(key_stratum: np.ndarray) -> np.ndarray:
    """For each of the keys (sorted by stratum), the index after the last key of its stratum
    (= ``key_stratum.searchsorted(key_stratum, side="right")``, by one linear pass: the binary
    searches cost more than the rest of a simulated trial's log-rank test)."""
    n_keys = key_stratum.size
    new = np.empty(n_keys, dtype=bool)
    new[:1] = True
    np.not_equal(key_stratum[1:], key_stratum[:-1], out=new[1:])
    block = new.cumsum()
    block -= 1
    starts = new.nonzero()[0]
    return np.append(starts[1:], n_keys).take(block)


def _components(leave: np.ndarray, died: np.ndarray, key_stratum: np.ndarray):
    """Observed, expected and variance from the (stratum, time) keys in (stratum, time)
    order: ``leave``/``died`` (keys, k) rows and events per group, ``key_stratum`` their
    stratum (ascending)."""
    n_keys, k = leave.shape
    d = np.add.reduce(died, axis=1)
    with_event = (d > 0).nonzero()[0]
    d = d.take(with_event)
    # at risk at each (stratum, time) with an event: subjects of the stratum with time >= t,
    # the reverse cumulative sum of leavers minus that of the following strata
    rev = np.zeros((n_keys + 1, k), dtype=leave.dtype)
    leave[::-1].cumsum(axis=0, out=rev[-2::-1])
    next_stratum = stratum_ends(key_stratum).take(with_event)
    at_risk = (rev.take(with_event, axis=0) - rev.take(next_stratum, axis=0)).astype(float)
    n = np.add.reduce(at_risk, axis=1)
    share = at_risk / n[:, None]
    expected = np.add.reduce(share * d[:, None], axis=0)
    w = d * (n - d) / np.maximum(n - 1, 1)  # n = 1: d = 1 and the weight 0
    w_share = w[:, None] * share
    variance = np.diag(np.add.reduce(w_share, axis=0)) - w_share.T @ share
    return np.add.reduce(died, axis=0), expected, variance


def logrank_test(df: pd.DataFrame | SurvivalFrame, time: str, event: str, group: str, strata: Any = None,
                 experimental: Any = None) -> LogRankResult:
    """Log-rank test of column ``group`` (k >= 2 levels), optionally stratified, as R's
    ``survdiff(Surv(time, event) ~ group + strata(s1, s2), data = df)``.

    ``time`` (any unit), ``event`` (1 = event, 0 = censored), ``group``: column names;
    ``strata``: column names (a string is one column), combined into one stratum per row.
    ``experimental``: level of ``group`` of the experimental arm, for the one-sided p (two
    groups only). Missing values dropped, near-equal times merged (module doc). ``df`` may
    be a ``SurvivalFrame`` holding these columns (its sort and codes are reused).
    """
    strata = column_list(strata)
    sf = survival_frame(df, time, event, group=group, strata=strata, caller="logrank_test")
    g, labels = sf.group_codes(group)
    s, stratum_names = sf.strata_codes(strata) or (None, [])
    result = _logrank(sf.data.time, sf.data.event, g, labels, s, stratum_names, experimental,
                      time_sort=sf.sort)
    return dataclasses.replace(result, n_excluded=sf.data.n_excluded, strata_columns=strata)


def logrank_arrays(
    time: Any, event: Any, group: Any, strata: Any = None, experimental: Any = None
) -> LogRankResult:
    """Low-level log-rank test on arrays (no missing values; distinct floats are distinct
    times), as R's survdiff with ``timefix=FALSE``.

    ``time`` in any unit, ``event`` 1 = event, 0 = censored. ``strata``: one stratum label
    per row, or None. ``experimental``: label of the experimental arm, for the one-sided p.
    """
    t, e = as_time_event(time, event)
    g, labels = group_codes(group)
    if g.size != t.size:
        raise ValueError("group differs in length from time")
    if strata is None:
        s, stratum_names = None, []
    else:
        s, stratum_names = group_codes(strata)
        if s.size != t.size:
            raise ValueError("strata differs in length from time")
    return _logrank(t, e, g, labels, s, stratum_names, experimental)


def _logrank(t: np.ndarray, e: np.ndarray, g: np.ndarray, labels: list, s: np.ndarray | None,
             stratum_names: list, experimental: Any,
             time_sort: TimeSort | None = None) -> LogRankResult:
    """``logrank_arrays`` from group codes ``g`` (labels ``labels``) and stratum codes ``s``
    (None: one stratum); ``time_sort`` the ``sort_times(t)`` if known."""
    k = len(labels)
    if k < 2:
        raise ValueError("the log-rank test needs at least two groups")
    if s is None:
        s = np.zeros(t.size, dtype=np.int64)
    observed, expected, variance = logrank_components(t, e, g, k, s, time_sort=time_sort)

    # survdiff: groups with expected > 0 enter; the first of them is dropped before solving
    used = expected > 0
    df = max(int(used.sum()) - 1, 0)
    note = ""
    if observed.sum() == 0:
        note = "not estimable (no events)"
    elif df < 1 or np.linalg.matrix_rank(variance[np.ix_(used, used)][1:, 1:]) < df:
        note = "not estimable (no time at which groups of a stratum are at risk together)"
    if df < 1:
        chisq = 0.0
    elif note:
        chisq = float("nan")
    else:
        o_e = (observed - expected)[used][1:]
        v = variance[np.ix_(used, used)][1:, 1:]
        chisq = float(o_e @ np.linalg.solve(v, o_e))
    p_two = float(chdtrc(df, chisq)) if df >= 1 and not note else float("nan")

    z = p_one = float("nan")
    if experimental is not None:
        if k != 2:
            raise ValueError("a one-sided p (experimental=...) needs exactly two groups")
        if experimental not in labels:
            raise ValueError(f"experimental={experimental!r} is not a group label {labels}")
        j = labels.index(experimental)
        if not note:
            z = float((observed[j] - expected[j]) / np.sqrt(variance[j, j]))
            p_one = float(ndtr(z))
    return LogRankResult(
        groups=labels,
        n=np.bincount(g, minlength=k),
        observed=observed,
        expected=expected,
        variance=variance,
        chisq=chisq,
        df=df,
        p_two_sided=p_two,
        experimental=experimental,
        z=z,
        p_one_sided=p_one,
        strata=stratum_names,
        note=note,
    )
