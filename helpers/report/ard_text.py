"""Pieces of sentences and table cells read from ARD rows (``ArdView``), printed with the rows'
``stat_fmt`` (the one rule set of :func:`helpers.report.format.format_stat`).

A statistic that is not estimable prints as "not estimable" (or ``missing``), never a number.
"""

from __future__ import annotations

import math

from helpers.ard import ArdView

__all__ = ["NE", "ci_level_text", "estimate_ci", "hr_ci", "p_phrase", "value"]

NE = "not estimable"


def value(view: ArdView, analysis_id: str, stat_name: str, missing: str = NE, **where) -> str:
    """The statistic as printed, or ``missing`` when its value is missing."""
    text = view.fmt(analysis_id, stat_name, **where)
    return text if text else missing


def ci_level_text(view: ArdView, analysis_id: str, stat_name: str = "conf.low", **where) -> str:
    """The CI level of a ``conf.low`` row as "90%"."""
    level = float(view.row(analysis_id, stat_name, **where)["conf_level"])
    return "" if math.isnan(level) else f"{level:.0%}"


def estimate_ci(view: ArdView, analysis_id: str, *, level: bool = True, sep: str = " CI ",
                **where) -> str:
    """"0.86 (90% CI 0.69–1.07)" from the ``estimate``/``conf.low``/``conf.high`` rows
    (``level=False``: "0.86 (0.69–1.07)"); "not estimable" when the estimate is missing; a
    missing bound prints as NE."""
    est = view.fmt(analysis_id, "estimate", **where)
    if not est:
        why = view.reason(analysis_id, "estimate", **where)
        return NE if why in ("", NE) else f"{NE} ({why})"
    low = view.fmt(analysis_id, "conf.low", **where) or "NE"
    high = view.fmt(analysis_id, "conf.high", **where) or "NE"
    prefix = f"{ci_level_text(view, analysis_id, **where)}{sep}" if level else ""
    return f"{est} ({prefix}{low}–{high})"


def hr_ci(view: ArdView, analysis_id: str, **where) -> str:
    """A hazard ratio with its CI and level ("0.86 (90% CI 0.69–1.07)")."""
    return estimate_ci(view, analysis_id, **where)


def p_phrase(view: ArdView, analysis_id: str, stat_name: str = "p.value", **where) -> str:
    """"p = 0.13" or "p < 0.0001" ("p not estimable" when missing)."""
    text = view.fmt(analysis_id, stat_name, **where)
    if not text:
        return f"p {NE}"
    return f"p {text}" if text.startswith("<") else f"p = {text}"
