"""Apply an earlier data cut-off to validated trial data (the ``data_cut`` parameter).

What a data cut at date C means here, as at an interim analysis:
- patients registered after C are not in the data at all;
- patients randomised after C count as registered but not (yet) randomised: RANDFL = "N",
  NRANDRS "Not randomised by the data cut-off", no arm, population flags "N";
- arm B resections after C are not (yet) performed: SURGFL = "N", RESECT blank;
- an ADTTE record whose analysis date ADT lies after C is censored at C (CNSR = 1,
  ADT = C, AVAL recomputed in months of 30.4375 days, CNSDTDSC "Data cut-off");
- adverse events with onset after C are dropped (onset = RANDDT + ASTDY days).
The cut must not be later than the data's own cut-off (DCUTDT) when ADSL has one.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from helpers.dataset import TrialData
from helpers.errors import ParameterError

__all__ = ["DAYS_PER_MONTH", "NOT_YET_RANDOMISED", "apply_data_cut"]

DAYS_PER_MONTH = 30.4375  # the data contract's month (data/README.md)
NOT_YET_RANDOMISED = "Not randomised by the data cut-off"
POPULATION_FLAGS = ("ITTFL", "PPROTFL", "SAFFL")


def apply_data_cut(data: TrialData, cut: str | dt.date) -> TrialData:
    """A copy of ``data`` as it would have been at the data cut-off date ``cut``."""
    cut_ts = pd.Timestamp(cut)
    adsl = data.adsl
    if "DCUTDT" in adsl and adsl["DCUTDT"].notna().any():
        own_cut = pd.to_datetime(adsl["DCUTDT"]).max()
        if cut_ts > own_cut:
            raise ParameterError(f"parameter 'data_cut': {cut_ts.date()} is after the data's own "
                                 f"cut-off DCUTDT {own_cut.date()}")
    adsl = adsl.loc[pd.to_datetime(adsl["REGDT"]) <= cut_ts].copy()
    late = pd.to_datetime(adsl["RANDDT"]) > cut_ts
    adsl.loc[late, "RANDFL"] = "N"
    adsl.loc[late, "NRANDRS"] = NOT_YET_RANDOMISED
    for column in ("ARMCD", "ARM", "ARMSRC", "RANDDT", "SURGFL", "SURGDT", "RESECT"):
        if column in adsl:
            adsl.loc[late, column] = pd.NA if adsl[column].dtype == object else pd.NaT
    for flag in POPULATION_FLAGS:
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
    adtte.loc[after, "AVAL"] = ((cut_ts - start[after]).dt.days / DAYS_PER_MONTH).round(4)
    adtte.loc[after, "EVNTDESC"] = pd.NA
    adtte.loc[after, "CNSDTDSC"] = "Data cut-off"
    adtte["ADT"] = pd.to_datetime(adtte["ADT"]).where(~after, cut_ts)

    days_to_cut = (cut_ts - pd.to_datetime(adsl["RANDDT"])).dt.days.set_axis(adsl["USUBJID"])
    adae = data.adae.loc[data.adae["ASTDY"] <= data.adae["USUBJID"].map(days_to_cut)].copy()
    return TrialData(adsl=adsl.reset_index(drop=True), adtte=adtte.reset_index(drop=True),
                     adae=adae.reset_index(drop=True), paths=dict(data.paths))
