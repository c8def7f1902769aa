"""Inverse-variance pooling of log hazard ratios, as R's ``metafor::rma()`` computes it.

Methods (``method``): ``"FE"`` common (fixed) effect; random effects with tau² by ``"DL"``
(DerSimonian-Laird), ``"REML"`` or ``"PM"`` (Paule-Mandel). ``hksj=True`` gives the
Hartung-Knapp-Sidik-Jonkman test and CI (metafor ``test="knha"``: variance scaled by the
weighted residual mean square, not truncated at 1; t with k-1 df); otherwise z. Everything is
on the log-HR scale; CIs are two-sided at ``conf_level``, the p-value two-sided.

What comes from statsmodels (``statsmodels.stats.meta_analysis.combine_effects``): Cochran's
Q and the DL tau². Written here because statsmodels lacks them or falls short: the REML tau²;
the truncation of the DL tau² at 0 (statsmodels leaves it negative when Q < k-1; metafor
truncates); the PM tau² as the root of Q(tau²) = k-1 by bisection (statsmodels' iteration
stops at |Q - (k-1)| < 1e-5, and with a tighter tolerance returns 0 when rounding makes one
step overshoot the root: 0.0 instead of metafor's 0.02364 on the chapter's default trials);
the pooled mean, SE and HKSJ variance given any tau² (one code path for all four
methods; the tests check it equals statsmodels' own for DL and PM), I² and H² as metafor
defines them, the Q-profile CI of tau² and I² (metafor ``confint``), the prediction interval
(metafor ``predict``: mu ± crit·sqrt(SE² + tau²), crit z or, with HKSJ, t with k-1 df; not
Higgins' k-2), leave-one-out and cumulative analyses (metafor ``leave1out``, ``cumul``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from statsmodels.stats.meta_analysis import combine_effects

from helpers.core.errors import ParameterError

METHODS = ("FE", "DL", "REML", "PM")
METHOD_LABELS = {"FE": "Common effect (inverse variance)", "DL": "Random effects, DerSimonian-Laird",
                 "REML": "Random effects, REML", "PM": "Random effects, Paule-Mandel"}
TOL = 1e-12  # root-finding tolerance of tau² (metafor's default threshold is 1e-5)


@dataclass(frozen=True)
class PooledEstimate:
    """A pooled log HR (``estimate``, ``se``, ``lower``, ``upper``, two-sided ``p``) with
    heterogeneity: ``tau2`` (method's estimate), ``i2`` and ``h2`` (metafor's definitions, I² in
    percent), Cochran's ``q`` (k-1 df) and ``q_p``; Q-profile CIs ``tau2_lower/upper`` and
    ``i2_lower/upper`` at ``conf_level``; prediction interval ``pi_lower/upper``. ``hr*``
    properties give the HR scale."""

    method: str
    hksj: bool
    conf_level: float
    k: int
    estimate: float
    se: float
    statistic: float
    p: float
    lower: float
    upper: float
    tau2: float
    i2: float
    h2: float
    q: float
    q_p: float
    tau2_lower: float
    tau2_upper: float
    i2_lower: float
    i2_upper: float
    pi_lower: float
    pi_upper: float

    @property
    def hr(self) -> float:
        return float(np.exp(self.estimate))

    @property
    def hr_lower(self) -> float:
        return float(np.exp(self.lower))

    @property
    def hr_upper(self) -> float:
        return float(np.exp(self.upper))

    @property
    def pi_hr(self) -> tuple[float, float]:
        """The prediction interval on the HR scale."""
        return float(np.exp(self.pi_lower)), float(np.exp(self.pi_upper))

    @property
    def label(self) -> str:
        return METHOD_LABELS[self.method] + (", HKSJ" if self.hksj else "")

    def to_dict(self) -> dict:
        return {**asdict(self), "hr": self.hr, "hr_lower": self.hr_lower,
                "hr_upper": self.hr_upper, "label": self.label}


def _arrays(df: pd.DataFrame, effect: str, se: str) -> tuple[np.ndarray, np.ndarray]:
    missing = [c for c in (effect, se) if c not in df.columns]
    if missing:
        raise ParameterError(f"pooling: column(s) {', '.join(missing)} not in the trial table")
    y = df[effect].to_numpy(float)
    v = df[se].to_numpy(float) ** 2
    if not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        bad = df.index[~(np.isfinite(y) & np.isfinite(v) & (v > 0))].tolist()
        raise ParameterError(f"pooling: non-finite effect or non-positive SE in rows {bad}")
    return y, v


def _combine(y: np.ndarray, v: np.ndarray):
    """statsmodels' DL fit; its random-effects SEs are NaN when its untruncated tau² < 0
    (numpy warns): only ``q`` and ``tau2`` are used."""
    with np.errstate(invalid="ignore"):
        return combine_effects(y, v, method_re="dl")


def _weighted(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[float, np.ndarray]:
    w = 1 / (v + tau2)
    return float(w @ y / w.sum()), w


def tau2_reml(y: np.ndarray, v: np.ndarray) -> float:
    """REML tau²: root of the restricted-likelihood score
    ``sum w²(y-mu)² - sum w + sum w²/sum w`` (w = 1/(v+tau²)), 0 when the score at 0 is <= 0."""

    def score(t: float) -> float:
        mu, w = _weighted(y, v, t)
        return float((w**2) @ (y - mu) ** 2 - w.sum() + (w**2).sum() / w.sum())

    if score(0.0) <= 0:
        return 0.0
    upper = max(float(np.var(y)), float(v.max()), 1e-4)
    while score(upper) > 0:
        upper *= 2
    return float(optimize.brentq(score, 0.0, upper, xtol=TOL, rtol=4 * np.finfo(float).eps,
                                 maxiter=1000))


def tau2_estimate(y: np.ndarray, v: np.ndarray, method: str) -> float:
    """tau² by ``method`` (FE: 0)."""
    if method == "FE":
        return 0.0
    if method == "REML":
        return tau2_reml(y, v)
    if len(y) < 2:
        return 0.0
    if method == "DL":
        return max(0.0, float(_combine(y, v).tau2))
    if method == "PM":
        return _q_root(y, v, len(y) - 1)
    raise ParameterError(f"parameter 'meta_method': unknown method {method!r} "
                         f"(known: {', '.join(METHODS)})")


def _generalised_q(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    mu, w = _weighted(y, v, tau2)
    return float(w @ (y - mu) ** 2)


def tau2_q_profile(y: np.ndarray, v: np.ndarray, conf_level: float = 0.95) -> tuple[float, float]:
    """Q-profile CI of tau² (Viechtbauer 2007; metafor ``confint``): the tau² where the
    generalised Q equals the chi²(k-1) quantiles; a bound is 0 when Q(0) is already below."""
    k = len(y)
    if k < 2:
        return float("nan"), float("nan")
    alpha = 1 - conf_level
    return (_q_root(y, v, stats.chi2.ppf(1 - alpha / 2, k - 1)),
            _q_root(y, v, stats.chi2.ppf(alpha / 2, k - 1)))


def _q_root(y: np.ndarray, v: np.ndarray, target: float) -> float:
    """The tau² >= 0 where the generalised Q (decreasing in tau²) equals ``target``; 0 when
    Q(0) <= target."""
    if _generalised_q(y, v, 0.0) <= target:
        return 0.0
    upper = max(float(np.var(y)), float(v.max()), 1e-4)
    while _generalised_q(y, v, upper) > target:
        upper *= 2
    return float(optimize.brentq(lambda t: _generalised_q(y, v, t) - target, 0.0, upper,
                                 xtol=TOL, rtol=4 * np.finfo(float).eps, maxiter=1000))


def _typical_variance(v: np.ndarray) -> float:
    """metafor's 'typical' within-study variance (k-1) / (sum w - sum w²/sum w), w = 1/v."""
    w = 1 / v
    return (len(v) - 1) / (w.sum() - (w**2).sum() / w.sum())


def pool(df: pd.DataFrame, effect: str = "log_hr", se: str = "se", *, method: str = "REML",
         hksj: bool = False, conf_level: float = 0.95) -> PooledEstimate:
    """Pool ``effect`` (log HR) with standard errors ``se`` from the rows of ``df``."""
    if method not in METHODS:
        raise ParameterError(f"parameter 'meta_method': unknown method {method!r} "
                             f"(known: {', '.join(METHODS)})")
    if hksj and method == "FE":
        raise ParameterError("parameter 'meta_hksj': the Hartung-Knapp-Sidik-Jonkman adjustment "
                             "is for random-effects models, not method 'FE' (as metafor warns)")
    if not 0 < conf_level < 1:
        raise ParameterError(f"conf_level must lie in (0, 1), got {conf_level!r}")
    y, v = _arrays(df, effect, se)
    k = len(y)
    if k == 0:
        raise ParameterError("pooling needs at least 1 trial, got none")
    if k == 1:  # as metafor: the trial itself, z test (no HKSJ with 0 df), no heterogeneity
        return _single(method, hksj, conf_level, float(y[0]), float(np.sqrt(v[0])))
    tau2 = tau2_estimate(y, v, method)
    mu, w = _weighted(y, v, tau2)
    var = 1 / w.sum()
    if hksj:  # metafor test="knha" (= statsmodels' "wls" scale, untruncated)
        var *= float(w @ (y - mu) ** 2) / (k - 1)
        dist = stats.t(k - 1)
    else:
        dist = stats.norm
    se_mu = float(np.sqrt(var))
    crit = float(dist.ppf(1 - (1 - conf_level) / 2))
    statistic = mu / se_mu
    q = float(_combine(y, v).q)
    vt = _typical_variance(v)
    if method == "FE":
        i2 = max(0.0, 100 * (q - (k - 1)) / q) if q > 0 else 0.0
        h2 = q / (k - 1)
    else:
        i2 = 100 * tau2 / (vt + tau2)
        h2 = (vt + tau2) / vt
    t_lo, t_hi = tau2_q_profile(y, v, conf_level)
    half_pi = crit * np.sqrt(se_mu**2 + tau2)
    return PooledEstimate(
        method=method, hksj=hksj, conf_level=conf_level, k=k, estimate=mu, se=se_mu,
        statistic=statistic, p=float(2 * dist.sf(abs(statistic))),
        lower=mu - crit * se_mu, upper=mu + crit * se_mu, tau2=tau2, i2=i2, h2=h2, q=q,
        q_p=float(stats.chi2.sf(q, k - 1)), tau2_lower=t_lo, tau2_upper=t_hi,
        i2_lower=100 * t_lo / (vt + t_lo), i2_upper=100 * t_hi / (vt + t_hi),
        pi_lower=float(mu - half_pi), pi_upper=float(mu + half_pi))


def _single(method: str, hksj: bool, conf_level: float, y: float, se: float) -> PooledEstimate:
    crit = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    nan = float("nan")
    return PooledEstimate(
        method=method, hksj=hksj, conf_level=conf_level, k=1, estimate=y, se=se,
        statistic=y / se, p=float(2 * stats.norm.sf(abs(y / se))), lower=y - crit * se,
        upper=y + crit * se, tau2=0.0, i2=0.0, h2=1.0, q=0.0, q_p=1.0, tau2_lower=nan,
        tau2_upper=nan, i2_lower=nan, i2_upper=nan, pi_lower=y - crit * se, pi_upper=y + crit * se)


def pooled_table(results: list[PooledEstimate]) -> pd.DataFrame:
    """One row per pooled estimate, HR scale: method, k, HR, CI, p, tau², I² (CI), Q p, PI."""
    return pd.DataFrame([{
        "Method": r.label, "k": r.k, "HR": r.hr, "Lower": r.hr_lower, "Upper": r.hr_upper,
        "p": r.p, "tau2": r.tau2, "I2 (%)": r.i2, "I2 lower": r.i2_lower, "I2 upper": r.i2_upper,
        "Q p": r.q_p, "PI lower": float(np.exp(r.pi_lower)), "PI upper": float(np.exp(r.pi_upper)),
    } for r in results])
