"""ARD rows of the competing-risks results (``helpers.survival``: ``cumulative_incidence``,
``gray_test``, ``fine_gray``), named as {cardx}/tidycmprsk name them (``docs/ard.md``).

The event type is the second grouping: ``group2`` the event-type column (e.g. ``EVNTDESC``),
``group2_level`` the event code as the data hold it. Times in the unit of the analysed data;
cumulative incidences are proportions 0-1; a CI's level is the row's ``conf_level``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from helpers.survival import CumulativeIncidence

from .build import ArdBuilder

__all__ = ["add_at_risk", "add_cuminc", "add_finegray", "add_gray", "cuminc_method_id"]


def cuminc_method_id() -> str:
    """Aalen-Johansen cumulative incidence with log(-log) pointwise CIs (cmprsk's variance)."""
    return "cuminc_aj_loglog"


def add_cuminc(b: ArdBuilder, analysis_id: str, ci: CumulativeIncidence, codes: Sequence[str],
               counts: Mapping[Any, Mapping[str, int]], *, arm: str, event_type: str,
               paramcd: str = "", output_id: str = "") -> None:
    """Per arm (``group1`` = ``arm``): ``n`` and ``n.censor``; per arm and event type
    (``group2`` = ``event_type``, level the code; causes numbered 1.. as ``codes``):
    ``n.event``, and at each landmark (``variable`` time) the cumulative incidence
    ``estimate`` with ``std.error`` (square root of cmprsk's variance), ``conf.low``,
    ``conf.high``; per arm at each landmark ``n.risk``. ``counts``: arm -> {"n", "censored",
    code: events}. A landmark beyond an arm's follow-up is missing with the reason; a CI at an
    incidence of 0 is missing ("incidence 0: no CI")."""
    a = b.analysis(analysis_id, cuminc_method_id(), "cuminc", paramcd=paramcd,
                   output_id=output_id, group1=arm)
    table = ci.table
    for code_arm in ci.groups:
        g = a.scoped(group1_level=code_arm)
        g.add("n", counts[code_arm]["n"], "N")
        g.add("n.censor", counts[code_arm]["censored"], "Number censored")
        risk = table[(table["group"] == code_arm) & (table["cause"] == ci.causes[0])]
        for row in risk.itertuples():
            g.scoped(variable="time", variable_level=row.time).add(
                "n.risk", row.n_risk, "Number at risk")
        for k, code in zip(ci.causes, codes):
            e = g.scoped(group2=event_type, group2_level=code)
            e.add("n.event", counts[code_arm][code], "Number of events")
            rows = table[(table["group"] == code_arm) & (table["cause"] == k)]
            for row in rows.itertuples():
                t = e.scoped(variable="time", variable_level=row.time, conf_level=ci.conf_level)
                beyond = "" if row.estimate == row.estimate else \
                    f"landmark beyond the follow-up of {arm} {code_arm}"
                no_ci = beyond or ("" if row.lower == row.lower else
                                   f"cumulative incidence {row.estimate:g}: no CI")
                t.add("estimate", row.estimate, "Cumulative incidence", warning=beyond)
                t.add("std.error", row.std_err, "Standard error", warning=beyond)
                t.add("conf.low", row.lower, "Cumulative incidence, CI lower limit", warning=no_ci)
                t.add("conf.high", row.upper, "Cumulative incidence, CI upper limit",
                      warning=no_ci)


def add_at_risk(b: ArdBuilder, analysis_id: str, at_risk: Any, *, arm: str, paramcd: str = "",
                output_id: str = "") -> None:
    """Numbers at risk (time >= t) per arm (``group1`` = ``arm``) at each time (``variable``
    time, level the time) of ``at_risk`` (index arms, columns times): ``n.risk``, the
    numbers under a cumulative incidence figure."""
    a = b.analysis(analysis_id, cuminc_method_id(), "cuminc", paramcd=paramcd,
                   output_id=output_id, group1=arm)
    for code_arm, row in at_risk.iterrows():
        for t, n in row.items():
            a.add("n.risk", n, "Number at risk", group1_level=code_arm, variable="time",
                  variable_level=float(t))


def add_gray(b: ArdBuilder, analysis_id: str, tests: Mapping[str, Any], *, arm: str,
             comparison: str, event_type: str, paramcd: str = "", output_id: str = "") -> None:
    """Gray's test per event type (``group2_level`` the code): ``statistic`` (chi-square),
    ``df``, ``p.value`` (upper tail); ``comparison`` e.g. "B vs A". Stratified tests have
    method ``gray_strat``."""
    for code, test in tests.items():
        a = b.analysis(analysis_id, "gray_strat" if test.strata else "gray", "cuminc",
                       paramcd=paramcd, output_id=output_id, group1=arm,
                       group1_level=comparison, group2=event_type, group2_level=code,
                       variable=arm)
        why = test.note
        a.add("statistic", test.statistic, "Chi-square (Gray)", warning=why)
        a.add("df", test.df, "Degrees of freedom")
        a.add("p.value", test.p, "p-value (Gray, two-sided)", warning=why)


def add_finegray(b: ArdBuilder, analysis_id: str, fits: Mapping[str, Any], *, event_type: str,
                 paramcd: str = "", output_id: str = "") -> None:
    """The Fine-Gray subdistribution hazard ratio of the arm per event type (``group2_level``
    the code): ``estimate``, ``conf.low``, ``conf.high`` (Wald at ``conf_level``),
    ``std.error`` (robust, of the log sHR), ``p.value`` (Wald, two-sided), ``n``, ``n.event``
    (events of that type). Not estimable: missing with the model's reason."""
    for code, fit in fits.items():
        a = b.analysis(analysis_id, "crr", "crr", paramcd=paramcd, output_id=output_id,
                       conf_level=fit.conf_level, group1=fit.arm,
                       group1_level=f"{fit.experimental} vs {fit.control}", group2=event_type,
                       group2_level=code, variable=fit.arm)
        why = "" if fit.estimable else (fit.note or "not estimable")
        a.add("estimate", fit.hr, "Subdistribution hazard ratio", warning=why)
        a.add("conf.low", fit.lower, "Subdistribution hazard ratio, CI lower limit", warning=why)
        a.add("conf.high", fit.upper, "Subdistribution hazard ratio, CI upper limit", warning=why)
        a.add("std.error", fit.se, "Robust standard error of the log subdistribution hazard ratio",
              warning=why)
        a.add("p.value", fit.p, "p-value (Wald, two-sided)", warning=why)
        a.add("n", fit.n, "N")
        a.add("n.event", fit.events, "Number of events")
