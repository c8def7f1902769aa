"""Competing risks of one time-to-event endpoint (the study configuration's ``competing_risks``):
cumulative incidence of each event type by arm (Aalen-Johansen, as R's ``cmprsk::cuminc``),
Gray's test of equal incidence (stratified when strata are given) and the Fine-Gray
subdistribution hazard ratio of the experimental arm (``cmprsk::crr``), numbers only.

Event types: on an event row (CNSR 0) the configured event-type column (e.g. ADTTE.EVNTDESC)
names the event; the event of interest is cause 1, the competing events causes 2, 3, ... in
the configured order; censored rows (CNSR > 0) are cause 0 whatever the column holds. Times in
the study's display unit; cumulative incidences are proportions 0-1 with log(-log) pointwise
CIs at ``conf_level``; Gray's p and the Fine-Gray Wald p two-sided. The Fine-Gray model has
the arm as its only covariate and no strata (``crr`` has none); Gray's test is stratified by
``strata``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from helpers.ard import ArdBuilder
from helpers.ard.competing import add_at_risk, add_cuminc, add_finegray, add_gray
from helpers.config.study import CompetingRisks
from helpers.core.errors import DataValidationError
from helpers.data.trial_data import TrialData, analysis_frame
from helpers.survival import CumulativeIncidence, cumulative_incidence
from helpers.survival.finegray import SubdistributionHazardRatio, fine_gray
from helpers.survival.gray import GrayTest, gray_test

__all__ = ["CAUSE", "CompetingAnalysis", "CompetingSettings", "analyse_competing",
           "competing_ard", "competing_frame"]

#: The column of ``competing_frame`` holding the cause number (0 censored, 1 the event...).
CAUSE = "cause"
ARM = "ARMCD"
CONTROL, EXPERIMENTAL = "A", "B"
RISK_STEP = 12.0  # numbers at risk every 12 time units, as helpers.report.plots.km_plot


@dataclass(frozen=True)
class CompetingSettings:
    """What a competing-risks analysis is run with: ``spec`` (the configuration's
    ``competing_risks``), ``population`` (ADSL flag), ``strata`` of Gray's test (ADSL
    columns; empty: unstratified), ``landmarks`` in ``time_unit``, ``conf_level`` of the
    cumulative incidence and subdistribution hazard ratio CIs."""

    spec: CompetingRisks
    population: str
    strata: tuple
    landmarks: tuple
    conf_level: float
    time_unit: str


def competing_frame(data: TrialData, spec: CompetingRisks, population: str) -> pd.DataFrame:
    """One row per patient of ``population`` in the compared arms: ``analysis_frame`` of
    ``spec.paramcd`` (ARMCD, ``time``, ``event``, ADSL columns) plus ``event_type`` (the
    configured column's value; blank on censored rows) and ``cause`` (module doc). An event row
    whose type is none of the configured codes is a ``DataValidationError`` naming the file,
    column and patients (also checked when the data are loaded)."""
    frame = analysis_frame(data, spec.paramcd, population=population)
    adtte = data.adtte
    rows = adtte.loc[adtte["PARAMCD"] == spec.paramcd, ["USUBJID", spec.event_type]]
    types = rows.set_index("USUBJID")[spec.event_type].astype("string").str.strip()
    frame["event_type"] = frame["USUBJID"].map(types).where(frame["event"] == 1, "")
    frame["event_type"] = frame["event_type"].fillna("").astype(str)
    cause = np.zeros(len(frame), dtype=np.int64)
    for k, code in enumerate(spec.codes, start=1):
        cause[(frame["event_type"] == code).to_numpy() & (frame["event"] == 1).to_numpy()] = k
    bad = (frame["event"] == 1).to_numpy() & (cause == 0)
    if bad.any():
        raise DataValidationError(
            f"event rows of PARAMCD {spec.paramcd} whose {spec.event_type} is none of "
            f"competing_risks.event / competing {list(spec.codes)}", file=data.paths.get("adtte"),
            column=spec.event_type, rows=frame.loc[bad, "USUBJID"].tolist())
    frame[CAUSE] = cause
    return frame


@dataclass(frozen=True, eq=False)
class CompetingAnalysis:
    """The competing-risks results of one endpoint. ``counts``: per arm (index A, B) ``n``,
    ``censored`` and one column per event code (events of that type); ``cuminc`` the
    cumulative incidence of every cause by arm at the landmarks (causes numbered as
    ``codes``); ``gray`` and ``fine_gray``: event code -> Gray's test / Fine-Gray
    subdistribution hazard ratio of arm B vs A for that event type."""

    settings: CompetingSettings
    counts: pd.DataFrame
    cuminc: CumulativeIncidence
    gray: dict[str, GrayTest]
    fine_gray: dict[str, SubdistributionHazardRatio]
    frame: pd.DataFrame = field(repr=False, default=None)

    @property
    def codes(self) -> tuple:
        return self.settings.spec.codes

    def code(self, cause: int) -> str:
        """The event code of cause number ``cause`` (1-based)."""
        return self.codes[cause - 1]

    def curves(self) -> dict[str, dict[str, pd.DataFrame]]:
        """Event code -> arm -> the step function (``time``, ``estimate``) of its cumulative
        incidence (right-continuous values at the event times of that type; no arm for an
        event type without events)."""
        out: dict[str, dict[str, pd.DataFrame]] = {code: {} for code in self.codes}
        for (arm, cause), rows in self.cuminc.curves.groupby(["group", "cause"], sort=False):
            out.setdefault(self.code(int(cause)), {})[arm] = rows[["time", "estimate"]].reset_index(drop=True)
        return out

    def risk_times(self) -> np.ndarray:
        """The figure's numbers-at-risk times: every ``RISK_STEP`` time units from 0 to the
        last follow-up, as the Kaplan-Meier figures."""
        return np.arange(0.0, float(self.frame["time"].max()) + 1e-9, RISK_STEP)

    def at_risk(self, times=None) -> pd.DataFrame:
        """Numbers at risk (time >= t) per arm (index A, B) at ``times`` (columns; default
        ``risk_times``)."""
        t = np.asarray(self.risk_times() if times is None else times, dtype=float)
        rows = {arm: [int((self.frame.loc[self.frame[ARM] == arm, "time"].to_numpy() >= x).sum())
                      for x in t] for arm in (CONTROL, EXPERIMENTAL)}
        return pd.DataFrame(rows, index=list(t)).T

    def to_dict(self) -> dict:
        """JSON-ready results (counts, cumulative incidence table, tests)."""
        table = self.cuminc.table.assign(event_type=[self.code(int(c)) for c in self.cuminc.table["cause"]])
        return {
            "paramcd": self.settings.spec.paramcd, "event_type_column": self.settings.spec.event_type,
            "codes": list(self.codes), "strata": list(self.settings.strata),
            "population": self.settings.population,
            "conf_level": self.settings.conf_level, "time_unit": self.settings.time_unit,
            "counts": self.counts.reset_index().to_dict("list"),
            "cumulative_incidence": table.to_dict("list"),
            "gray": {code: test.to_dict() for code, test in self.gray.items()},
            "fine_gray": {code: fit.to_dict() for code, fit in self.fine_gray.items()},
        }


def analyse_competing(frame: pd.DataFrame, settings: CompetingSettings) -> CompetingAnalysis:
    """Cumulative incidence, Gray's test and Fine-Gray of every event type (module doc) on a
    ``competing_frame``. An event type without events among the analysed patients (e.g. after
    a data cut) has a cumulative incidence of 0 without CI and tests that are not estimable,
    with the reason."""
    spec = settings.spec
    counts = frame.groupby(ARM).agg(n=(CAUSE, "size"), censored=(CAUSE, lambda c: int((c == 0).sum())))
    for k, code in enumerate(spec.codes, start=1):
        counts[code] = frame.groupby(ARM)[CAUSE].apply(lambda c, k=k: int((c == k).sum()))
    present = [k for k in range(1, len(spec.codes) + 1) if (frame[CAUSE] == k).any()]
    ci = _with_absent(cumulative_incidence(frame, "time", CAUSE, settings.landmarks, group=ARM,
                                           causes=present, conf_level=settings.conf_level),
                      len(spec.codes))
    gray, fg = {}, {}
    for k, code in enumerate(spec.codes, start=1):
        if k in present:
            gray[code] = gray_test(frame, "time", CAUSE, ARM, cause=k, strata=list(settings.strata))
            fg[code] = fine_gray(frame, "time", CAUSE, ARM, EXPERIMENTAL, cause=k,
                                 conf_level=settings.conf_level)
        else:
            gray[code], fg[code] = _not_estimable(frame, settings, k, code)
    return CompetingAnalysis(settings=settings, counts=counts.loc[[CONTROL, EXPERIMENTAL]],
                             cuminc=ci, gray=gray, fine_gray=fg, frame=frame)


def _no_events(code: str) -> str:
    return f"not estimable (no {code} events among the analysed patients)"


def _with_absent(ci: CumulativeIncidence, n_codes: int) -> CumulativeIncidence:
    """``ci`` with rows for the causes 1..``n_codes`` that had no event: incidence 0 (missing
    beyond an arm's follow-up, as the others), no CI."""
    absent = [k for k in range(1, n_codes + 1) if k not in ci.causes]
    if not absent:
        return ci
    base = ci.table[ci.table["cause"] == ci.causes[0]]
    zero = base["estimate"].where(base["estimate"].isna(), 0.0)
    extra = [base.assign(cause=k, estimate=zero, variance=zero, std_err=zero, lower=np.nan,
                         upper=np.nan) for k in absent]
    table = pd.concat([ci.table, *extra], ignore_index=True).sort_values(
        ["group", "cause"], kind="mergesort", ignore_index=True)
    return replace(ci, table=table, causes=list(range(1, n_codes + 1)))


def _not_estimable(frame: pd.DataFrame, settings: CompetingSettings, k: int, code: str):
    """Gray's test and Fine-Gray of event type ``code`` (cause ``k``) without events."""
    nan, why = float("nan"), _no_events(code)
    n = int(len(frame))
    test = GrayTest(cause=k, statistic=nan, df=1, p=nan, groups=[CONTROL, EXPERIMENTAL],
                    strata=list(settings.strata), rho=0.0, n=n, n_excluded=0,
                    score=np.array([]), variance=np.array([]), note=why)
    fit = SubdistributionHazardRatio(
        arm=ARM, experimental=EXPERIMENTAL, control=CONTROL, cause=k, hr=nan, lower=nan,
        upper=nan, coef=nan, se=nan, z=nan, p=nan, conf_level=float(settings.conf_level),
        terms=pd.DataFrame(), covariates=[], loglik=nan, loglik_null=nan, converged=False, n=n,
        events=0, competing=int((frame[CAUSE] > 0).sum()), n_excluded=0, estimable=False,
        note=why)
    return test, fit


def competing_ard(b: ArdBuilder, analysis: CompetingAnalysis,
                  output_ids: dict[str, str] | None = None) -> None:
    """The ARD rows of ``analysis`` (``docs/ard.md``): ``{P}.cuminc`` (counts, cumulative
    incidence at the landmarks, numbers at risk there), ``{P}.cuminc.risk`` (the figure's
    numbers at risk), ``{P}.gray`` and ``{P}.finegray`` (one ``group2_level`` per event
    type); ``output_ids`` maps "cuminc", "risk", "gray", "finegray" to the table or figure
    labels that show them."""
    ids = output_ids or {}
    spec = analysis.settings.spec
    p, column = spec.paramcd, spec.event_type
    counts = {arm: row for arm, row in analysis.counts.to_dict("index").items()}
    add_cuminc(b, f"{p}.cuminc", analysis.cuminc, spec.codes, counts, arm=ARM, event_type=column,
               paramcd=p, output_id=ids.get("cuminc", ""))
    add_at_risk(b, f"{p}.cuminc.risk", analysis.at_risk(), arm=ARM, paramcd=p,
                output_id=ids.get("risk", ""))
    add_gray(b, f"{p}.gray", analysis.gray, arm=ARM, comparison=f"{EXPERIMENTAL} vs {CONTROL}",
             event_type=column, paramcd=p, output_id=ids.get("gray", ""))
    add_finegray(b, f"{p}.finegray", analysis.fine_gray, event_type=column, paramcd=p,
                 output_id=ids.get("finegray", ""))
