"""The standard analysis of one time-to-event endpoint, as the endpoint notebooks show it.

One call gives what a trial report shows for an endpoint: Kaplan-Meier per arm with median
(CI), landmark rates, numbers at risk; the (stratified) Cox hazard ratio of the experimental
arm; the (stratified) log-rank test with its one-sided p in the pre-specified direction; the
median follow-up. Times in months. The design choices are arguments, stated in the result:
``hr_conf_level`` (0.90 for the primary endpoint OS, 0.95 otherwise), ``km_conf_level`` and
``km_conf_type`` ("log-log" as SAS by default), ``ties`` ("efron"), ``strata`` and ``sided``.
Its table, results paragraph and plot annotation are ``helpers.report.endpoint``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

import pandas as pd

from helpers.ard import ArdBuilder
from helpers.ard.survival import add_cox, add_followup, add_km, add_logrank
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
from helpers.survival.frame import survival_frame

__all__ = ["EndpointAnalysis", "EndpointSettings", "analyse_endpoint", "endpoint_ard",
           "endpoint_settings"]

ARM = "ARMCD"
CONTROL, EXPERIMENTAL = "A", "B"


@dataclass(frozen=True)
class EndpointSettings:
    """How one endpoint is analysed (typed, immutable; built once per notebook by
    ``helpers.notebook.session.NotebookSession.endpoint_settings``).

    ``hr_conf_level``: the Cox CI level (0.90 for the primary endpoint OS, else 0.95);
    ``km_conf_level`` / ``km_conf_type``: Kaplan-Meier CIs ("log-log" as SAS); ``ties``
    ("efron", "breslow"); ``strata``: ADSL columns of the stratified Cox model and log-rank
    test (empty: unstratified); ``sided``: which log-rank p is reported ("one-sided":
    experimental arm better); ``landmarks``: landmark times and ``time_unit`` their unit (the
    study's display unit).
    """

    population: str = "ITTFL"
    strata: tuple[str, ...] = ()
    hr_conf_level: float = 0.95
    km_conf_level: float = 0.95
    km_conf_type: str = "log-log"
    ties: str = "efron"
    sided: str = "two-sided"
    landmarks: tuple[float, ...] = (36.0, 60.0)
    time_unit: str = "months"

    def __post_init__(self) -> None:
        if self.sided not in ("one-sided", "two-sided"):
            raise ValueError(f"sided must be 'one-sided' or 'two-sided', got {self.sided!r}")
        object.__setattr__(self, "strata", tuple(self.strata))
        object.__setattr__(self, "landmarks", tuple(self.landmarks))

    @property
    def p_stat(self) -> str:
        """The ARD ``stat_name`` of the reported log-rank p ("p.value.one.sided" or "p.value")."""
        return "p.value.one.sided" if self.sided == "one-sided" else "p.value"


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
        upper); short keys keep the numbers-at-risk table readable at print size. Each table's
        ``attrs["time_unit"]`` is the analysis' unit (the figures' time axis)."""
        out = {}
        for code, km in self.km.items():
            table = km.table.copy()
            table.attrs["time_unit"] = self.time_unit
            out[f"Arm {code}"] = table
        return out

    def curve_labels(self) -> dict[str, str]:
        """The keys of ``curves()`` -> the arms' names, for legends and numbers at risk."""
        return {f"Arm {code}": self.arm_labels.get(code, code) for code in self.km}

    def arm_legend(self) -> str:
        """"Arm A: <label>; Arm B: <label>", for captions and footnotes."""
        return "; ".join(f"Arm {code}: {label}" for code, label in self.arm_labels.items())

    def hazard_ratio_row(self, label: str) -> dict[str, Any]:
        """The treatment HR as a row of ``helpers.report.tables.hazard_ratio_table``, with the
        reported log-rank p."""
        hr = self.hazard_ratio
        return {"label": label, "hr": hr.hr, "lower": hr.lower, "upper": hr.upper,
                "conf_level": hr.conf_level, "p": self.p_logrank,
                "p_label": f"{self.sided} log-rank", "strata": ", ".join(self.strata) or None}

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
    settings: EndpointSettings | None = None,
) -> EndpointAnalysis:
    """Analyse one endpoint of an analysis frame (``helpers.data.trial_data.analysis_frame``).

    ``frame`` has one row per patient with ``time`` (months), ``event`` (1 = event), ``ARMCD``
    ("A" control, "B" experimental), ``ARM`` (labels) and the ``strata`` columns.
    ``settings`` (an ``EndpointSettings``), when given, supplies every design choice instead
    of the keyword arguments.
    """
    if settings is not None:
        population, strata = settings.population, settings.strata
        hr_conf_level, km_conf_level = settings.hr_conf_level, settings.km_conf_level
        km_conf_type, ties, sided = settings.km_conf_type, settings.ties, settings.sided
        landmarks_months, time_unit = settings.landmarks, settings.time_unit
    if sided not in ("one-sided", "two-sided"):
        raise ValueError(f"sided must be 'one-sided' or 'two-sided', got {sided!r}")
    strata = list(strata)
    # the patients of the Cox model and log-rank test (complete cases, n_excluded stated there)
    complete = frame.dropna(subset=["time", "event", ARM, *strata])
    km = km_by_group(complete, "time", "event", ARM, km_conf_level, km_conf_type)
    # one validated, sorted survival frame for the Cox model and the log-rank test (same rows)
    shared = survival_frame(frame, "time", "event", group=ARM, strata=strata)
    hazard_ratio = cox_hazard_ratio(shared, "time", "event", ARM, EXPERIMENTAL, strata=strata,
                                    ties=ties, conf_level=hr_conf_level)
    logrank = logrank_test(shared, "time", "event", ARM, strata=strata, experimental=EXPERIMENTAL)
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
    ``helpers.notebook.session.start``) except ``paramcd``. Superseded by ``EndpointSettings``
    (the session's ``endpoint_settings``); kept for the chapters not yet converted (07, 10).

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
        "landmarks_months": params["landmarks"],
    }


def endpoint_ard(b: ArdBuilder, an: EndpointAnalysis, prefix: str | None = None, *,
                 cox_id: str = "cox", output_ids: Mapping[str, str] | None = None,
                 compare: bool = True) -> None:
    """Add the rows of one endpoint's standard analysis to ``b``: ``{P}.km`` (n, events,
    median and landmark rates per arm), ``{P}.{cox_id}`` (hazard ratio), ``{P}.logrank`` and
    ``{P}.followup``; ``{P}`` is ``prefix`` (default the PARAMCD). ``output_ids`` maps
    "km", "cox", "logrank", "followup" to the label of the table or figure that shows them.
    ``compare=False`` (an endpoint whose arms are not compared, e.g. PTRFS): no hazard ratio
    or log-rank rows."""
    ids = dict(output_ids or {})
    p = prefix or an.paramcd
    add_km(b, f"{p}.km", an.km, an.landmarks["time"].unique() if len(an.landmarks) else (),
           arm=ARM, paramcd=an.paramcd, output_id=ids.get("km", ""))
    add_followup(b, f"{p}.followup", an.follow_up, paramcd=an.paramcd,
                 output_id=ids.get("followup", ""))
    if not compare:
        return
    add_cox(b, f"{p}.{cox_id}", an.hazard_ratio, paramcd=an.paramcd, output_id=ids.get("cox", ""))
    add_logrank(b, f"{p}.logrank", an.logrank, arm=ARM, control=CONTROL, paramcd=an.paramcd,
                output_id=ids.get("logrank", ""))
