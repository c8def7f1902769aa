"""Cox risk-set sums of a large one-covariate fit in chunks: the bits of ``cox._event_terms``
and ``cox._loglik_score_info`` with a few small buffers instead of arrays of n rows.

A fit of ``LEAN_FROM`` rows or more with one covariate (the trial's treatment effect on 1e6
patients) keeps, per Newton step, no array of n rows: the rows (sorted by stratum, time
descending, events first) are taken in chunks of whole tied-death groups of about
``ROW_CHUNK`` rows, each stratum's cumulative sums carried from chunk to chunk (adding the
carry to the chunk's first value is the addition the one-pass sum makes there), and the
per-event terms (Efron's k/d share of the tied deaths removed) in chunks of at most
``EVENT_LEAF`` events, their sums combined as numpy's pairwise summation of the whole array
combines them (numpy halves a sum of more than 128 values at a multiple of 8; each leaf is
one ``np.add.reduce``). Same arithmetic on the same values as the whole-array code, so the
same bits (tests/test_survival_fastpaths.py), with one exception: the sum of the squared
weighted covariate means of the events (in the information) is a pairwise sum here, where
the whole-array code asks BLAS for ``mean.T @ mean``, whose blocking is the BLAS's own and,
from 10,000 events, depends on its number of threads (a thread of OpenBLAS then also spins
on a second core after each call, doubling the CPU time of a fit). The two differ by
rounding (about 1e-16 relative; tested to 1e-13), and this sum does not depend on the BLAS.

The death groups come from the counts of the (stratum, time, event) cells of the sort key
when the design was ordered by counting (``group_structure``), without a pass over the rows.
Own code: no library computes Cox sums in bounded memory with R's tie handling.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["EVENT_LEAF", "LEAN_FROM", "ROW_CHUNK", "chunk_plan", "event_rows", "group_structure",
           "event_leaves", "lean_loglik_score_info", "pairwise_sums"]

#: rows from which a one-covariate fit runs in chunks (below: the whole-array code, faster
#: for small fits, whose cost is call overhead)
LEAN_FROM = 100_000
#: rows per chunk of the risk-set sums (whole tied-death groups: a larger group is one chunk)
ROW_CHUNK = 1 << 16
#: events per chunk of the per-event terms (at least 128: numpy sums up to 128 values in one
#: unrolled loop, so a leaf must not split such a sum)
EVENT_LEAF = 1 << 16


def group_structure(cells: np.ndarray, n_strata: int, m: int):
    """Death groups and strata from ``cells`` = the counts of the 16-bit sort key of
    ``cox._risk_order`` (stratum s, distinct time j descending, events first:
    ``s * 2m + 2 (m - 1 - j) + (1 - event)``). Returns ``(first, size, end, blocks)``:
    first sorted row, deaths and last sorted row of the (stratum, time) of each death group
    in sorted order, and the [start, stop) rows of each stratum holding rows."""
    cells = cells.reshape(n_strata, m, 2)
    start = np.cumsum(cells.reshape(-1)) - cells.reshape(-1)
    start = start.reshape(n_strata, m, 2)
    deaths = cells[:, :, 0]
    dead = deaths > 0
    first = start[:, :, 0][dead]
    size = deaths[dead]
    end = first + size + cells[:, :, 1][dead] - 1
    rows = cells.reshape(n_strata, -1).sum(axis=1)
    stops = np.cumsum(rows)
    blocks = [(int(b - r), int(b)) for r, b in zip(rows, stops) if r]
    return first.astype(np.intp), size.astype(np.intp), end.astype(np.intp), blocks


def chunk_plan(blocks: list, first: np.ndarray, size: np.ndarray, end: np.ndarray,
               row_chunk: int | None = None) -> list:
    """Chunks of rows for the risk-set sums: ``(c0, c1, g0, g1, carry, bounds, ends)`` with
    rows c0..c1-1 holding the death groups g0..g1-1 whole, ``carry`` False at the start of a
    stratum, ``bounds`` the reduceat indices of each group's deaths (and the rows between)
    within the chunk, ``ends`` each group's last row within the chunk. Rows of a stratum after
    its last death group (no risk set reads them) are left out."""
    row_chunk = row_chunk or ROW_CHUNK
    plan = []
    for a, b in blocks:
        ga, gb = np.searchsorted(first, [a, b])
        if ga == gb:
            continue
        stop = end[ga:gb] + 1  # row after each group (its time's censored rows included)
        piece = (stop - 1 - a) // row_chunk
        breaks = np.flatnonzero(piece[1:] != piece[:-1]) + 1 + ga  # first group of a chunk
        starts = [int(ga), *breaks.tolist()]
        stops = [*breaks.tolist(), int(gb)]
        c0 = a
        for g0, g1 in zip(starts, stops):
            c1 = int(end[g1 - 1]) + 1
            bounds = np.empty(2 * (g1 - g0), dtype=np.intp)
            bounds[0::2] = first[g0:g1] - c0
            bounds[1::2] = bounds[0::2] + size[g0:g1]
            if bounds[-1] == c1 - c0:  # reduceat: no index past the end
                bounds = bounds[:-1]
            plan.append((c0, c1, g0, g1, c0 != a, bounds, end[g0:g1] - c0))
            c0 = c1
    return plan


def _max_eta(des, b: float) -> float:
    """``np.maximum.reduce(x @ beta)`` for one covariate: BLAS's x * b is exact rounding,
    monotone in x, so the largest is at the largest (b > 0) or smallest (b < 0) x; + 0.0 as
    BLAS's 0 + x * b (no negative zero)."""
    if not math.isfinite(b):  # products may be NaN (0 * inf): the maximum of them all
        return float(np.maximum.reduce(np.multiply(des.x[:, 0], b) + 0.0))
    if b > 0:
        return float(des.x_max * b) + 0.0
    if b < 0:
        return float(des.x_min * b) + 0.0
    return 0.0


def risk_sums(des, b: float, top: float):
    """Risk-set sums at each death group's last row (``R``: 3 x groups, terms exp(eta),
    exp(eta) x, exp(eta) x^2) and, for Efron with tied deaths, the sums over the group's
    deaths (``D``, or None), eta = x b - ``top``."""
    x = des.x[:, 0]
    efron = des.frac_needed
    n_groups = des.first.size
    r = np.empty((3, n_groups))
    d = np.empty((3, n_groups)) if efron else None
    longest = max(c1 - c0 for c0, c1, *_ in des.plan)
    buf0, buf1 = np.empty(longest), np.empty(longest)
    carry = [0.0, 0.0, 0.0]
    for c0, c1, g0, g1, cont, bounds, ends in des.plan:
        size = c1 - c0
        xc = x[c0:c1]
        w0, w1 = buf0[:size], buf1[:size]
        np.multiply(xc, b, out=w0)
        np.subtract(w0, top, out=w0)
        np.exp(w0, out=w0)
        if efron:
            d[0, g0:g1] = np.add.reduceat(w0, bounds)[0::2]
        np.multiply(w0, xc, out=w1)
        if efron:
            d[1, g0:g1] = np.add.reduceat(w1, bounds)[0::2]
        _cumsum(w0, carry, 0, cont)
        r[0, g0:g1] = w0.take(ends)
        np.multiply(w1, xc, out=w0)  # exp(eta) x^2
        if efron:
            d[2, g0:g1] = np.add.reduceat(w0, bounds)[0::2]
        _cumsum(w1, carry, 1, cont)
        r[1, g0:g1] = w1.take(ends)
        _cumsum(w0, carry, 2, cont)
        r[2, g0:g1] = w0.take(ends)
    return r, d


def _cumsum(w: np.ndarray, carry: list, term: int, cont: bool) -> None:
    """Cumulative sum of ``w`` in place, continuing the stratum's sum ``carry[term]``."""
    if cont:
        w[0] += carry[term]
    np.add.accumulate(w, out=w)
    carry[term] = w[-1]


def event_rows(des, lo: int, hi: int):
    """For the events lo..hi-1 (sorted order): the groups g0..g1-1 holding them, how many of
    them each holds, each event's place k (0..d-1) among its group's deaths, and its row."""
    ev_start = des.ev_start
    g0 = int(np.searchsorted(ev_start, lo, side="right")) - 1
    g1 = int(np.searchsorted(ev_start, hi - 1, side="right"))
    counts = des.size[g0:g1].copy()
    counts[0] -= lo - ev_start[g0]
    counts[-1] -= ev_start[g1 - 1] + des.size[g1 - 1] - hi
    k = np.arange(lo, hi) - np.repeat(ev_start[g0:g1], counts)
    return g0, g1, counts, k, np.repeat(des.first[g0:g1], counts) + k


def event_leaves(des) -> list:
    """Per leaf of the events' pairwise sums (``pairwise_sums`` of ``des.leaf_size``, the
    ``EVENT_LEAF`` when the design was made): (lo, hi, g0, g1, counts,
    x, frac): its events, their groups (``event_rows``), x at them and, for Efron with tied
    deaths, k/d of each (as ``np.arange(m) - start) / size`` of the whole-array design)."""
    leaves = []

    def leaf(lo, hi):
        g0, g1, counts, k, rows = event_rows(des, lo, hi)
        frac = k / np.repeat(des.size[g0:g1], counts) if des.frac_needed else None
        leaves.append((lo, hi, g0, g1, counts, des.x[:, 0].take(rows), frac))
        return (0.0,)

    pairwise_sums(des.n_events, leaf, des.leaf_size)
    return leaves


def pairwise_sums(n: int, leaf, leaf_size: int | None = None):
    """``leaf(lo, hi)`` (a tuple of ``np.add.reduce`` sums of values lo..hi-1) combined as
    ``np.add.reduce`` of the whole arrays of ``n`` values: halved at n // 2 rounded down to a
    multiple of 8 while more than ``leaf_size`` (>= 128) values, the halves added."""
    leaf_size = max(leaf_size or EVENT_LEAF, 128)

    def tree(lo, hi):
        size = hi - lo
        if size <= leaf_size:
            return leaf(lo, hi)
        half = size // 2
        half -= half % 8
        left, right = tree(lo, lo + half), tree(lo + half, hi)
        return tuple(a + c for a, c in zip(left, right))

    return tree(0, n)


def lean_loglik_score_info(des, beta: np.ndarray):
    """``cox._loglik_score_info`` of a one-covariate chunked design (``des.lean``): the same
    bits but for the information's sum of the squared per-event means, a pairwise sum here,
    a BLAS dot product (``mean.T @ mean``) there (see the module doc)."""
    b = float(beta[0])
    top = _max_eta(des, b)
    r, d = risk_sums(des, b, top)
    leaves = iter(des.leaves)

    def leaf(lo, hi):
        lo, hi, g0, g1, counts, x, frac = next(leaves)  # (the same lo, hi)
        eta = x * b  # x @ beta at the events, shifted, as the whole-array eta
        eta += 0.0
        eta -= top
        terms = []
        for term in range(3):
            value = np.repeat(r[term, g0:g1], counts)
            if d is not None:
                dead = np.repeat(d[term, g0:g1], counts)
                dead *= frac
                value -= dead
            terms.append(value)
        den, mean, second = terms
        mean /= den
        second /= den
        sums = (np.add.reduce(eta), np.add.reduce(np.log(den, out=den)),
                np.add.reduce(mean), np.add.reduce(second))
        np.multiply(mean, mean, out=mean)
        return (*sums, np.add.reduce(mean))

    eta_sum, log_sum, mean_sum, second_sum, square_sum = pairwise_sums(des.n_events, leaf,
                                                                        des.leaf_size)
    loglik = eta_sum - log_sum
    score = des.x_dead_sum - mean_sum
    info = np.array([[second_sum]]) - np.array([[square_sum]])
    return loglik, score, info
