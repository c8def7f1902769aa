"""``lean.logrank_cox`` for a batch of trials at once, on 2-D arrays (one row per trial).

The simulation analyses thousands of small trials (~400 rows); one at a time, each costs
~200 numpy calls whose Python overhead dominates. Here every step is one call for the whole
batch: one ``lexsort`` along the rows, the cumulative sums of all strata of all trials in one
``accumulate`` over runs (one zero-padded run per (trial, stratum)), Newton-Raphson for all
trials together with a per-trial convergence mask. Own code: no library fits many small Cox
models at once.

Bit for bit the numbers of ``logrank_cox`` (tests/test_survival_batch.py): the per-trial
path's sums over events are numpy's pairwise sums and BLAS dot products of length m (the
trial's events), whose rounding depends on m; here they are the same calls on the trials
of each event count m together (``np.add.reduce`` / ``np.vecdot`` / ``np.matmul`` along the
last axis give each row the bits of the 1-D call). Sums the per-trial path adds in sequence
(cumulative sums, reductions along axis 0) are sequential here too.

Trials with tied times within a stratum are not handled (``handled`` False; the caller
analyses them one at a time with ``logrank_cox``): continuous simulated times are never
tied, and without ties every risk-set group is one row and Efron equals Breslow. Nor are
trials whose information is exactly zero (``logrank_cox`` raises for them).
"""
from __future__ import annotations

import numpy as np

from .cox import EPS, MAX_ITER

__all__ = ["logrank_cox_batch"]


def logrank_cox_batch(time: np.ndarray, event: np.ndarray, arm: np.ndarray,
                      stratum: np.ndarray, keep: np.ndarray, n_strata: int):
    """``(observed1, expected1, variance11, coef, se, handled)`` per trial (rows).

    ``time``, ``event`` (0/1), ``arm`` (0/1 int), ``stratum`` (codes 0..n_strata-1) and
    ``keep`` (rows analysed) are (trials, rows) arrays; each trial needs an event and both
    arms among its kept rows. Where ``handled`` is True the values are those of
    ``logrank_cox(time[keep], event[keep], arm[keep], stratum[keep])`` (observed[1],
    expected[1], variance[1, 1], coef[0], se[0]) bit for bit; elsewhere NaN (see module doc).
    """
    n_trials = time.shape[0]
    out = np.full((5, n_trials), np.nan)
    handled = np.zeros(n_trials, dtype=bool)
    if n_trials == 0:
        return (*out, handled)
    des = _BatchDesign(time, event, arm, stratum, keep, n_strata)
    ok = ~des.tied
    if not ok.all():
        des = des.subset(ok.nonzero()[0])
    idx = ok.nonzero()[0]
    out[:3, idx] = _logrank(des)
    coef, se, fitted = _newton(des)
    out[3, idx], out[4, idx] = coef, se
    handled[idx] = fitted
    out[:, ~handled] = np.nan
    return (*out, handled)


class _BatchDesign:
    """The rows of each trial sorted as ``cox._design`` sorts them (stratum, time descending,
    events first), kept rows first; their places in the runs (trial, stratum) of the
    cumulative sums; the events of each trial in that order (padded to the most events)."""

    def __init__(self, time, event, arm, stratum, keep, n_strata):
        n_trials, n = time.shape
        s = n_strata
        scode = np.where(keep, stratum, s)  # rows not analysed: after every stratum
        ev = (event != 0) & keep
        order = np.lexsort((~ev, -time, scode), axis=1)
        ts = np.take_along_axis(time, order, 1)
        ss = np.take_along_axis(scode, order, 1)
        self.keep = kept = ss < s
        es = np.take_along_axis(ev, order, 1)
        xa = np.take_along_axis(arm, order, 1)
        same = (ts[:, 1:] == ts[:, :-1]) & (ss[:, 1:] == ss[:, :-1]) & kept[:, 1:]
        self.tied = same.any(axis=1)
        n_kept = kept.sum(axis=1)
        # centred as cox._design: the sum of 0/1 is exact in any order, so the same mean
        x = (xa * kept).astype(float)
        mean = np.add.reduce(x, axis=1) / n_kept
        self.x = x - mean[:, None]
        counts = np.bincount((np.arange(n_trials)[:, None] * (s + 1) + ss).ravel(),
                             minlength=n_trials * (s + 1)).reshape(n_trials, s + 1)
        self.run = max(int(counts[:, :s].max()), 1)
        first = np.cumsum(counts, axis=1) - counts  # first sorted row of each stratum
        row = np.arange(n)
        # place in the trial's runs: stratum * run + rank in its stratum (0 for rows not kept)
        self.pos = np.where(kept, ss * self.run + row - np.take_along_axis(first, ss, 1), 0)
        self.n_strata = s
        self.m = m = es.sum(axis=1)
        n_ev = int(m.max())
        # events in sorted order: their row, padded with the trial's first event
        ev_rank = np.argsort(~es, axis=1, kind="stable")[:, :n_ev]
        self.ev_valid = np.arange(n_ev) < m[:, None]
        self.ev_row = np.where(self.ev_valid, ev_rank, ev_rank[:, :1])
        self.ev_pos = np.take_along_axis(self.pos, self.ev_row, 1)
        self.ev_stratum = np.take_along_axis(ss, self.ev_row, 1)
        self.ev_arm = np.take_along_axis(xa, self.ev_row, 1)
        self.arm = xa * kept
        self.x_dead = np.take_along_axis(self.x, self.ev_row, 1)

    def subset(self, idx: np.ndarray) -> _BatchDesign:
        new = object.__new__(_BatchDesign)
        for name, value in self.__dict__.items():
            new.__dict__[name] = value[idx] if isinstance(value, np.ndarray) else value
        return new

    def runs_index(self) -> tuple[np.ndarray, np.ndarray, int]:
        """(flat index of the kept rows in the runs, of the events, runs size)."""
        width = self.n_strata * self.run
        base = np.arange(len(self.m))[:, None] * width
        return (self.pos + base)[self.keep], self.ev_pos + base, len(self.m) * width


def _groups(m: np.ndarray):
    """(indices, m) of the trials with each event count m."""
    order = np.argsort(m, kind="stable")
    ms = m[order]
    cuts = np.flatnonzero(ms[1:] != ms[:-1]) + 1
    return [(order[a:b], int(ms[a])) for a, b in zip([0, *cuts], [*cuts, len(ms)])]


def _logrank(des: _BatchDesign):
    """Observed and expected events of arm 1 and the variance of O - E (``_components``)."""
    flat, ev_flat, size = des.runs_index()
    runs = np.zeros((2, size), dtype=np.intp)
    runs[0, flat] = 1 - des.arm[des.keep]
    runs[1, flat] = des.arm[des.keep]
    view = runs.reshape(2, -1, des.run)
    np.add.accumulate(view, axis=2, out=view)
    # at risk at each event: the rows of its stratum up to it (time descending, no ties)
    at_risk = runs[:, ev_flat].astype(float)  # (2, trials, events)
    # the log-rank's order: stratum ascending, time ascending (events reversed in a stratum)
    n_ev = des.ev_row.shape[1]
    key = np.where(des.ev_valid, des.ev_stratum * (n_ev + 1) + (n_ev - np.arange(n_ev)),
                   (des.n_strata + 1) * (n_ev + 1))
    order = np.argsort(key, axis=1, kind="stable")
    at_risk = np.take_along_axis(at_risk, order[None], 2)
    valid = np.take_along_axis(des.ev_valid, order, 1)
    # as _components, one event a key (d = 1): n, share, weight; padding rows zero
    n = at_risk[0] + at_risk[1]
    n[~valid] = 1.0
    share = at_risk / n
    share[:, ~valid] = 0.0
    d = valid.astype(float)
    w = d * (n - d) / np.maximum(n - 1, 1)
    # (events, trials, 2) as the per-trial (events, 2) arrays: sums along axis 0 in sequence
    sh = np.ascontiguousarray(share.transpose(2, 1, 0))
    w_sh = w.T[:, :, None] * sh
    expected = np.add.reduce(sh * d.T[:, :, None], axis=0)[:, 1]
    diag = np.add.reduce(w_sh, axis=0)[:, 1]
    cross = np.empty(len(n))
    for trials, m in _groups(des.m):  # w_share.T @ share: BLAS, rounding depends on m
        a = np.ascontiguousarray(w_sh[:m, trials].transpose(1, 0, 2))
        b = np.ascontiguousarray(sh[:m, trials].transpose(1, 0, 2))
        cross[trials] = np.matmul(a.transpose(0, 2, 1), b)[:, 1, 1]
    observed = np.add.reduce(des.ev_arm * des.ev_valid, axis=1).astype(float)
    return observed, expected, diag - cross


def _sums(des: _BatchDesign, groups, beta: np.ndarray):
    """Log partial likelihood, score and information at ``beta`` (``cox._loglik_score_info``
    of each trial)."""
    eta = des.x * beta[:, None]
    eta -= np.maximum.reduce(np.where(des.keep, eta, -np.inf), axis=1)[:, None]
    flat, ev_flat, size = des.runs_index()
    w = np.zeros((3, size))
    w[0, flat] = np.exp(eta[des.keep])
    xt = np.zeros(size)
    xt[flat] = des.x[des.keep]
    np.multiply(w[0], xt, out=w[1])
    np.multiply(w[1], xt, out=w[2])
    view = w.reshape(3, -1, des.run)
    np.add.accumulate(view, axis=2, out=view)
    risk = w[:, ev_flat]  # (3, trials, events)
    den = risk[0]
    risk[1:] /= den
    terms = np.empty((len(beta), 4, den.shape[1]))
    terms[:, 0] = np.take_along_axis(eta, des.ev_row, 1)
    terms[:, 1] = np.log(den)
    terms[:, 2] = risk[1]
    terms[:, 3] = risk[2]
    ll, u, info = (np.empty(len(beta)) for _ in range(3))
    for trials, m in groups:  # pairwise sums and dot products of length m (module doc)
        t = terms[trials, :, :m]
        total = np.add.reduce(t, axis=2)
        ll[trials] = total[:, 0] - total[:, 1]
        u[trials] = des.x_dead_sum[trials] - total[:, 2]
        info[trials] = total[:, 3] - np.vecdot(t[:, 2], t[:, 2])
    return ll, u, info


@np.errstate(divide="ignore", invalid="ignore", over="ignore")
def _newton(des: _BatchDesign):
    """``cox._newton`` from 0 for every trial, the trials not yet converged together; then
    the standard error as ``lean.logrank_cox``. Returns coef, se, fitted (False: the
    per-trial path raises: a zero information)."""
    n_trials = len(des.m)
    des.x_dead_sum = np.empty(n_trials)
    groups = _groups(des.m)
    for trials, m in groups:
        des.x_dead_sum[trials] = np.add.reduce(des.x_dead[trials, :m], axis=1)
    coef, info_out = np.full(n_trials, np.nan), np.full(n_trials, np.nan)
    fitted = np.ones(n_trials, dtype=bool)
    beta = np.zeros(n_trials)
    ll0, u0, i0 = _sums(des, groups, beta)
    fitted &= i0 != 0
    best = ll0
    newbeta = beta + u0 / i0
    halving = np.zeros(n_trials, dtype=np.int64)
    active = fitted.copy()
    work = des  # the design of the active trials (rows ``at`` of the batch)
    at = np.arange(n_trials)
    for _ in range(MAX_ITER):
        if not active.any():
            break
        if active.sum() <= len(at) // 2:  # drop the finished trials from the work
            keep_rows = active[at]
            work, at = work.subset(keep_rows.nonzero()[0]), at[keep_rows]
            work.x_dead_sum = des.x_dead_sum[at]
        on = active[at]
        ll, u, info = _sums(work, _groups(work.m), newbeta[at])
        ll, u, info, i = ll[on], u[on], info[on], at[on]
        finite = np.isfinite(ll) & np.isfinite(u) & np.isfinite(info)
        conv = finite & (np.abs(1 - best[i] / ll) <= EPS)
        coef[i[conv]], info_out[i[conv]] = newbeta[i[conv]], info[conv]
        active[i[conv]] = False
        worse = ~conv & (~finite | (ll < best[i]))
        j = i[worse]
        halving[j] += 1
        newbeta[j] = (newbeta[j] + halving[j] * beta[j]) / (halving[j] + 1)
        better = ~conv & ~worse
        j = i[better]
        singular = info[better] == 0
        fitted[j[singular]] = active[j[singular]] = False
        halving[j], best[j], beta[j] = 0, ll[better], newbeta[j]
        newbeta[j] = newbeta[j] + u[better] / info[better]
    if active.any():  # out of iterations: the last good beta
        i = active.nonzero()[0]
        part = des.subset(i)
        part.x_dead_sum = des.x_dead_sum[i]
        coef[i] = beta[i]
        info_out[i] = _sums(part, _groups(part.m), beta[i])[2]
    fitted &= info_out != 0
    var = 1 / info_out
    se = np.where(var >= 0, np.sqrt(var), np.nan)
    return coef, se, fitted
