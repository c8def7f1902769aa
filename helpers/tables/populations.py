"""Counts of the analysis populations (CONSORT)."""

from __future__ import annotations

import pandas as pd


def _y(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.upper().eq("Y")


def consort_counts(adsl: pd.DataFrame) -> dict:
    """Counts for the CONSORT diagram from ADSL (one row per registered patient).

    Uses RANDFL, NRANDRS (reason not randomised), ARMCD, ARM, ITTFL, PPROTFL, SAFFL, SURGFL
    and RESECT. Returns ``{"registered", "randomised", "not_randomised",
    "not_randomised_reasons": {reason: n} (most frequent first; blank shows as
    "Not recorded"), "arms": {ARMCD: {"label", "randomised", "itt", "per_protocol",
    "safety", "surgery", "resection": {RESECT level: n}}}}``; ``surgery`` counts SURGFL == "Y"
    (None if the column is absent).
    """
    randomised = _y(adsl["RANDFL"])
    not_rand = adsl[~randomised]
    reasons = (not_rand["NRANDRS"].astype("string").fillna("").str.strip()
               .replace("", "Not recorded").value_counts(sort=False))
    reasons = reasons.sort_values(ascending=False, kind="stable")
    arms = {}
    rand = adsl[randomised]
    for code, group in rand.groupby("ARMCD", sort=True):
        arm = {
            "label": str(group["ARM"].iloc[0]),
            "randomised": int(len(group)),
            "itt": int(_y(group["ITTFL"]).sum()),
            "per_protocol": int(_y(group["PPROTFL"]).sum()) if "PPROTFL" in group else None,
            "safety": int(_y(group["SAFFL"]).sum()) if "SAFFL" in group else None,
            "surgery": int(_y(group["SURGFL"]).sum()) if "SURGFL" in group else None,
            "resection": {},
        }
        if "RESECT" in group:
            resect = group["RESECT"].astype("string").fillna("").str.strip()
            arm["resection"] = {str(k): int(v) for k, v in resect[resect != ""].value_counts()
                                .sort_index().items()}
        arms[str(code)] = arm
    return {
        "registered": int(len(adsl)),
        "randomised": int(randomised.sum()),
        "not_randomised": int((~randomised).sum()),
        "not_randomised_reasons": {str(k): int(v) for k, v in reasons.items()},
        "arms": arms,
    }
