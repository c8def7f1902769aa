"""Cox proportional-hazards regression equal to R's ``survival::coxph``.

Partial likelihood with Efron (default, as R) or Breslow handling of tied event times,
optional stratification (separate baseline hazard per stratum, as R's ``strata()``).
Newton-Raphson from beta = 0 with step-halving, converged when the relative change of the
log partial likelihood is <= 1e-9 (R's ``coxph.control(eps=1e-9, iter.max=20)``), so
coefficients, variance and model tests reproduce R's to floating-point accuracy.

Own vectorised numpy code instead of lifelines' CoxPHFitter: lifelines takes ~40 s for one
stratified fit on 1e6 rows; this takes ~0.1 s. The data are sorted once per fit by (stratum,
time descending); each Newton step is one ``exp``, one cumulative sum per stratum of
[exp(eta), exp(eta) x, exp(eta) x x^T] and one ``np.add.reduceat`` over the tied deaths.
From ``coxchunks.LEAN_FROM`` rows with one covariate the same sums run in chunks of rows and
of events (``coxchunks``: no array of n rows per Newton step; the same bits but for the
rounding of one sum in the information, see there).

Conventions: HR = exp(coef) per unit of the covariate; Wald CI ``exp(coef -/+ z se)`` at
``conf_level`` (two-sided); per-coefficient p two-sided Wald; model tests (Wald = R's
``waldtest``, score = R's ``sctest``, likelihood ratio = R's ``logtest``) on ``df`` = number
of coefficients.

``cox_hazard_ratio(df, time, event, arm, experimental, strata=[...], covariates=[...])`` is the
frame-level call: rows with a missing value in a used column dropped (``n_excluded``), near-
equal times merged as R's ``timefix = TRUE``; constant or collinear design columns dropped with
a note (R reports their coefficient as NA); a treatment effect that cannot be estimated (an
arm without events, a diverging coefficient, no events, a singular model) gives a
``HazardRatio`` with ``estimable = False``, NaN (JSON null) HR, CI and Wald/LR p, and the
reason in ``note``. The score test p stays (it is well defined: the stratified log-rank p
without covariates). ``cox_fit(time, event, X, strata)`` is the low-level fit on arrays.

Over 400 lines because the fit, its frame-level call and the model tests share one sorted
design and risk-set sums; split, each part would re-derive them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import chdtrc, ndtr, ndtri

from helpers.survival.frame import (RADIX_MAX, SurvivalDataError, SurvivalFrame, TimeSort,
                                    column_list, strata_labels, survival_frame)
import helpers.survival.coxchunks as coxchunks
from helpers.survival.results import JsonResult


__all__ = ["CoxFit", "ModelTest", "HazardRatio", "cox_coef_se", "cox_fit", "cox_hazard_ratio",
           "cox_table",
           "design_matrix", "strata_labels", "arm_indicator"]

EPS = 1e-9  # R coxph.control(eps)
MAX_ITER = 20  # R coxph.control(iter.max)


@dataclass(frozen=True)
class ModelTest(JsonResult):
    """A chi-square test: ``statistic`` on ``df`` degrees of freedom, upper-tail ``p``."""

    statistic: float
    df: int
    p: float


class _Design:
    """Sorted data and tie structure, computed once per fit (not per Newton step).

    The whole-array design (``_design`` below ``coxchunks.LEAN_FROM`` rows or with several
    covariates) holds:

    x: (n, p) covariates, centred, sorted by (stratum, time descending, event);
    xt: (p, runs * run) the same, C order, laid out in runs (see ``pos``);
    pos: position of each sorted row in the runs: stratum k's rows at k * run + 0, 1, ...
    (padded with zeros to the longest); None: the rows as they are;
    run: length of a run (a stratum, padded; or all rows when ``pos`` is None);
    group_end_at: ``group_end`` as positions in the runs;
    blocks: [(start, stop)] rows of each stratum in the sorted order;
    ev_rows: sorted-row index of each event; n_events: their number;
    ev_group_start: index into ev_rows where each tied-death group starts;
    group_end: sorted-row index of the last row of each death group (risk set);
    group_size: deaths of each death group; None when every group has one;
    frac: per event, Efron's k/d (k = 0..d-1 in its group); None when nothing is removed
    from the risk sets (Breslow, or no tied deaths);
    dead_bounds: with frac, (first row, row after the last) of each death group's deaths,
    interleaved (they are consecutive rows: events first within a time);
    x_dead_sum: (p,) sum of x over events;
    order: sorting permutation of the input rows; time, event (int8 0/1), stratum (codes
    0..S-1): sorted.

    A chunked design (``lean`` True, ``coxchunks``) holds x (one column), its smallest and
    largest value, the death groups (``first`` row, ``size``, ``end`` row, ``ev_start``), the
    strata ``blocks``, the chunk ``plan`` and x_dead_sum; the other attributes above are built
    from the inputs when first asked for (the PH test, the tests), as the whole-array design
    has them (``pos`` None).
    """

    lean = False

    def __init__(self, **fields):
        self.__dict__.update(fields)


class _LeanDesign(_Design):
    """A chunked design (see ``_Design``; a subclass: a ``__getattr__`` slows every attribute
    access of its class, and the whole-array design serves the simulation's small fits)."""

    lean = True

    def __getattr__(self, name):
        build = _LAZY.get(name)
        if build is None:
            raise AttributeError(name)
        value = build(self)
        self.__dict__[name] = value
        return value


def _lazy_frac(des: _Design):
    if not des.frac_needed:
        return None
    start = np.repeat(des.ev_start, des.size)
    return (np.arange(des.n_events) - start) / np.repeat(des.size, des.size)


def _lazy_dead_bounds(des: _Design):
    if not des.frac_needed:
        return None
    bounds = np.empty(2 * des.first.size, dtype=np.intp)
    bounds[0::2] = des.first
    bounds[1::2] = des.first + des.size
    return bounds[:-1] if bounds[-1] == des.x.shape[0] else bounds


_LAZY = {
    "order": lambda d: _risk_order(d.time_src, d.event_src, d.scode, d.time_sort),
    "time": lambda d: d.time_src.take(d.order),
    "event": lambda d: d.event_src.take(d.order).astype(np.int8),
    "stratum": lambda d: d.scode.take(d.order),
    "ev_rows": lambda d: np.repeat(d.first - d.ev_start, d.size) + np.arange(d.n_events),
    "ev_group_start": lambda d: d.ev_start,
    "group_end": lambda d: d.end,
    "group_end_at": lambda d: d.end,
    "group_size": lambda d: d.size if (d.size > 1).any() else None,
    "frac": _lazy_frac,
    "dead_bounds": _lazy_dead_bounds,
    "xt": lambda d: d.x.T,
    "pos": lambda d: None,
    "run": lambda d: d.x.shape[0],
}


@dataclass
class CoxFit(JsonResult):
    """A fitted Cox model. Arrays are per covariate in the order of ``names``.

    ``loglik`` = (log partial likelihood at beta = 0, at the MLE); ``se`` from the inverse of
    the observed information at the MLE; ``lower``/``upper`` the Wald CI of ``hr`` at
    ``conf_level``; ``z``/``p`` the per-coefficient Wald z and two-sided p; ``warnings`` R's
    coxph warnings (non-convergence, "coefficient may be infinite").
    """

    names: list[str]
    coef: np.ndarray
    se: np.ndarray
    hr: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    z: np.ndarray
    p: np.ndarray
    loglik: tuple[float, float]
    wald_test: ModelTest
    score_test: ModelTest
    lr_test: ModelTest
    n: int
    events: int
    iterations: int
    converged: bool
    ties: str
    conf_level: float
    warnings: list[str]
    var: np.ndarray = field(repr=False)
    terms: dict = field(repr=False, default_factory=dict)  # term -> column indices (PH test)
    _design: _Design | None = field(repr=False, default=None, compare=False)
    infinite: list = field(default_factory=list)  # indices of coefficients that may be infinite

    _json_exclude = ("var", "terms", "_design")


def _stratum_codes(strata, n: int) -> np.ndarray:
    """Codes 0..S-1 in sorted order of the labels: ``np.unique``'s inverse, for integer labels
    of a small range by counting (3x faster on the 400 rows of a simulated trial)."""
    if strata is None:
        return np.zeros(n, dtype=np.int64)
    s = np.asarray(strata)
    if s.dtype.kind in "iu" and s.ndim == 1 and n:
        low, high = int(s.min()), int(s.max())  # Python ints: no overflow in the span
        if high - low <= 4 * n:
            shifted = (s - low).astype(np.intp)
            present = np.bincount(shifted, minlength=high - low + 1) > 0
            return (present.cumsum() - 1)[shifted]
    return np.unique(s, return_inverse=True)[1].reshape(-1)


def _risk_key(time: np.ndarray, event: np.ndarray, scode: np.ndarray,
              time_sort: TimeSort | None) -> tuple[np.ndarray, int, int] | None:
    """The 16-bit sort key of ``_risk_order`` (stratum s, distinct time j descending, events
    first: ``s * 2m + 2 (m - 1 - j) + 1 - event``), m distinct times and S strata; None when
    there is no ``time_sort`` or the cells do not fit in 16 bits. Computed in 16 bits (every
    partial value is one of the key's: exact)."""
    if time_sort is None or not time.size:
        return None
    m = time_sort.times.size
    n_strata = int(scode.max()) + 1
    if 2 * m * n_strata > RADIX_MAX + 1:
        return None
    key = np.empty(time.size, dtype=np.uint16)
    if n_strata > 1:
        np.multiply(scode, 2 * m, out=key, casting="unsafe")
        key += 2 * (m - 1) + 1
    else:
        key.fill(2 * (m - 1) + 1)
    tid = time_sort.tid
    np.subtract(key, tid, out=key, casting="unsafe")
    np.subtract(key, tid, out=key, casting="unsafe")
    np.subtract(key, event, out=key, casting="unsafe")
    return key, m, n_strata


def _risk_order(time: np.ndarray, event: np.ndarray, scode: np.ndarray,
                time_sort: TimeSort | None) -> np.ndarray:
    """``np.lexsort((-event, -time, scode))``: rows by stratum, time descending, events
    first, ties in row order. From a ``TimeSort`` of ``time`` whose (stratum, distinct time,
    event) cells fit in 16 bits: one stable radix sort of the cell index (same order)."""
    key = _risk_key(time, event, scode, time_sort)
    if key is not None:
        return key[0].argsort(kind="stable")
    return np.lexsort((-event, -time, scode))


def _check_events(event) -> np.ndarray:
    event = np.asarray(event)
    if event.dtype.kind in "iub" and event.size:  # (no temporaries of n rows)
        ok = int(np.minimum.reduce(event)) >= 0 and int(np.maximum.reduce(event)) <= 1
    else:
        ok = ((event == 0) | (event == 1)).all()
    if not ok:
        raise ValueError("event must be coded 0 (censored) / 1 (event)")
    return event


def _design(time, event, x, strata, ties, scode=None, time_sort=None) -> _Design:
    time = np.asarray(time, dtype=float)
    event = _check_events(event)
    n = len(time)
    if scode is None:
        scode = _stratum_codes(strata, n)
    if x.shape[1] == 1 and n >= coxchunks.LEAN_FROM:
        return _lean_design(time, event, x, scode, ties, time_sort)
    event = event.astype(np.int8)
    order = _risk_order(time, event, scode, time_sort)
    ts, es, ss = time[order], event[order], scode[order]
    xs = x[order]
    # centring, as R: improves conditioning, result unchanged (add.reduce / n = mean(axis=0),
    # bit for bit, without its Python wrapper: small fits are dominated by call overhead)
    xs = xs - np.add.reduce(xs, axis=0) / n

    new_stratum, starts, blocks, new_group = _strata_and_groups(ts, ss)
    group_last = new_group.nonzero()[0] - 1  # last row of the previous group
    group_last = np.concatenate((group_last[1:], [n - 1]))

    ev_rows = es.nonzero()[0]
    m = len(ev_rows)
    if m == 0:
        raise ValueError("no events: the Cox model cannot be fitted")
    gid = new_group.cumsum()
    del new_group  # (memory: few arrays of n rows alive at once)
    ev_gid = gid.take(ev_rows)
    ev_gid -= 1
    del gid
    ev_group_start = np.concatenate(([True], ev_gid[1:] != ev_gid[:-1])).nonzero()[0]
    group_size = frac = dead_bounds = None  # no tied deaths: every event its own group
    if len(ev_group_start) < m:
        group_size = np.diff(np.append(ev_group_start, m))
        if ties == "efron":
            frac = np.arange(m) - np.repeat(ev_group_start, group_size)  # k: 0..d-1
            frac = frac / np.repeat(group_size, group_size)
            first = ev_rows.take(ev_group_start)
            dead_bounds = np.empty(2 * first.size, dtype=np.intp)
            dead_bounds[0::2] = first
            np.add(first, group_size, out=dead_bounds[1::2])
    group_end = group_last[ev_gid[ev_group_start]]
    # the rows in runs of equal length, one per stratum, so that the cumulative sums of all
    # strata are one call (a simulated trial: 1 instead of 3 x 8); when the padding is small
    pos, run, xt, group_end_at = None, n, xs.T, group_end
    if len(blocks) > 1:
        run = max(b - a for a, b in blocks)
        if len(blocks) * run <= 2 * n + 1024:
            # row i of block b (rows start_b..) at b * run + i - start_b
            shift = np.arange(len(blocks)) * run - np.concatenate(([0], starts))
            pos = np.arange(n)
            pos[1:] += shift.take(new_stratum.cumsum())  # block of rows 1..n-1 (row 0: 0)
            xt = np.zeros((xs.shape[1], len(blocks) * run))
            xt[:, pos] = xs.T
            group_end_at = pos.take(group_end)
            if dead_bounds is not None:
                dead_bounds[0::2] = pos.take(dead_bounds[0::2])
                dead_bounds[1::2] = dead_bounds[0::2] + group_size
        else:
            run = n
    if dead_bounds is not None and dead_bounds[-1] == xt.shape[1]:  # reduceat: no index N
        dead_bounds = dead_bounds[:-1]
    return _Design(
        x=xs, xt=np.ascontiguousarray(xt), pos=pos, run=run, group_end_at=group_end_at,
        blocks=blocks, ev_rows=ev_rows, n_events=m, ev_group_start=ev_group_start,
        group_end=group_end, group_size=group_size, frac=frac, dead_bounds=dead_bounds,
        x_dead_sum=np.add.reduce(xs[ev_rows], axis=0), order=order, time=ts, event=es,
        stratum=ss,
    )


def _lean_design(time, event, x, scode, ties, time_sort) -> _Design:
    """The chunked design of a large one-covariate fit (``coxchunks``): no array of n rows
    but the sorted covariate; the death groups from the counts of the sort key's cells."""
    n = time.size
    key = _risk_key(time, event, scode, time_sort)
    if key is not None:
        key, m, n_strata = key
        order = key.argsort(kind="stable")
        cells = np.bincount(key, minlength=2 * m * n_strata)
        del key
        first, size, end, blocks = coxchunks.group_structure(cells, n_strata, m)
    else:  # the groups from the sorted rows, as the whole-array design
        order = np.lexsort((-event, -time, scode))
        first, size, end, blocks = _groups_of_sorted(time.take(order), event.take(order),
                                                     scode.take(order))
    if not first.size:
        raise ValueError("no events: the Cox model cannot be fitted")
    xs = x[:, 0].take(order)
    del order
    xs -= np.add.reduce(xs) / n  # centred as the whole-array design (its mean, bit for bit)
    ev_start = np.cumsum(size) - size
    des = _LeanDesign(
        x=xs[:, None], x_min=np.minimum.reduce(xs), x_max=np.maximum.reduce(xs),
        first=first, size=size, end=end, ev_start=ev_start, blocks=blocks,
        n_events=int(size.sum()), frac_needed=ties == "efron" and bool((size > 1).any()),
        plan=coxchunks.chunk_plan(blocks, first, size, end),
        time_src=time, event_src=event, scode=scode, time_sort=time_sort)
    des.leaf_size = coxchunks.EVENT_LEAF
    des.leaves = coxchunks.event_leaves(des)
    leaves = iter(des.leaves)
    des.x_dead_sum = np.array(coxchunks.pairwise_sums(
        des.n_events, lambda lo, hi: (np.add.reduce(next(leaves)[5]),), des.leaf_size))
    return des


def _strata_and_groups(ts: np.ndarray, ss: np.ndarray):
    """Of rows sorted by stratum then time: where a new stratum starts (flags of rows 1..n-1,
    the start rows), the strata's row blocks [start, stop), and the flags of the rows that
    start a new tied-time group."""
    n = ts.size
    new_stratum = ss[1:] != ss[:-1]
    starts = new_stratum.nonzero()[0] + 1
    blocks = list(zip([0, *starts.tolist()], [*starts.tolist(), n]))
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.logical_or(ts[1:] != ts[:-1], new_stratum, out=new_group[1:])
    return new_stratum, starts, blocks, new_group


def _groups_of_sorted(ts: np.ndarray, es: np.ndarray, ss: np.ndarray):
    """``coxchunks.group_structure`` from the sorted times, events and strata."""
    n = ts.size
    _new_stratum, _starts, blocks, new_group = _strata_and_groups(ts, ss)
    group_first = new_group.nonzero()[0]
    group_stop = np.append(group_first[1:], n)
    deaths = np.add.reduceat(es.astype(np.intp), group_first)
    dead = deaths > 0
    return (group_first[dead], deaths[dead], group_stop[dead] - 1, blocks)


#: up to this many (padded) rows the cumulative sums of all terms and strata are one call
#: (along axis 1 of the runs: strided, slower per element, for small fits only)
ONE_CALL_CUMSUM = 20_000


def _event_terms(des: _Design, beta: np.ndarray):
    """Per-event terms of the partial likelihood at ``beta`` (eta shifted by its maximum).

    Returns eta (sorted rows), den (risk-set sum of exp(eta), Efron-reduced), mean (weighted
    covariate mean, (events, p)) and second ((events, p*p): weighted mean of x x^T).

    The sums run over one contiguous row per term ([exp(eta), exp(eta) x, exp(eta) x x^T],
    ``(1 + p + p^2, n)``), the same additions in the same order as one row per patient
    (``tests/survival_reference.py``), so the same bits, with contiguous passes.
    """
    x = des.x
    n, p = x.shape
    eta = x @ beta
    eta -= np.maximum.reduce(eta)  # = eta.max() without its Python wrapper  # shift: the partial likelihood is invariant, exp() cannot overflow
    size = des.xt.shape[1]
    if des.pos is None:
        w = np.empty((1 + p + p * p, size))
        np.exp(eta, out=w[0])  # contiguous in and out: numpy's vectorised exp, as everywhere
    else:  # zeros after each stratum's rows
        w = np.zeros((1 + p + p * p, size))
        w[0, des.pos] = np.exp(eta)
    rx = np.multiply(w[0], des.xt, out=w[1:1 + p])
    if p == 1:  # = the general line below, without its temporaries
        np.multiply(rx, des.xt, out=w[2:])
    else:
        w[1 + p:] = (rx[:, None, :] * des.xt[None, :, :]).reshape(p * p, size)
    dead = None
    if des.frac is not None:  # Efron: the sums over each group's tied deaths (consecutive
        # rows; the even runs of reduceat; the sums of those rows gathered, bit for bit)
        dead = np.stack([np.add.reduceat(row, des.dead_bounds)[0::2] for row in w])
    # risk-set sums: cumulative sums down each stratum (time descending), own cumsum per
    # stratum so that small late risk sets keep full precision; in place (w is not needed
    # after), one contiguous run per term (accumulate along axis 1 of 2-D is strided)
    runs = w.reshape(-1, des.run)
    if des.pos is None and len(des.blocks) > 1:  # strata of very different sizes
        for a, b in des.blocks:
            for row in w:
                np.add.accumulate(row[a:b], out=row[a:b])
    elif size <= ONE_CALL_CUMSUM:  # np.add.accumulate = np.cumsum without its Python wrapper
        np.add.accumulate(runs, axis=1, out=runs)
    else:
        for row in runs:
            np.add.accumulate(row, out=row)
    risk = w.take(des.group_end_at, axis=1)  # (terms, groups): time >= t in the stratum
    del w, runs  # (memory: no n-row array but eta from here)
    if des.group_size is not None:  # one term per event: each of a group's deaths its risk set
        risk = np.repeat(risk, des.group_size, axis=1)
    if dead is not None:  # Efron: remove k/d of the tied deaths' sums from the k-th term
        for row, dead_row in zip(risk, dead):  # a term at a time: one temporary of m
            dead_row = dead_row.repeat(des.group_size)
            dead_row *= des.frac
            row -= dead_row
    den = risk[0]
    risk[1:] /= den  # mean, second
    mean, second = risk[1:1 + p], risk[1 + p:]
    m = den.size
    # as (events, p) and (events, p*p) C arrays: the layout of the reductions and products
    # of the callers (the same memory for p = 1)
    if p == 1:
        return eta, den, mean.reshape(m, 1), second.reshape(m, 1)
    return eta, den, np.ascontiguousarray(mean.T), np.ascontiguousarray(second.T)


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.linalg.solve(a, b)``; for 1 x 1 ``a`` the division it amounts to (LAPACK's LU
    solve of one equation is b / a, bit for bit), without its ~5 us of call overhead."""
    if a.shape == (1, 1):
        if a[0, 0] == 0:
            raise np.linalg.LinAlgError("Singular matrix")
        return b / a[0]
    return np.linalg.solve(a, b)


def _inv(a: np.ndarray) -> np.ndarray:
    """``np.linalg.inv(a)``; for 1 x 1 ``a`` its reciprocal (bit for bit, as ``_solve``)."""
    if a.shape == (1, 1):
        if a[0, 0] == 0:
            raise np.linalg.LinAlgError("Singular matrix")
        return 1 / a
    return np.linalg.inv(a)


def _loglik_score_info(des: _Design, beta: np.ndarray):
    """Log partial likelihood, score vector and observed information at ``beta`` (non-finite
    when a risk-set sum underflows at an extreme ``beta``: ``_newton`` then steps back; call
    it with numpy's divide/invalid warnings off)."""
    if des.lean:
        return coxchunks.lean_loglik_score_info(des, beta)
    p = des.x.shape[1]
    eta, den, mean, second = _event_terms(des, beta)
    loglik = np.add.reduce(eta.take(des.ev_rows)) - np.add.reduce(np.log(den))
    score = des.x_dead_sum - np.add.reduce(mean, axis=0)
    info = np.add.reduce(second, axis=0).reshape(p, p) - mean.T @ mean
    return loglik, score, info


@np.errstate(divide="ignore", invalid="ignore")  # non-finite steps are handled below
def _newton(des: _Design, init: np.ndarray, max_iter: int = MAX_ITER, eps: float = EPS):
    """R's coxfit6 iteration (survival 3.x): Newton-Raphson, converged when
    |1 - loglik_best / loglik_new| <= eps; a non-finite or worse step is shrunk towards the
    last good beta ever harder ((new + h beta) / (h + 1), h = 1, 2, ...). Out of iterations:
    the last good beta. Returns beta, loglik0, loglik, score0, info0, score, info, iter, conv.
    """
    beta = init.astype(float).copy()
    ll0, u0, i0 = _loglik_score_info(des, beta)
    if max_iter == 0:
        return beta, ll0, ll0, u0, i0, u0, i0, 0, True
    newbeta = beta + _solve(i0, u0)
    best, halving = ll0, 0
    for it in range(1, max_iter + 1):
        ll, u, info = _loglik_score_info(des, newbeta)
        finite = (math.isfinite(ll) and math.isfinite(u[0]) and math.isfinite(info[0, 0])
                  if u.size == 1 else
                  np.isfinite(ll) and np.isfinite(u).all() and np.isfinite(info).all())
        if finite and abs(1 - best / ll) <= eps:
            return newbeta, ll0, ll, u0, i0, u, info, it, True
        if not finite or ll < best:  # not improving: step back towards the last good beta
            halving += 1
            newbeta = (newbeta + halving * beta) / (halving + 1)
        else:
            halving, best, beta = 0, ll, newbeta
            newbeta = newbeta + _solve(info, u)
    ll, u, info = _loglik_score_info(des, beta)
    return beta, ll0, ll, u0, i0, u, info, max_iter, False


def cox_coef_se(time, event, x: np.ndarray, stratum_codes: np.ndarray | None = None,
                ties: str = "efron") -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and their standard errors of ``cox_fit(time, event, x, ties=ties,
    stratum_codes=stratum_codes)`` (bit for bit), without the tests, CIs and result object:
    the lean core of a simulated trial's analysis. ``x`` a 2-D float array; errors as
    ``cox_fit``'s (ValueError)."""
    des = _design(time, event, x, None, ties, scode=stratum_codes)
    try:
        result = _newton(des, np.zeros(x.shape[1]))
        beta, info = result[0], result[6]
        var = _inv(info)
    except np.linalg.LinAlgError as err:
        raise ValueError("singular information matrix (collinear covariates?)") from err
    with np.errstate(invalid="ignore"):
        return beta, np.sqrt(np.diag(var))


def _chisq(stat: float, df: int) -> ModelTest:
    return ModelTest(float(stat), int(df), float(chdtrc(df, stat)))


def cox_fit(time, event, X, strata=None, ties: str = "efron", conf_level: float = 0.95,
            init=None, max_iter: int = MAX_ITER, *, stratum_codes: np.ndarray | None = None,
            time_sort: TimeSort | None = None) -> CoxFit:
    """Fit a (stratified) Cox model as R's ``coxph(Surv(time, event) ~ X + strata(strata))``.

    time: follow-up times (any unit; only their order matters); event: 0/1; X: 2-D numeric
    array or DataFrame (column names become ``names``; callers build dummies); strata:
    optional 1-D labels (one baseline hazard per label). ``ties`` "efron" or "breslow".
    Rows with a missing value are not allowed (drop them first). ``init`` starting
    coefficients (default 0); the score test is evaluated at ``init``, as R's.
    ``stratum_codes``: codes 0..S-1 in the order of the sorted labels, in place of
    ``strata`` (``frame.strata_codes``); ``time_sort``: ``frame.sort_times(time)`` when
    known (the data are then ordered by counting instead of sorting; same fit).
    """
    if ties not in ("efron", "breslow"):
        raise ValueError("ties must be 'efron' or 'breslow'")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be in (0, 1)")
    x = np.asarray(X, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    names = (list(map(str, X.columns)) if isinstance(X, pd.DataFrame)
             else [f"x{i + 1}" for i in range(x.shape[1])])
    if len(x) != len(time) or len(x) != len(event):
        raise ValueError("time, event and X must have the same number of rows")
    if not np.isfinite(x).all() or not np.isfinite(np.asarray(time, float)).all():
        raise ValueError("time and X must be finite (drop missing values first)")
    des = _design(time, event, x, strata, ties, scode=stratum_codes, time_sort=time_sort)
    p = x.shape[1]
    init = np.zeros(p) if init is None else np.asarray(init, dtype=float)
    try:
        beta, ll0, ll, u0, i0, u, info, it, conv = _newton(des, init, max_iter)
        var = _inv(info)
        score = float(u0 @ _solve(i0, u0))
    except np.linalg.LinAlgError as err:
        raise ValueError("singular information matrix (collinear covariates?)") from err
    # a diverging or degenerate fit gives infinite / NaN values here, stated by the callers
    # (HazardRatio.note; R returns the same numbers with its warning); se is NaN when the
    # information is not positive definite
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        se = np.sqrt(np.diag(var))
        warnings, infinite = [], []
        if max_iter > 1 and not conv:
            warnings.append("Ran out of iterations and did not converge")
        elif max_iter > 1:  # R coxph.fit: score still large relative to the coefficient
            infs = np.abs(u @ var)
            infs = ~np.isfinite(u) | ((infs > EPS) & (infs > np.sqrt(EPS) * np.abs(beta)))
            infinite = np.flatnonzero(infs).tolist()
            if infinite:
                warnings.append("Loglik converged before variable " + ",".join(
                    str(i + 1) for i in infinite) + "; coefficient may be infinite.")
        zq = ndtri((1 + conf_level) / 2)
        z = beta / se
        lower, upper, hr = np.exp(beta - zq * se), np.exp(beta + zq * se), np.exp(beta)
    return CoxFit(
        names=names, coef=beta, se=se, hr=hr, lower=lower, upper=upper, z=z,
        p=2 * ndtr(-np.abs(z)), loglik=(float(ll0), float(ll)),
        wald_test=_chisq(float(beta @ _solve(var, beta)), p),
        score_test=_chisq(score, p), lr_test=_chisq(2 * (ll - ll0), p),
        n=len(x), events=des.n_events, iterations=it, converged=conv, ties=ties,
        conf_level=conf_level, warnings=warnings, var=var,
        terms={nm: [i] for i, nm in enumerate(names)}, _design=des, infinite=infinite,
    )


@dataclass
class HazardRatio(JsonResult):
    """Treatment hazard ratio (experimental vs control) from a (stratified, adjusted) Cox model.

    ``hr``/``lower``/``upper`` Wald at ``conf_level``; ``p_wald`` two-sided Wald p of the
    treatment coefficient; ``p_score`` and ``p_lr`` two-sided score and likelihood-ratio
    tests of the treatment term given the strata and covariates (without covariates these are
    R's ``sctest``/``logtest``; ``p_score`` is then the stratified log-rank p). ``fit`` holds
    the full ``CoxFit`` (left out of ``to_dict()``; None when no model could be fitted).
    ``n`` rows used, ``n_excluded`` rows dropped for a missing value; ``estimable`` False with
    the reason in ``note`` ("not estimable (no events in arm B)") when the treatment effect
    cannot be estimated (hr, CI, p_wald, p_lr NaN); ``dropped``: notes on design columns
    dropped as constant or collinear.
    """

    arm: str
    experimental: object
    control: object
    hr: float
    lower: float
    upper: float
    conf_level: float
    coef: float
    se: float
    p_wald: float
    p_score: float
    p_lr: float
    n: int
    events: int
    strata: list[str]
    covariates: list[str]
    ties: str
    fit: CoxFit = field(repr=False)
    wald_test: ModelTest = field(repr=False, default=None)
    score_test: ModelTest = field(repr=False, default=None)
    lr_test: ModelTest = field(repr=False, default=None)
    n_excluded: int = 0
    estimable: bool = True
    note: str = ""
    dropped: list = field(default_factory=list)

    _json_exclude = ("fit",)


def _dummies(s: pd.Series, name: str) -> pd.DataFrame:
    """Treatment-coded dummies of a categorical, first sorted level the reference."""
    levels = sorted(s.unique().tolist())
    return pd.DataFrame({f"{name}={lv}": (s == lv).astype(float) for lv in levels[1:]},
                        index=s.index)


def design_matrix(df: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, dict]:
    """Numeric columns as is, others as treatment-coded dummies; returns (X, term -> cols)."""
    parts, terms, j = [], {}, 0
    for c in columns:
        s = df[c]
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            block = _dummies(s.astype(str) if pd.api.types.is_bool_dtype(s) else s, c)
        else:
            block = s.astype(float).to_frame(c)
        parts.append(block)
        terms[c] = list(range(j, j + block.shape[1]))
        j += block.shape[1]
    x = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=df.index)
    return x, terms


def arm_indicator(s: pd.Series, experimental) -> tuple[np.ndarray, object]:
    """1 for ``experimental``, 0 for the other level; error (``SurvivalDataError`` naming the
    column) unless exactly two levels, e.g. when the complete rows hold one arm only."""
    levels = pd.unique(s)
    if len(levels) != 2 or experimental not in set(levels.tolist()):
        raise SurvivalDataError(f"arm must have exactly two levels including {experimental!r}; "
                                f"found {sorted(map(str, levels))} in the {len(s)} rows analysed",
                                column=str(s.name) if s.name is not None else None)
    control = next(lv for lv in levels.tolist() if lv != experimental)
    return (s == experimental).to_numpy(dtype=float), control


#: relative residual norm below which a design column counts as a linear combination of the
#: earlier ones (about R's coxph ``toler.chol`` = eps^0.75 on the squared scale)
COLLINEAR_TOL = 1e-6


def estimable_columns(x: pd.DataFrame) -> tuple[list[int], list[str]]:
    """Indices of the columns of ``x`` kept in a Cox model and notes on those dropped: a
    constant column, or one that is (within ``COLLINEAR_TOL``) a linear combination of the
    earlier kept columns and a constant, in column order (R gives such coefficients NA)."""
    xs = x.to_numpy(dtype=float)
    xs = xs - xs.mean(axis=0) if len(xs) else xs
    keep, notes = [], []
    for j, name in enumerate(x.columns):
        col = xs[:, j]
        norm = float(np.linalg.norm(col))
        if norm == 0 or np.ptp(x.iloc[:, j].to_numpy(dtype=float)) == 0:
            notes.append(f"{name} dropped: constant")
            continue
        if keep:
            basis = xs[:, keep]
            resid = col - basis @ np.linalg.lstsq(basis, col, rcond=None)[0]
            if np.linalg.norm(resid) <= COLLINEAR_TOL * norm:
                notes.append(f"{name} dropped: collinear with "
                             f"{', '.join(str(x.columns[k]) for k in keep)}")
                continue
        keep.append(j)
    return keep, notes


def _not_estimable_reason(fit: CoxFit, e: np.ndarray, z: np.ndarray, experimental,
                          control) -> str:
    experimental_events = int(np.count_nonzero(np.logical_and(e, z)))
    per_arm = (fit.events - experimental_events, experimental_events)  # events of arms 0, 1
    no_events = [str(lv) for lv, arm in ((control, 0), (experimental, 1)) if per_arm[arm] == 0]
    if no_events:
        return f"no events in arm {' and '.join(no_events)}"
    if not np.isfinite(fit.se[0]):
        return "the information matrix is not positive definite"
    if 0 in fit.infinite:
        return "the treatment coefficient diverges (monotone likelihood; R: may be infinite)"
    if not fit.converged:
        return "the Cox model did not converge"
    return ""


def cox_hazard_ratio(df: pd.DataFrame | SurvivalFrame, time: str, event: str, arm: str, experimental,
                     strata: list[str] | str | None = None,
                     covariates: list[str] | str | None = None,
                     ties: str = "efron", conf_level: float = 0.95) -> HazardRatio:
    """Hazard ratio of ``arm == experimental`` vs the other arm level (R: ``coxph(Surv(time,
    event) ~ arm + covariates + strata(strata))``). Complete cases of the used columns.

    ``event`` 0/1 (1 = event); ``strata`` column names combined into one stratum variable;
    ``covariates`` numeric columns as is, others dummy-coded (first sorted level reference).
    A string is one column. Not estimable effects and dropped columns: see the module doc.
    ``df`` may be a ``SurvivalFrame`` holding these columns (its sort and codes are reused).
    """
    strata, covariates = column_list(strata, "strata"), column_list(covariates, "covariates")
    sf = survival_frame(df, time, event, group=arm, strata=strata, covariates=covariates,
                        caller="cox_hazard_ratio")
    data = sf.data
    d = data.frame
    z, control = arm_indicator(d[arm], experimental)
    xcov, cterms = design_matrix(d, covariates)
    name = f"{arm}={experimental}"
    if xcov.shape[1]:
        x = pd.concat([pd.Series(z, index=d.index, name=name), xcov], axis=1)
        keep, dropped = estimable_columns(x)  # the arm (first, not constant) is always kept
    else:  # the arm alone: two levels (arm_indicator), not constant; no copy of it
        x, keep, dropped = pd.DataFrame({name: z}, index=d.index, copy=False), [0], []
    dropped = [f"{c} dropped: constant" for c, cols in cterms.items() if not cols] + dropped
    st = sf.strata_codes(strata)
    st = None if st is None else st[0]
    t, e = data.time, data.event
    base = dict(arm=arm, experimental=experimental, control=control, conf_level=conf_level,
                n=data.n, events=int(e.sum()), strata=strata, covariates=covariates, ties=ties,
                n_excluded=data.n_excluded, dropped=dropped)
    if keep != list(range(x.shape[1])):
        x = x.iloc[:, keep]
    xcov = x.iloc[:, 1:]
    position = {old: new for new, old in enumerate(keep)}
    cterms = {k: [position[i + 1] - 1 for i in v if i + 1 in position] for k, v in cterms.items()}
    cterms = {k: v for k, v in cterms.items() if v}
    if st is not None:
        rows = np.bincount(st)
        experimental_rows = np.bincount(st, weights=z)  # (exact counts)
        if not ((experimental_rows > 0) & (experimental_rows < rows)).any():
            return _not_estimable(base, "every stratum holds one arm only: no comparison")
    same = dict(stratum_codes=st, time_sort=sf.sort, ties=ties)
    try:
        fit = cox_fit(t, e, x, conf_level=conf_level, **same)
    except ValueError as err:
        return _not_estimable(base, str(err))
    fit.terms = {arm: [0], **{k: [i + 1 for i in v] for k, v in cterms.items()}}
    if xcov.shape[1]:  # tests of the treatment term given covariates: reduced model at arm = 0
        red = cox_fit(t, e, xcov, conf_level=conf_level, **same)
        at0 = cox_fit(t, e, x, init=np.r_[0.0, red.coef], max_iter=0, **same)
        score_test = _chisq(at0.score_test.statistic, 1)
        lr_test = _chisq(2 * (fit.loglik[1] - red.loglik[1]), 1)
    else:
        score_test, lr_test = fit.score_test, fit.lr_test
    reason = _not_estimable_reason(fit, e, z, experimental, control)
    if reason:
        return _not_estimable(base, reason, fit=fit, score_test=score_test)
    return HazardRatio(
        **base, hr=float(fit.hr[0]), lower=float(fit.lower[0]), upper=float(fit.upper[0]),
        coef=float(fit.coef[0]), se=float(fit.se[0]), p_wald=float(fit.p[0]),
        p_score=score_test.p, p_lr=lr_test.p, fit=fit, wald_test=_chisq(fit.z[0] ** 2, 1),
        score_test=score_test, lr_test=lr_test,
    )


def _not_estimable(base: dict, reason: str, fit: CoxFit | None = None,
                   score_test: ModelTest | None = None) -> HazardRatio:
    """A HazardRatio without estimate (NaN) stating ``reason``; keeps a score test if given."""
    nan = float("nan")
    none = ModelTest(nan, 1, nan)
    score_test = score_test or none
    return HazardRatio(**base, hr=nan, lower=nan, upper=nan, coef=nan, se=nan, p_wald=nan,
                       p_score=score_test.p, p_lr=nan, fit=fit, wald_test=none,
                       score_test=score_test, lr_test=none, estimable=False,
                       note=f"not estimable ({reason})")


def cox_table(fit_or_hr: CoxFit | HazardRatio) -> pd.DataFrame:
    """One row per model term: term, HR, lower, upper (Wald CI at the fit's conf_level), p
    (two-sided Wald). The CI level is in ``DataFrame.attrs['conf_level']``."""
    fit = fit_or_hr.fit if isinstance(fit_or_hr, HazardRatio) else fit_or_hr
    out = pd.DataFrame({"term": fit.names, "HR": fit.hr, "lower": fit.lower,
                        "upper": fit.upper, "p": fit.p})
    out.attrs["conf_level"] = fit.conf_level
    return out
