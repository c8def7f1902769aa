"""Small helpers of the report functions that print ARD rows: a statistic as printed or
"NE", "p = 0.042" / "p < 0.0001", and comparisons made on the printed value (so "below 1"
is never said beside a printed 1.00)."""

from __future__ import annotations

from helpers.ard import ArdView

__all__ = ["below", "fmt_or", "p_phrase", "printed_value"]


def fmt_or(view: ArdView, analysis_id: str, stat_name: str, missing: str = "NE", **where) -> str:
    """The row's ``stat_fmt``, or ``missing`` ("NE") when the statistic is not estimable."""
    return view.fmt(analysis_id, stat_name, **where) or missing


def printed_value(text) -> float | None:
    """The number a printed statistic shows: "0.99" -> 0.99, "< 0.0001" -> 0.0001 (an upper
    bound), "" or "NE" -> None; numbers pass through."""
    if isinstance(text, (int, float)):
        return float(text)
    text = str(text).strip().lstrip("<").strip()
    try:
        return float(text)
    except ValueError:
        return None


def below(a, b) -> bool:
    """True when printed ``a`` is below printed ``b`` ("< 0.0001" is below 0.05); False when
    either is not a number."""
    x, y = printed_value(a), printed_value(b)
    if x is None or y is None:
        return False
    return x < y or (str(a).strip().startswith("<") and x <= y)


def p_phrase(p_fmt: str) -> str:
    """"p = 0.042", "p < 0.0001", "p not estimable"."""
    if not p_fmt or p_fmt == "NE":
        return "p not estimable"
    return f"p {p_fmt}" if p_fmt.startswith("<") else f"p = {p_fmt}"
