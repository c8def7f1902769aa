"""Apply an earlier data cut-off to validated trial data (the ``data_cut`` parameter).

What a data cut at date C means here, as at an interim analysis:
- patients registered after C are not in the data at all;
- patients randomised after C count as registered but not (yet) randomised: RANDFL = "N",
  NRANDRS "Not randomised by the data cut-off", no arm, population flags "N";
- arm B procedures (SURGFL) after C are not (yet) performed: SURGFL = "N", RESECT blank;
- an ADTTE record whose analysis date ADT lies after C is censored at C (CNSR = 1,
  ADT = C, AVAL recomputed in months of 30.4375 days, CNSDTDSC "Data cut-off");
- adverse events with onset after C are dropped (onset = RANDDT + ASTDY days).
The cut must not be later than the data's own cut-off (DCUTDT) when ADSL has one, nor in
the future, nor earlier than the first randomisation (no patient would be randomised: nothing
to analyse). A cut after the last date in the data is applied and stated: the data's ``notes``
say "no data after <last date>" (every table and figure footnote shows it).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from helpers.data.trial_data import TrialData
from helpers.core.errors import ParameterError
from helpers.config.study.config import DAYS_PER_UNIT

__all__ = ["DAYS_PER_MONTH", "NOT_YET_RANDOMISED", "apply_data_cut"]

DAYS_PER_MONTH = 30.4375  # the data contract's month (data/README.md)
NOT_YET_RANDOMISED = "Not randomised by the data cut-off"
POPULATION_FLAGS = ("ITTFL", "PPROTFL", "SAFFL")


def apply_data_cut(data: TrialData, cut: str | dt.date) -> TrialData:
    """A copy of ``data`` as it would have been at the data cut-off date ``cut``."""
    cut_ts = pd.Timestamp(cut)
    adsl = data.adsl
    _require_dates(data)
    unit_days = DAYS_PER_UNIT[data.study.display_unit] if data.study else DAYS_PER_MONTH
    flags = ([f for f in data.study.populations.values() if f] if data.study
             else list(POPULATION_FLAGS))
    last = last_date(data)
    if "DCUTDT" in adsl and adsl["DCUTDT"].notna().any():
        own_cut = pd.to_datetime(adsl["DCUTDT"]).max()
        if cut_ts > own_cut:
            raise ParameterError(f"parameter 'data_cut': {cut_ts.date()} is after the data's own "
                                 f"cut-off DCUTDT {own_cut.date()}")
    today = dt.date.today()
    if cut_ts.date() > today:
        raise ParameterError(f"parameter 'data_cut': {cut_ts.date()} is in the future (today is "
                             f"{today}); a data cut-off is a date already passed")
    randomised_on = pd.to_datetime(adsl.loc[adsl["RANDFL"] == "Y", "RANDDT"]).dropna()
    if randomised_on.empty:
        raise ParameterError("parameter 'data_cut': the data have no randomised patient "
                             "(RANDFL = 'Y' with RANDDT) to cut")
    if cut_ts < randomised_on.min():
        raise ParameterError(f"parameter 'data_cut': {cut_ts.date()} is before the first "
                             f"randomisation on {randomised_on.min().date()}: no patient would "
                             f"be randomised by the data cut-off")
    registered = adsl["REGDT"] if "REGDT" in adsl else adsl["RANDDT"]  # else: at randomisation
    adsl = adsl.loc[~(pd.to_datetime(registered) > cut_ts)].copy()
    late = pd.to_datetime(adsl["RANDDT"]) > cut_ts
    adsl.loc[late, "RANDFL"] = "N"
    adsl.loc[late, "NRANDRS"] = NOT_YET_RANDOMISED
    for column in ("ARMCD", "ARM", "ARMSRC", "RANDDT", "SURGFL", "SURGDT", "RESECT"):
        if column in adsl:
            adsl.loc[late, column] = pd.NA if adsl[column].dtype == object else pd.NaT
    for flag in flags:
        if flag in adsl:
            adsl.loc[late, flag] = "N"
    if "SURGDT" in adsl:
        later_surgery = pd.to_datetime(adsl["SURGDT"]) > cut_ts
        adsl.loc[later_surgery, "SURGFL"] = "N"
        adsl.loc[later_surgery, ["SURGDT", "RESECT"]] = [pd.NaT, pd.NA]
    if "DCUTDT" in adsl:
        adsl["DCUTDT"] = cut_ts
    randomised = adsl.loc[adsl["RANDFL"] == "Y", "USUBJID"]

    adtte = data.adtte.loc[data.adtte["USUBJID"].isin(randomised)].copy()
    start = pd.to_datetime(adtte["STARTDT"])
    after = pd.to_datetime(adtte["ADT"]) > cut_ts
    adtte.loc[after, "CNSR"] = 1
    adtte.loc[after, "AVAL"] = ((cut_ts - start[after]).dt.days / unit_days).round(4)
    for column, value in (("EVNTDESC", pd.NA), ("CNSDTDSC", "Data cut-off")):
        if column in adtte:
            adtte.loc[after, column] = value
    adtte["ADT"] = pd.to_datetime(adtte["ADT"]).where(~after, cut_ts)

    adae = None
    if data.adae is not None:
        days_to_cut = (cut_ts - pd.to_datetime(adsl["RANDDT"])).dt.days.set_axis(adsl["USUBJID"])
        adae = data.adae.loc[data.adae["ASTDY"] <= data.adae["USUBJID"].map(days_to_cut)]
        adae = adae.reset_index(drop=True)
    notes = data.notes
    if last is not None and cut_ts > last:
        notes = (*notes, f"The data cut {cut_ts.date()} is after the last date in the data: "
                         f"no data after {last.date()}.")
    return TrialData(adsl=adsl.reset_index(drop=True), adtte=adtte.reset_index(drop=True),
                     adae=adae, paths=dict(data.paths), study=data.study, notes=notes)


def last_date(data: TrialData) -> pd.Timestamp | None:
    """The latest date in the data: ADSL dates (``*DT``, the data's own cut-off DCUTDT
    excepted) and ADTTE's analysis dates ADT; None without any."""
    dates = [pd.to_datetime(frame[column], errors="coerce").max()
             for frame, columns in ((data.adsl, [c for c in data.adsl.columns
                                                 if str(c).endswith("DT") and c != "DCUTDT"]),
                                    (data.adtte, ["ADT"] if "ADT" in data.adtte else []))
             for column in columns]
    dates = [d for d in dates if pd.notna(d)]
    return max(dates) if dates else None


def _require_dates(data: TrialData) -> None:
    """ParameterError naming the columns a data cut needs that the data lack: ADSL RANDDT,
    ADTTE STARTDT and ADT, ADAE ASTDY (when there is an ADAE)."""
    needs = [("ADSL", data.adsl, "RANDDT"), ("ADTTE", data.adtte, "STARTDT"),
             ("ADTTE", data.adtte, "ADT")]
    if data.adae is not None:
        needs.append(("ADAE", data.adae, "ASTDY"))
    absent = [f"{table}.{column}" for table, frame, column in needs if column not in frame]
    if absent:
        raise ParameterError(f"parameter 'data_cut' needs dates the data do not have: "
                             f"{', '.join(absent)} (remove data_cut, or add the dates)")
