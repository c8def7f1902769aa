"""Number formatting shared by tables, plot annotations and notebook prose.

En dash (–) between CI bounds; "NE" for a value that is not estimable (NaN/None).
"""

from __future__ import annotations

import math


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def format_number(x, digits: int = 2) -> str:
    """``x`` with ``digits`` decimals, or "NE" when missing."""
    return "NE" if _missing(x) else f"{x:.{digits}f}"


def format_ci(lower, upper, digits: int = 2) -> str:
    """"0.69–1.07"; a missing bound shows as NE."""
    return f"{format_number(lower, digits)}–{format_number(upper, digits)}"


def format_hr(hr, lower, upper, conf_level: float = 0.95, digits: int = 2) -> str:
    """"0.86 (90% CI 0.69–1.07)"; "NE" when the HR is not estimable."""
    if _missing(hr):
        return "NE"
    return f"{hr:.{digits}f} ({conf_level:.0%} CI {format_ci(lower, upper, digits)})"


def format_p(p, digits: int | None = None) -> str:
    """p-value: "< 0.0001" below 0.0001; else 4 decimals below 0.01, 3 below 0.1 and 2 from
    0.1 up (``digits`` fixes the decimals instead). "NE" when missing."""
    if _missing(p):
        return "NE"
    if p < 0.0001:
        return "< 0.0001"
    if digits is None:
        digits = 4 if p < 0.01 else 3 if p < 0.1 else 2
    return f"{p:.{digits}f}"


def format_median(m, lower, upper, digits: int = 1) -> str:
    """Median with its CI in months: "69.0 (60.1–78.2)"; "NE" for a median or bound that is
    not estimable (e.g. "NE (60.1–NE)")."""
    return f"{format_number(m, digits)} ({format_ci(lower, upper, digits)})"


#: Comparison signs as data and study files write them -> as readers expect them.
_COMPARISONS = (("<=", "≤"), (">=", "≥"), ("!=", "≠"))


def format_level(level) -> str:
    """A level label as readers see it: ">=50" -> "≥50", "<=2" -> "≤2" (data and study files
    write comparisons in ASCII; the ARD keeps the data's level, only what is shown changes).
    Missing -> ""."""
    if _missing(level):
        return ""
    text = str(level)
    for ascii_sign, sign in _COMPARISONS:
        text = text.replace(ascii_sign, sign)
    return text


def format_n_pct(n: int, denominator: int, digits: int = 1) -> str:
    """"12 (5.9%)"; percent of ``denominator`` ("0" alone when n is 0)."""
    if n == 0:
        return "0"
    return f"{n} ({100 * n / denominator:.{digits}f}%)"


# --- ARD statistics as printed: the one rule set (docs/ard.md) ---------------------------

#: Statistics printed as whole numbers.
COUNT_STATS = frozenset({"n", "N", "N_miss", "n.event", "n.risk", "n.excluded", "n.censor", "df",
                         "k", "events", "patients", "replicates", "year"})
#: Statistics that are proportions 0-1, printed as percentages with one decimal.
PERCENT_STATS = frozenset({"p", "power", "type1", "pct", "mcse"})


def format_stat(context: str, stat_name: str, value, variable: str = "") -> str:
    """One ARD statistic as the supplement prints it ("" when missing: the table or sentence
    says "NE" or the reason). Rules, in order:

    - published figures (context ``published``): as published, ``%g`` ("0.415", "221";
      proportions as percent, "80");
    - counts (``COUNT_STATS``, ``year`` and every ``n.*``): integers ("205");
    - p-values (``p.value*``): ``format_p`` ("0.15", "0.042", "0.0031", "< 0.0001");
    - proportions (``PERCENT_STATS``) and survival / cumulative incidence probabilities at a
      landmark (``survfit``/``cuminc`` rows of ``variable`` time): percent, 1 decimal ("78.2");
    - ``I2`` and its CI, ``weight`` (already percentages): 1 decimal; ``tau2``: 3 decimals;
    - design hazard ratios (``design`` hr): 4 decimals, the precision at which the stated 0.77
      and the medians' 20/26 = 0.7692 give different numbers of deaths;
    - hazard ratios and their limits (``coxph``, ``crr``, ``rma``, other ``hr``): 2 decimals;
    - standard errors and test statistics: 3 and 2 decimals;
    - everything else (medians, times, RMST, means, SDs, follow-up): 1 decimal.
    """
    if _missing(value):
        return ""
    value = float(value)
    if context == "published":
        return f"{100 * value:g}" if stat_name in PERCENT_STATS else f"{value:g}"
    if stat_name in COUNT_STATS or stat_name.startswith("n."):
        return f"{value:.0f}"
    if stat_name == "ci.level":  # a CI level, printed as the percent it names
        return f"{100 * value:g}"
    if stat_name.startswith("p.value"):  # a negative one is a difference of p-values
        return format_p(value) if value >= 0 else f"{value:.4f}"
    if stat_name in PERCENT_STATS or (context in ("survfit", "cuminc") and variable == "time"
                                      and stat_name in ("estimate", "conf.low", "conf.high")):
        return f"{100 * value:.1f}"
    if stat_name in ("I2", "I2.conf.low", "I2.conf.high", "weight"):
        return f"{value:.1f}"
    if stat_name == "tau2":
        return f"{value:.3f}"
    if context == "design" and stat_name == "hr":  # where 0.77 and 20/26 = 0.7692 differ
        return f"{value:.4f}"
    if context in ("coxph", "crr", "rma") or stat_name in ("hr", "alpha"):
        return f"{value:.2f}" if stat_name != "std.error" else f"{value:.3f}"
    if stat_name == "std.error":
        return f"{value:.3f}"
    if stat_name in ("statistic", "Q"):
        return f"{value:.2f}"
    return f"{value:.1f}"


def fill_stat_fmt(ard):
    """``ard`` with ``stat_fmt`` set by ``format_stat`` for every row (a copy)."""
    out = ard.copy()
    out["stat_fmt"] = [format_stat(c, s, v, var) for c, s, v, var in
                       zip(out["context"], out["stat_name"], out["stat"], out["variable"])]
    return out
