"""Apply an earlier data cut-off to validated trial data (the ``data_cut`` parameter).

What a data cut at date C means here, as at an interim analysis:
- patients randomised after C leave the analysis populations (ITTFL, PPROTFL, SAFFL = "N")
  and their ADTTE rows are dropped;
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

__all__ = ["DAYS_PER_MONTH", "apply_data_cut"]

DAYS_PER_MONTH = 30.4375  # the data contract's month (data/README.md)
POPULATION_FLAGS = ("ITTFL", "PPROTFL", "SAFFL")


def apply_data_cut(data: TrialData, cut: str | dt.date) -> TrialData:
    """A copy of ``data`` as it would have been at the data cut-off date ``cut``."""
    cut_ts = pd.Timestamp(cut)
    adsl, adtte, adae = data.adsl.copy(), data.adtte.copy(), data.adae.copy()
    if "DCUTDT" in adsl and adsl["DCUTDT"].notna().any():
        own_cut = pd.to_datetime(adsl["DCUTDT"]).max()
        if cut_ts > own_cut:
            raise ParameterError(f"parameter 'data_cut': {cut_ts.date()} is after the data's own "
                                 f"cut-off DCUTDT {own_cut.date()}")
    randdt = pd.to_datetime(adsl["RANDDT"])
    late = randdt > cut_ts
    for flag in POPULATION_FLAGS:
        if flag in adsl:
            adsl.loc[late, flag] = "N"
    if "DCUTDT" in adsl:
        adsl["DCUTDT"] = cut_ts.date() if pd.api.types.is_object_dtype(adsl["DCUTDT"]) else cut_ts

    start = pd.to_datetime(adtte["STARTDT"])
    adtte = adtte.loc[start <= cut_ts].copy()
    start = pd.to_datetime(adtte["STARTDT"])
    after = pd.to_datetime(adtte["ADT"]) > cut_ts
    adtte.loc[after, "CNSR"] = 1
    adtte.loc[after, "AVAL"] = ((cut_ts - start[after]).dt.days / DAYS_PER_MONTH).round(4)
    adtte.loc[after, "EVNTDESC"] = pd.NA
    adtte.loc[after, "CNSDTDSC"] = "Data cut-off"
    adtte["ADT"] = pd.to_datetime(adtte["ADT"]).where(~after, cut_ts)

    onset_limit = adae["USUBJID"].map((cut_ts - randdt).dt.days.set_axis(adsl["USUBJID"]))
    adae = adae.loc[adae["ASTDY"] <= onset_limit].copy()
    return TrialData(adsl=adsl, adtte=adtte, adae=adae, paths=dict(data.paths))
