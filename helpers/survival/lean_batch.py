"""``lean.logrank_cox`` for a batch of trials at once, on 2-D arrays (one row per trial).

The simulation analyses thousands of small trials (~400 rows); one at a time, each costs
~200 numpy calls whose Python overhead dominates. Here each step is one call for the whole
batch: the rows of every trial sorted along axis 1 (time descending, then a stable radix
sort of the stratum codes); the risk-set sums of all trials as one array of rows side by
side (``w[row, term, trial]``), summed down the rows a row at a time for all trials at
once, each stratum anew; Newton-Raphson for all trials together with a per-trial
convergence mask, the converged trials dropped from the work as they finish. Own code: no
library fits many small Cox models at once.

Bit for bit the numbers of ``logrank_cox`` (tests/test_simulation_batch.py): the same
floating-point operations on the same numbers in the same order. The per-trial path's sums
over events are numpy's pairwise sums and BLAS dot products of length m (the trial's
events), whose rounding depends on m: here they are the same calls on the trials of each
event count m together (``np.add.reduce`` / ``np.vecdot`` / ``np.matmul`` along the last
axis give each row the bits of the 1-D call). Sums the per-trial path adds in sequence
(cumulative sums, reductions along axis 0) are sequential here too. The centred arm takes
two values a trial, so exp(eta) and its products are computed once per trial and arm.

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
    rows = _SortedTrials(time, event, arm, stratum, keep, n_strata)
    idx = (~rows.tied).nonzero()[0]
    if idx.size:
        rows = rows.subset(idx) if idx.size < n_trials else rows
        out[:3, idx] = _logrank(rows)
        coef, se, fitted = _newton(rows)
        out[3, idx], out[4, idx] = coef, se
        handled[idx] = fitted
        out[:, ~handled] = np.nan
    return (*out, handled)


class _SortedTrials:
    """The kept rows of each trial in the order of ``cox._design`` (stratum, time
    descending; without ties its lexsort's order), described by what the sums need: each
    row's arm and rank in its stratum; the events (padded to the most events) likewise."""

    def __init__(self, time, event, arm, stratum, keep, n_strata):
        n_trials, n = time.shape
        s = self.n_strata = n_strata
        base = (np.arange(n_trials) * n)[:, None]
        code = np.where(keep, stratum, s).astype(np.int8 if s < 127 else np.int64)
        order = np.argsort(-time, axis=1)  # ties in any order: tied trials are not handled
        order = order.take(np.argsort(code.take(order + base), axis=1, kind="stable") + base)
        flat = order + base
        ss, ts = code.take(flat), time.take(flat)
        kept = ss < s
        self.tied = ((ts[:, 1:] == ts[:, :-1]) & (ss[:, 1:] == ss[:, :-1]) & kept[:, 1:]).any(1)
        es = ((event != 0) & keep).take(flat)
        xa = arm.take(flat).astype(np.intp) * kept
        counts = np.bincount((np.arange(n_trials)[:, None] * (s + 1) + ss).ravel(),
                             minlength=n_trials * (s + 1)).reshape(n_trials, s + 1)
        first = np.cumsum(counts, axis=1) - counts  # first sorted row of each stratum
        ss = ss.astype(np.intp)
        self.rank = np.arange(n) - first.take(ss + (np.arange(n_trials) * (s + 1))[:, None])
        self.kept, self.stratum, self.arm = kept, ss, xa
        self.n_kept, self.n_arm1 = kept.sum(axis=1), xa.sum(axis=1)
        # arm-1 rows of the stratum before each row (the log-rank's at-risk counts)
        self.arm1_before = np.cumsum(xa, axis=1) - xa
        self.arm1_before -= self.arm1_before.take(first.take(ss + (np.arange(n_trials) * (
            s + 1))[:, None]) + base)
        self.m = m = es.sum(axis=1)
        n_ev = int(m.max())
        ev = np.argsort(~es, axis=1, kind="stable")[:, :n_ev]
        self.ev_valid = np.arange(n_ev) < m[:, None]
        self.ev_row = np.where(self.ev_valid, ev, ev[:, :1])  # padding: the first event
        self.ev_flat = self.ev_row + base
    def subset(self, idx: np.ndarray) -> _SortedTrials:
        new = object.__new__(_SortedTrials)
        for name, value in self.__dict__.items():
            new.__dict__[name] = value[idx] if isinstance(value, np.ndarray) else value
        n = new.kept.shape[1]
        new.ev_flat = new.ev_row + (np.arange(len(idx)) * n)[:, None]  # places in the subset
        return new

    def ev_take(self, a: np.ndarray) -> np.ndarray:
        """``a`` (trials, rows) at each trial's events (trials, events)."""
        return a.take(self.ev_flat)


def _groups(m: np.ndarray):
    """(indices, m) of the trials with each event count m."""
    order = np.argsort(m, kind="stable")
    ms = m[order]
    cuts = np.flatnonzero(ms[1:] != ms[:-1]) + 1
    return [(order[a:b], int(ms[a])) for a, b in zip([0, *cuts], [*cuts, len(ms)])]


def _logrank(rows: _SortedTrials):
    """Observed and expected events of arm 1 and the variance of O - E (``_components``)."""
    n_trials, n_ev = rows.ev_row.shape
    s = rows.n_strata
    # at risk at each event: the rows of its stratum up to it (time descending, no ties)
    ev_arm = rows.ev_take(rows.arm)
    at1 = rows.ev_take(rows.arm1_before) + ev_arm
    at0 = rows.ev_take(rows.rank) + 1 - at1
    # the log-rank's order: stratum ascending, time ascending: the events of each stratum
    # reversed (event j of a stratum whose events are a..a+c-1 goes to 2a + c - 1 - j, and
    # back: the reversal is its own inverse); padding stays at the end
    valid = rows.ev_valid
    code = np.where(valid, rows.ev_take(rows.stratum), s)
    code += (np.arange(n_trials) * (s + 1))[:, None]
    count = np.bincount(code.ravel(), minlength=n_trials * (s + 1))
    first = (np.cumsum(count.reshape(n_trials, s + 1), axis=1).ravel() - count)
    j = np.arange(n_ev)
    lr = np.where(valid, 2 * first.take(code) + count.take(code) - 1 - j, j)
    lr += (np.arange(n_trials) * n_ev)[:, None]
    lr = lr.T  # (events, trials): the sums in sequence along axis 0, vectorised over trials
    at1 = at1.take(lr).astype(float)
    n = at0.take(lr) + at1  # = add.reduce of the (at risk 0, at risk 1) rows: exact
    pad = ~valid.T
    n[pad] = 1.0
    share1 = at1 / n
    share1[pad] = 0.0
    # w = d (n - d) / max(n - 1, 1) with d = 1 (one event a key; padding: d = 0, w = 0)
    w = np.subtract(n, 1.0)
    w /= np.maximum(n - 1, 1)
    w[pad] = 0.0
    w_share1 = w * share1
    expected = np.add.reduce(share1, axis=0)  # share * d, d = 1 (padding 0)
    diag = np.add.reduce(w_share1, axis=0)
    # the per-trial (events, 2) arrays of _components for w_share.T @ share (BLAS: the same
    # call on the same layout; its rounding depends on m)
    share = np.empty((n_trials, n_ev, 2))
    share[:, :, 1] = share1.T
    share[:, :, 0] = (n - at1).T / n.T  # at risk in arm 0 / n
    share[:, :, 0][pad.T] = 0.0
    w_share = share * w.T[:, :, None]
    cross = np.empty(n_trials)
    for trials, m in _groups(rows.m):
        if len(trials) == n_trials:
            a, b = w_share[:, :m], share[:, :m]
        else:
            a, b = w_share.take(trials, axis=0)[:, :m], share.take(trials, axis=0)[:, :m]
        cross[trials] = np.matmul(a.transpose(0, 2, 1), b)[:, 1, 1]
    return np.add.reduce(ev_arm * valid, axis=1).astype(float), expected, diag - cross


class _Runs:
    """The rows of the trials side by side for the cumulative sums: row i of every trial in
    ``w[i, term, trial]`` (rows after a trial's kept rows are never read), each stratum's
    sum starting anew at its first row; the places of the events in ``w``."""

    def __init__(self, rows: _SortedTrials):
        n_trials = len(rows.m)
        self.n = n = int(rows.n_kept.max())
        arm = rows.arm[:, :n].T[:, None, :]  # (rows, 1, trials)
        self.arm1 = arm.astype(bool)
        self.arm_weights = (arm == 1).astype(float), (arm == 0).astype(float) * rows.kept[
            :, :n].T[:, None, :]  # 1.0 where a row is of the arm, else 0.0
        # not the first row of its stratum (a flag a term: no broadcasting in the loop)
        self.goes_on = np.repeat((rows.rank[:, :n] > 0).T[:, None, :], 3, axis=1)
        ev_place = rows.ev_row * (3 * n_trials) + np.arange(n_trials)[:, None]
        self.ev_places = ev_place[None] + (np.arange(3) * n_trials)[:, None, None]
        self.ev_arm1 = rows.ev_take(rows.arm).astype(bool)


def _sums(rows: _SortedTrials, runs: _Runs, groups, beta: np.ndarray):
    """Log partial likelihood, score and information at ``beta`` (``cox._loglik_score_info``
    of each trial). The centred arm takes two values a trial, so do exp(eta) and its
    products: computed once a trial and arm (the same operations on the same numbers)."""
    n_trials = len(beta)
    x = rows.x_values.T  # (arm, trials)
    x0, x1 = x
    eta0, eta1 = x0 * beta, x1 * beta  # = x @ beta of cox._event_terms, row by row
    top = np.maximum(eta0, eta1)  # its maximum over the rows (both arms are there)
    eta0 -= top
    eta1 -= top
    e = np.exp(np.concatenate((eta0, eta1)))
    values = np.empty((2, 3, n_trials))  # arm, term (exp(eta), exp(eta) x, exp(eta) x x)
    values[:, 0] = e.reshape(2, n_trials)
    np.multiply(values[:, 0], x, out=values[:, 1])
    np.multiply(values[:, 1], x, out=values[:, 2])
    if np.isfinite(values).all() and (values[:, 0] > 0).all():
        # the selection by arithmetic, faster: v1 * 1 + v0 * 0 = v1 exactly (v1, v0 finite
        # and not zero: the centred arm is never 0, so no -0.0 whose sign would be lost)
        w = runs.arm_weights[0] * values[1]  # (rows, 3, trials)
        w += runs.arm_weights[1] * values[0]
    else:
        w = np.where(runs.arm1, values[1], values[0])
    for i in range(1, runs.n):  # cumulative sums down each stratum, all trials at once
        np.add(w[i], w[i - 1], out=w[i], where=runs.goes_on[i])
    risk = w.take(runs.ev_places)  # (3, trials, events)
    den = risk[0]
    terms = np.empty((n_trials, 4, den.shape[1]))
    terms[:, 0] = np.where(runs.ev_arm1, eta1[:, None], eta0[:, None])
    terms[:, 1] = np.log(den)
    np.divide(risk[1], den, out=terms[:, 2])
    np.divide(risk[2], den, out=terms[:, 3])
    ll, u, info = (np.empty(n_trials) for _ in range(3))
    for trials, m in groups:  # pairwise sums and dot products of length m (module doc)
        t = terms.take(trials, axis=0)[:, :, :m] if len(trials) < n_trials else terms[:, :, :m]
        total = np.add.reduce(t, axis=2)
        ll[trials] = total[:, 0] - total[:, 1]
        u[trials] = rows.x_dead_sum[trials] - total[:, 2]
        info[trials] = total[:, 3] - np.vecdot(t[:, 2], t[:, 2])
    return ll, u, info


def _prepare(rows: _SortedTrials):
    """The centred arm values and the sum of x over events (``cox._design``)."""
    mean = rows.n_arm1 / rows.n_kept  # add.reduce of 0/1 / n: exact sum, the same mean
    rows.x_values = np.stack([0.0 - mean, 1.0 - mean], axis=1)  # (trials, arm)
    x_dead = np.where(rows.ev_take(rows.arm).astype(bool), rows.x_values[:, 1:],
                      rows.x_values[:, :1])
    rows.x_dead_sum = np.empty(len(mean))
    for trials, m in _groups(rows.m):
        rows.x_dead_sum[trials] = np.add.reduce(x_dead.take(trials, axis=0)[:, :m], axis=1)


@np.errstate(divide="ignore", invalid="ignore", over="ignore")
def _newton(rows: _SortedTrials):
    """``cox._newton`` from 0 for every trial, the trials not yet converged together; then
    the standard error as ``lean.logrank_cox``. Returns coef, se, fitted (False: the
    per-trial path raises: a zero information)."""
    n_trials = len(rows.m)
    _prepare(rows)
    coef, info_out = np.full(n_trials, np.nan), np.full(n_trials, np.nan)
    fitted = np.ones(n_trials, dtype=bool)
    beta = np.zeros(n_trials)
    work, at = rows, np.arange(n_trials)  # the trials iterated (rows ``at`` of the batch)
    runs, groups = _Runs(work), _groups(work.m)
    ll0, u0, i0 = _sums(work, runs, groups, beta)
    fitted &= i0 != 0
    best = ll0
    newbeta = beta + u0 / i0
    halving = np.zeros(n_trials, dtype=np.int64)
    active = fitted.copy()
    for _ in range(MAX_ITER):
        if not active.any():
            break
        if active.sum() <= len(at) // 2:  # drop the finished trials from the work
            still = active.take(at).nonzero()[0]
            work, at = work.subset(still), at.take(still)
            runs, groups = _Runs(work), _groups(work.m)
        on = active.take(at)
        ll, u, info = _sums(work, runs, groups, newbeta.take(at))
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
        part = rows.subset(i)
        coef[i] = beta[i]
        info_out[i] = _sums(part, _Runs(part), _groups(part.m), beta[i])[2]
    fitted &= info_out != 0
    var = 1 / info_out
    se = np.where(var >= 0, np.sqrt(var), np.nan)
    return coef, se, fitted
