"""What the endpoint chapters show of an ``EndpointAnalysis`` (``helpers.analyses.endpoint``):
the summary table per arm, the results paragraph and the Kaplan-Meier plot's annotation.
Times in the analysis' ``time_unit`` (months); CIs at the levels the analysis states."""

from __future__ import annotations

import pandas as pd

from helpers.core.textsafe import md_text
from helpers.analyses.endpoint import CONTROL, EXPERIMENTAL, EndpointAnalysis
from helpers.report.format import format_hr, format_median, format_p

__all__ = ["km_annotation", "results_text", "summary_table"]


def summary_table(analysis: EndpointAnalysis) -> pd.DataFrame:
    """One row per arm: N, events, median (CI) in months, landmark rates (CI) in %."""
    rows = []
    for row in analysis.medians.itertuples():
        out = {
            "Arm": analysis.arm_labels[row.group],
            "N": row.n,
            "Events": row.events,
            f"Median, {analysis.time_unit} ({analysis.km_conf_level:.0%} CI)":
                format_median(row.median, row.median_lower, row.median_upper),
        }
        for lm in analysis.landmarks[analysis.landmarks["group"] == row.group].itertuples():
            out[f"{lm.time:g}-{analysis.time_unit.rstrip('s')} rate, % ({analysis.km_conf_level:.0%} CI)"] = format_median(
                100 * lm.surv, 100 * lm.lower, 100 * lm.upper)
        rows.append(out)
    return pd.DataFrame(rows)


def results_text(analysis: EndpointAnalysis, endpoint: str, events: str) -> str:
    """The results paragraph (Markdown: ``endpoint``, ``events``, arm labels, strata and unit
    shown literally, see ``helpers.core.textsafe``; the package's own notes as they are):
    events per arm, medians (CI), HR (CI) and log-rank p, e.g.
    ``results_text(analysis, "OS", "deaths")``."""
    hr, med = analysis.hazard_ratio, analysis.medians.set_index("group")
    endpoint, events, unit = md_text(endpoint), md_text(events), md_text(analysis.time_unit)
    arm = {code: md_text(analysis.arm_labels[code].lower()) for code in (CONTROL, EXPERIMENTAL)}

    def median(code: str) -> str:
        return format_median(*med.loc[code, ["median", "median_lower", "median_upper"]])

    strata = md_text(", ".join(analysis.strata))
    return (
        f"{hr.events} {events} were observed among {hr.n} patients "
        f"({med.loc[CONTROL, 'events']} in arm {CONTROL}, {med.loc[EXPERIMENTAL, 'events']} "
        f"in arm {EXPERIMENTAL}). Median {endpoint} was {median(CONTROL)} {unit} with "
        f"{arm[CONTROL]} and {median(EXPERIMENTAL)} {unit} with "
        f"{arm[EXPERIMENTAL]} ({analysis.km_conf_level:.0%} CIs). The hazard "
        f"ratio of arm {EXPERIMENTAL}"
        + (f", stratified by {strata}," if strata else " (unstratified)")
        + (f" was {format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)}" if hr.estimable
           else f" was {hr.note}")
        + (f"; the {analysis.sided} {'stratified ' if strata else ''}log-rank p-value was "
           f"{format_p(analysis.p_logrank)}." if analysis.p_logrank == analysis.p_logrank else
           f"; the log-rank test was {analysis.logrank.note or 'not estimable'}.")
        + (f" {hr.n_excluded} patients with a missing arm, time, event or stratification "
           "factor were left out of every analysis of this endpoint (as R's na.omit)."
           if hr.n_excluded else "")
    )


def km_annotation(analysis: EndpointAnalysis) -> str:
    """Plot annotation: median (CI) per arm, the HR (CI) of which arm versus which,
    stratified by what (or unstratified), and the log-rank p."""
    lines = [f"Median, {analysis.time_unit} ({analysis.km_conf_level:.0%} CI)"]
    for row in analysis.medians.itertuples():
        median = format_median(row.median, row.median_lower, row.median_upper)
        lines.append(f"  {analysis.arm_labels.get(row.group, row.group)}: {median}")
    hr = analysis.hazard_ratio
    lines.append(f"HR {format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)},")
    lines.append(f"  {analysis.arm_labels.get(EXPERIMENTAL, EXPERIMENTAL).lower()}")
    lines.append(f"  vs {analysis.arm_labels.get(CONTROL, CONTROL).lower()},")
    lines.append(f"  stratified by {', '.join(analysis.strata)}" if analysis.strata else "  unstratified")
    p = format_p(analysis.p_logrank)
    lines.append(f"{analysis.sided} log-rank p {p if p.startswith('<') else '= ' + p}")
    return "\n".join(lines)
