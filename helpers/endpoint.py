"""The standard analysis of one time-to-event endpoint, as the endpoint notebooks show it.

One call gives what a trial report shows for an endpoint: Kaplan-Meier per arm with median
(CI), landmark rates, numbers at risk; the (stratified) Cox hazard ratio of the experimental
arm; the (stratified) log-rank test with its one-sided p in the pre-specified direction; the
median follow-up. Times in months. The design choices are arguments, stated in the result:
``hr_conf_level`` (0.90 for the primary endpoint OS, 0.95 otherwise), ``km_conf_level`` and
``km_conf_type`` ("log-log" as SAS by default), ``ties`` ("efron"), ``strata`` and ``sided``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

import pandas as pd

from helpers.survival import (
    FollowUp,
    JsonResult,
    LogRankResult,
    km_by_group,
    km_summary,
    logrank_test,
    median_follow_up,
)
from helpers.survival.cox import HazardRatio, cox_hazard_ratio
from helpers.tables.formatting import format_hr, format_median, format_p

__all__ = ["EndpointAnalysis", "analyse_endpoint", "endpoint_settings"]

ARM = "ARMCD"
CONTROL, EXPERIMENTAL = "A", "B"


@dataclass(frozen=True, eq=False)
class EndpointAnalysis(JsonResult):
    """Results of ``analyse_endpoint``; ``to_dict()`` gives the numbers the supplement shows.

    ``km``: arm code -> KaplanMeier (not serialised: large); ``medians``: one row per arm
    (n, events, median (months) with its ``km_conf_level`` CI); ``landmarks``: S(t) with CI
    per arm at the landmark times (months); ``p_logrank``: the reported log-rank p, one-sided
    (experimental arm better) or two-sided as ``sided`` says.
    """

    paramcd: str
    population: str
    arm_labels: dict
    strata: list
    sided: str
    km_conf_level: float
    km_conf_type: str
    medians: pd.DataFrame
    landmarks: pd.DataFrame
    hazard_ratio: HazardRatio
    logrank: LogRankResult
    p_logrank: float
    follow_up: FollowUp
    km: dict = field(repr=False)
    time_unit: str = "months"

    _json_exclude = ("km",)

    def curves(self) -> dict[str, pd.DataFrame]:
        """"Arm <code>" -> Kaplan-Meier table (time, n_risk, n_event, n_censor, surv, lower,
        upper); short keys keep the numbers-at-risk table readable at print size."""
        return {f"Arm {code}": km.table for code, km in self.km.items()}

    def curve_labels(self) -> dict[str, str]:
        """The keys of ``curves()`` -> the arms' names, for legends and numbers at risk."""
        return {f"Arm {code}": self.arm_labels.get(code, code) for code in self.km}

    def arm_legend(self) -> str:
        """"Arm A: <label>; Arm B: <label>", for captions and footnotes."""
        return "; ".join(f"Arm {code}: {label}" for code, label in self.arm_labels.items())

    def summary_table(self) -> pd.DataFrame:
        """One row per arm: N, events, median (CI) in months, landmark rates (CI) in %."""
        rows = []
        for row in self.medians.itertuples():
            out = {
                "Arm": self.arm_labels[row.group],
                "N": row.n,
                "Events": row.events,
                f"Median, {self.time_unit} ({self.km_conf_level:.0%} CI)":
                    format_median(row.median, row.median_lower, row.median_upper),
            }
            for lm in self.landmarks[self.landmarks["group"] == row.group].itertuples():
                out[f"{lm.time:g}-{self.time_unit.rstrip('s')} rate, % ({self.km_conf_level:.0%} CI)"] = format_median(
                    100 * lm.surv, 100 * lm.lower, 100 * lm.upper)
            rows.append(out)
        return pd.DataFrame(rows)

    def hazard_ratio_row(self, label: str) -> dict[str, Any]:
        """The treatment HR as a row of ``helpers.tables.hazard_ratio_table``, with the
        reported log-rank p."""
        hr = self.hazard_ratio
        return {"label": label, "hr": hr.hr, "lower": hr.lower, "upper": hr.upper,
                "conf_level": hr.conf_level, "p": self.p_logrank,
                "p_label": f"{self.sided} log-rank", "strata": ", ".join(self.strata) or None}

    def results_text(self, endpoint: str, events: str) -> str:
        """The results paragraph (Markdown: ``endpoint``, ``events``, arm labels, strata and
        unit shown literally, see ``helpers.textsafe``; the package's own notes as they are):
        events per arm, medians (CI), HR (CI) and log-rank p, e.g.
        ``results_text("OS", "deaths")``."""
        from helpers.textsafe import md_text

        hr, med = self.hazard_ratio, self.medians.set_index("group")
        endpoint, events, unit = md_text(endpoint), md_text(events), md_text(self.time_unit)
        arm = {code: md_text(self.arm_labels[code].lower()) for code in (CONTROL, EXPERIMENTAL)}

        def median(code: str) -> str:
            return format_median(*med.loc[code, ["median", "median_lower", "median_upper"]])

        strata = md_text(", ".join(self.strata))
        return (
            f"{hr.events} {events} were observed among {hr.n} patients "
            f"({med.loc[CONTROL, 'events']} in arm {CONTROL}, {med.loc[EXPERIMENTAL, 'events']} "
            f"in arm {EXPERIMENTAL}). Median {endpoint} was {median(CONTROL)} {unit} with "
            f"{arm[CONTROL]} and {median(EXPERIMENTAL)} {unit} with "
            f"{arm[EXPERIMENTAL]} ({self.km_conf_level:.0%} CIs). The hazard "
            f"ratio of arm {EXPERIMENTAL}"
            + (f", stratified by {strata}," if strata else " (unstratified)")
            + (f" was {format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)}" if hr.estimable
               else f" was {hr.note}")
            + (f"; the {self.sided} {'stratified ' if strata else ''}log-rank p-value was "
               f"{format_p(self.p_logrank)}." if self.p_logrank == self.p_logrank else
               f"; the log-rank test was {self.logrank.note or 'not estimable'}.")
            + (f" {hr.n_excluded} patients with a missing arm, time, event or stratification "
               "factor were left out of every analysis of this endpoint (as R's na.omit)."
               if hr.n_excluded else "")
        )

    def annotation(self) -> str:
        """Plot annotation: median (CI) per arm, the HR (CI) of which arm versus which,
        stratified by what (or unstratified), and the log-rank p."""
        lines = [f"Median, {self.time_unit} ({self.km_conf_level:.0%} CI)"]
        for row in self.medians.itertuples():
            median = format_median(row.median, row.median_lower, row.median_upper)
            lines.append(f"  {self.arm_labels.get(row.group, row.group)}: {median}")
        hr = self.hazard_ratio
        lines.append(f"HR {format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)},")
        lines.append(f"  {self.arm_labels.get(EXPERIMENTAL, EXPERIMENTAL).lower()}")
        lines.append(f"  vs {self.arm_labels.get(CONTROL, CONTROL).lower()},")
        lines.append(f"  stratified by {', '.join(self.strata)}" if self.strata else "  unstratified")
        p = format_p(self.p_logrank)
        lines.append(f"{self.sided} log-rank p {p if p.startswith('<') else '= ' + p}")
        return "\n".join(lines)


def analyse_endpoint(
    frame: pd.DataFrame,
    *,
    paramcd: str,
    population: str = "ITTFL",
    strata: list[str] | tuple[str, ...] = (),
    hr_conf_level: float = 0.95,
    km_conf_level: float = 0.95,
    km_conf_type: str = "log-log",
    ties: str = "efron",
    sided: str = "two-sided",
    landmarks_months: list[float] | tuple[float, ...] = (36.0, 60.0),
    time_unit: str = "months",
) -> EndpointAnalysis:
    """Analyse one endpoint of an analysis frame (``helpers.dataset.analysis_frame``).

    ``frame`` has one row per patient with ``time`` (months), ``event`` (1 = event), ``ARMCD``
    ("A" control, "B" experimental), ``ARM`` (labels) and the ``strata`` columns.
    """
    if sided not in ("one-sided", "two-sided"):
        raise ValueError(f"sided must be 'one-sided' or 'two-sided', got {sided!r}")
    strata = list(strata)
    # the patients of the Cox model and log-rank test (complete cases, n_excluded stated there)
    complete = frame.dropna(subset=["time", "event", ARM, *strata])
    km = km_by_group(complete, "time", "event", ARM, km_conf_level, km_conf_type)
    hazard_ratio = cox_hazard_ratio(frame, "time", "event", ARM, EXPERIMENTAL, strata=strata,
                                    ties=ties, conf_level=hr_conf_level)
    logrank = logrank_test(frame, "time", "event", ARM, strata=strata, experimental=EXPERIMENTAL)
    landmarks = pd.concat(
        [km_arm.survival_at(landmarks_months).assign(group=code) for code, km_arm in km.items()],
        ignore_index=True,
    )[["group", "time", "surv", "std_err", "lower", "upper", "note"]]
    labels = frame.drop_duplicates(ARM).set_index(ARM)["ARM"].to_dict() if "ARM" in frame else {}
    return EndpointAnalysis(
        paramcd=paramcd,
        population=population,
        arm_labels={code: labels.get(code, code) for code in km},
        strata=strata,
        sided=sided,
        km_conf_level=km_conf_level,
        km_conf_type=km_conf_type,
        medians=km_summary(km),
        landmarks=landmarks,
        hazard_ratio=hazard_ratio,
        logrank=logrank,
        p_logrank=logrank.p_one_sided if sided == "one-sided" else logrank.p_two_sided,
        follow_up=median_follow_up(complete, "time", "event", km_conf_level, km_conf_type),
        km=km,
        time_unit=time_unit,
    )


def endpoint_settings(params: Mapping[str, Any], primary: bool) -> dict[str, Any]:
    """Keyword arguments of ``analyse_endpoint`` from the run parameters (``params`` of
    ``helpers.notebook.start``) except ``paramcd``.

    ``primary=True``: the primary analysis (HR CI at ``primary_conf_level``, log-rank p
    ``sided``), as notebook 03 runs it; else a secondary endpoint (``conf_level``, two-sided).
    """
    return {
        "population": params["population"],
        "strata": params["strata"],
        "hr_conf_level": params["primary_conf_level"] if primary else params["conf_level"],
        "km_conf_level": params["conf_level"],
        "km_conf_type": params["km_conf_type"],
        "ties": params["ties"],
        "sided": params["sided"] if primary else "two-sided",
        "landmarks_months": params["landmarks_months"],
    }
