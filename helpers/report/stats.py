"""Statistics of an ARD as the supplement prints them: the building blocks of every table,
annotation and sentence of ``report/`` (``helpers.ard.ArdView``; the text is the rows'
``stat_fmt``, set by ``helpers.report.format.format_stat``, so a printed number and its ARD row
cannot disagree). A statistic that is not estimable prints as "NE".

Every function takes the view, the ``analysis_id`` and the row's key fields (``group1_level``,
``variable``, ``variable_level``, ...) as keywords, as ``ArdView.row`` does.
"""

from __future__ import annotations

import math

from helpers.ard import ArdView

__all__ = ["NE", "conf_text", "est_ci", "hr_ci", "is_missing", "n_pct", "p_text", "shown",
           "value"]

#: What a not-estimable statistic prints as.
NE = "NE"


def shown(view: ArdView, analysis_id: str, stat_name: str, **where) -> str:
    """The statistic as printed ("NE" when not estimable)."""
    return view.fmt(analysis_id, stat_name, **where) or NE


def value(view: ArdView, analysis_id: str, stat_name: str, **where) -> float:
    """The statistic's value (NaN when not estimable), for choices of wording only."""
    return view.stat(analysis_id, stat_name, **where)


def is_missing(view: ArdView, analysis_id: str, stat_name: str, **where) -> bool:
    return math.isnan(value(view, analysis_id, stat_name, **where))


def est_ci(view: ArdView, analysis_id: str, **where) -> str:
    """"estimate (conf.low–conf.high)", e.g. a median "69.0 (60.1–78.2)" or a landmark rate in %
    "78.2 (72.0–83.4)"; "NE" for a value or bound not estimable."""
    est, low, high = (shown(view, analysis_id, s, **where)
                      for s in ("estimate", "conf.low", "conf.high"))
    return f"{est} ({low}–{high})"


def conf_text(view: ArdView, analysis_id: str, **where) -> str:
    """The CI level of the analysis' ``conf.low`` row as a percentage ("90%")."""
    level = float(view.row(analysis_id, "conf.low", **where)["conf_level"])
    return f"{level:.0%}"


def hr_ci(view: ArdView, analysis_id: str, **where) -> str:
    """"0.86 (90% CI 0.69–1.07)"; "NE" when the hazard ratio is not estimable."""
    if is_missing(view, analysis_id, "estimate", **where):
        return NE
    return (f"{shown(view, analysis_id, 'estimate', **where)} ({conf_text(view, analysis_id, **where)}"
            f" CI {shown(view, analysis_id, 'conf.low', **where)}–"
            f"{shown(view, analysis_id, 'conf.high', **where)})")


def n_pct(view: ArdView, analysis_id: str, **where) -> str:
    """"12 (5.9%)" from the ``n`` and ``p`` rows; "0" alone when n is 0; "n" alone when the
    proportion is not estimable."""
    n = shown(view, analysis_id, "n", **where)
    if n == "0":
        return n
    p = view.fmt(analysis_id, "p", **where)
    return f"{n} ({p}%)" if p else n


def p_text(view: ArdView, analysis_id: str, stat_name: str = "p.value", **where) -> str:
    """A p-value after "p": "= 0.042" or "< 0.0001" (or "NE")."""
    p = shown(view, analysis_id, stat_name, **where)
    return p if p.startswith("<") or p == NE else f"= {p}"
