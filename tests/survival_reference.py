"""The survival core's general paths as they were before issue 23's fast paths: the reference
the fast paths are tested against, bit for bit (tests/test_survival_fastpaths.py).

Frozen copies (not used by the supplement): ``logrank_components`` (sort by stratum and time,
then bincounts of the (stratum, time) keys) and ``_event_terms`` (Cox risk-set sums with one
row per patient, ``(n, 1 + p + p^2)``).
"""
from __future__ import annotations

import numpy as np

INT16_MAX = np.iinfo(np.int16).max


def logrank_components_reference(
    time: np.ndarray, event: np.ndarray, group_code: np.ndarray, k: int, stratum_code: np.ndarray,
    order: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed, expected (length k) and variance (k x k) of O - E, summed over strata.

    Inputs are validated arrays: group codes 0..k-1 and stratum codes 0..s-1 (int64).
    At each distinct event time within a stratum with d events among n at risk (n_j in
    group j): E_j += d n_j / n, V_jl += d (n - d)/(n - 1) * (n_j / n) (delta_jl - n_l / n).
    ``order``: ``np.argsort(time, kind="stable")`` when already known (``TimeSort.order``).
    """
    # sort by stratum, then time: argsort of time, then a stable (radix for int16) sort
    # of the stratum codes; faster than np.lexsort at 1e6 rows. Below, np.add.reduce and
    # preallocated outputs instead of .sum()/np.vstack: the same arithmetic without the
    # Python wrappers, which dominate on the ~400 rows of a simulated trial.
    if order is None:
        order = np.argsort(time, kind="stable")
    top = stratum_code.max(initial=0)
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
    d = np.add.reduce(died, axis=1)
    with_event = (d > 0).nonzero()[0]
    d = d.take(with_event)
    # at risk at each (stratum, time) with an event: subjects of the stratum with time >= t,
    # the reverse cumulative sum of leavers minus that of the following strata
    rev = np.zeros((n_keys + 1, k), dtype=leave.dtype)
    leave[::-1].cumsum(axis=0, out=rev[-2::-1])
    key_stratum = s[new]
    next_stratum = np.searchsorted(key_stratum, key_stratum[with_event], side="right")
    at_risk = (rev.take(with_event, axis=0) - rev.take(next_stratum, axis=0)).astype(float)
    n = np.add.reduce(at_risk, axis=1)
    share = at_risk / n[:, None]
    expected = np.add.reduce(share * d[:, None], axis=0)
    w = d * (n - d) / np.maximum(n - 1, 1)  # n = 1: d = 1 and the weight 0
    w_share = w[:, None] * share
    variance = np.diag(np.add.reduce(w_share, axis=0)) - w_share.T @ share
    return np.add.reduce(died, axis=0), expected, variance


def event_terms_reference(des: _Design, beta: np.ndarray):
    """Per-event terms of the partial likelihood at ``beta`` (eta shifted by its maximum).

    Returns eta (sorted rows), den (risk-set sum of exp(eta), Efron-reduced), mean (weighted
    covariate mean, (events, p)) and second ((events, p*p): weighted mean of x x^T).
    """
    x = des.x
    n, p = x.shape
    eta = x @ beta
    eta -= np.maximum.reduce(eta)  # = eta.max() without its Python wrapper  # shift: the partial likelihood is invariant, exp() cannot overflow
    w = np.empty((n, 1 + p + p * p))
    r = np.exp(eta)  # contiguous: numpy's vectorised exp (a strided out= differs in the ULP)
    w[:, 0] = r
    rx = np.multiply(r[:, None], x, out=w[:, 1:1 + p])
    if p == 1:  # = the general line below, without its temporaries
        np.multiply(rx, x, out=w[:, 2:])
    else:
        w[:, 1 + p:] = (rx[:, :, None] * x[:, None, :]).reshape(n, p * p)
    # risk-set sums: cumulative sums down each stratum (time descending), own cumsum per
    # stratum so that small late risk sets keep full precision
    cum = np.empty_like(w)
    for a, b in des.blocks:  # np.add.accumulate = np.cumsum without its Python wrapper
        np.add.accumulate(w[a:b], axis=0, out=cum[a:b])
    risk = cum.take(des.group_end, axis=0)  # (groups, 1+p+p^2): time >= t in the stratum
    if des.group_size is not None:  # one term per event: each of a group's deaths its risk set
        risk = np.repeat(risk, des.group_size, axis=0)
    if des.frac is None:  # Breslow, or no tied deaths: the risk sets as they are
        a = risk
    else:  # Efron: remove k/d of the tied deaths' sums from the k-th term of their group
        dead = np.add.reduceat(w.take(des.ev_rows, axis=0), des.ev_group_start, axis=0)
        a = risk - des.frac[:, None] * np.repeat(dead, des.group_size, axis=0)
    den = a[:, 0]
    # two divisions, not one split: contiguous results keep numpy's pairwise sums in callers
    return eta, den, a[:, 1:1 + p] / den[:, None], a[:, 1 + p:] / den[:, None]
