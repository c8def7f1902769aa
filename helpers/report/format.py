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


def format_n_pct(n: int, denominator: int, digits: int = 1) -> str:
    """"12 (5.9%)"; percent of ``denominator`` ("0" alone when n is 0)."""
    if n == 0:
        return "0"
    return f"{n} ({100 * n / denominator:.{digits}f}%)"
