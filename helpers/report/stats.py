"""Statistics of an ARD as the supplement prints them: the building blocks of every table,
annotation and sentence of ``report/`` (``helpers.ard.ArdView``; the text is the rows'
``stat_fmt``, set by ``helpers.report.format.format_stat``, so a printed number and its ARD row
cannot disagree). A statistic that is not estimable prints as "NE" in a table and "not
estimable" in a sentence; comparisons that choose words are made on the printed value, so
"below 1" is never said beside a printed 1.00.

Every function takes the view, the ``analysis_id`` and the row's key fields (``group1_level``,
``variable``, ``variable_level``, ...) as keywords, as ``ArdView.row`` does.
"""

from __future__ import annotations

import math

from helpers.ard import ArdView

__all__ = ["NE", "NOT_ESTIMABLE", "below", "conf_text", "est_ci", "estimate_ci", "hr_ci",
           "is_missing", "n_pct", "p_phrase", "p_text", "printed_value", "said", "shown", "value"]

#: What a not-estimable statistic prints as in a table, and in a sentence.
NE = "NE"
NOT_ESTIMABLE = "not estimable"


def shown(view: ArdView, analysis_id: str, stat_name: str, missing: str = NE, **where) -> str:
    """The statistic as printed (``missing``, "NE", when not estimable)."""
    return view.fmt(analysis_id, stat_name, **where) or missing


def said(view: ArdView, analysis_id: str, stat_name: str, missing: str = NOT_ESTIMABLE,
         **where) -> str:
    """The statistic as printed in a sentence ("not estimable" when it is not)."""
    return shown(view, analysis_id, stat_name, missing=missing, **where)


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


def conf_text(view: ArdView, analysis_id: str, stat_name: str = "conf.low", **where) -> str:
    """The CI level of the analysis' ``conf.low`` row as a percentage ("90%"; "" if none)."""
    level = float(view.row(analysis_id, stat_name, **where)["conf_level"])
    return "" if math.isnan(level) else f"{level:.0%}"


def estimate_ci(view: ArdView, analysis_id: str, *, level: bool = True, sep: str = " CI ",
                **where) -> str:
    """"0.86 (90% CI 0.69–1.07)" from the ``estimate``/``conf.low``/``conf.high`` rows
    (``level=False``: "0.86 (0.69–1.07)"), for sentences: "not estimable (why)" when the
    estimate is missing; a missing bound prints as NE."""
    est = view.fmt(analysis_id, "estimate", **where)
    if not est:
        why = view.reason(analysis_id, "estimate", **where)
        return NOT_ESTIMABLE if why in ("", NOT_ESTIMABLE) else f"{NOT_ESTIMABLE} ({why})"
    low, high = (shown(view, analysis_id, s, **where) for s in ("conf.low", "conf.high"))
    prefix = f"{conf_text(view, analysis_id, **where)}{sep}" if level else ""
    return f"{est} ({prefix}{low}–{high})"


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
    """A printed p-value in a sentence: "p = 0.042", "p < 0.0001", "p not estimable"."""
    if not p_fmt or p_fmt == NE:
        return f"p {NOT_ESTIMABLE}"
    return f"p {p_fmt}" if p_fmt.startswith("<") else f"p = {p_fmt}"
