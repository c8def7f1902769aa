"""Counts of the analysis populations (CONSORT): registered, randomised by arm, analysis sets,
resections; the tables that show them are ``helpers.report.tables.populations``."""

from __future__ import annotations

import pandas as pd

def _y(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.upper().eq("Y")


#: Population flags by set: key in ``consort_counts`` arms -> the JCOG1017 ADSL flag (the
#: study configuration's ``populations`` give another trial's).
DEFAULT_FLAGS = {"itt": "ITTFL", "per_protocol": "PPROTFL", "safety": "SAFFL"}


#: Why a randomised patient is outside the per-protocol set, by arm, from ADSL (PPROTFL, and
#: SURGFL in arm B), following the definition of PPROTFL in data/README.md.
PP_EXCLUSION = {"A": "Primary tumour resection within 12 months",
                "B": "Resection not performed"}


def per_protocol_exclusions(group: pd.DataFrame, code: str,
                            flag: str | None = "PPROTFL") -> dict[str, int]:
    """Randomised patients of arm ``code`` with ``flag`` (the per-protocol flag) != "Y", by
    reason (reason -> n). With JCOG1017's SURGFL (the resection): in arm B "Resection not
    performed" (SURGFL != "Y") or "Other" (resected yet excluded), in arm A the reason of
    ``PP_EXCLUSION``; otherwise "Not in the per-protocol set". Empty without the flag."""
    if not flag or flag not in group:
        return {}
    excluded = group[~_y(group[flag])]
    if "SURGFL" not in group:
        reasons = {"Not in the per-protocol set": len(excluded)}
    elif code == "B":
        not_resected = int((~_y(excluded["SURGFL"])).sum())
        reasons = {PP_EXCLUSION["B"]: not_resected, "Other": len(excluded) - not_resected}
    else:
        reasons = {PP_EXCLUSION.get(code, "Not per protocol"): len(excluded)}
    return {reason: int(n) for reason, n in reasons.items() if n}


def follow_up_counts(adtte: pd.DataFrame, subjects: pd.Series, paramcd: str = "OS") -> dict[str, int]:
    """Follow-up of ``subjects`` for endpoint ``paramcd`` (ADTTE): deaths (events), alive at
    the data cut-off (CNSDTDSC "Data cut-off"; every censoring when ADTTE has no CNSDTDSC),
    and censored earlier (lost to follow-up)."""
    rows = adtte[(adtte["PARAMCD"] == paramcd) & adtte["USUBJID"].isin(subjects)]
    censored = rows[rows["CNSR"] != 0]  # CDISC: any positive CNSR is a censoring
    reason = censored["CNSDTDSC"].astype("string").fillna("") if "CNSDTDSC" in censored else None
    at_cut = int(reason.eq("Data cut-off").sum()) if reason is not None else len(censored)
    return {"events": int((rows["CNSR"] == 0).sum()), "censored_at_cutoff": at_cut,
            "censored_earlier": int(len(censored) - at_cut)}


def consort_counts(adsl: pd.DataFrame, adtte: pd.DataFrame | None = None,
                   flags: dict | None = None, strata: list[str] | None = None) -> dict:
    """Counts for the CONSORT diagram from ADSL (one row per registered patient), mapped by
    the study configuration (ARMCD "A"/"B" the compared arms, ARMSRC the sponsor's value),
    and, when given, ADTTE (follow-up of overall survival per arm: ``follow_up``, see
    :func:`follow_up_counts`).

    Uses RANDFL, NRANDRS (reason not randomised; optional), ARMCD, ARM, the population
    ``flags`` (set -> ADSL flag or None; default ``DEFAULT_FLAGS``), SURGFL and RESECT
    (optional). Returns ``{"registered", "randomised", "not_randomised",
    "not_randomised_reasons": {reason: n} (most frequent first; blank or absent shows as
    "Not recorded"), "arms": {ARMCD: {"label", "randomised", "itt", "per_protocol",
    "per_protocol_excluded": {reason: n}, "safety", "surgery", "resection": {RESECT level: n},
    "follow_up" (with ``adtte``)}}}``, and ``"other_arms"`` ({sponsor's value: n}) when
    randomised patients are in arms not compared; ``surgery`` counts SURGFL == "Y" (None if
    the column is absent), a set without a flag None. With ``strata`` (the stratification
    columns), patients of the full analysis set with a missing stratification factor, left
    out of every stratified analysis, are counted: ``"missing_strata": {"columns": [...],
    "arms": {ARMCD: n}}`` (only when there are any).
    """
    flags = {**DEFAULT_FLAGS, **(flags or {})}
    randomised = _y(adsl["RANDFL"])
    not_rand = adsl[~randomised]
    reason_text = (not_rand["NRANDRS"] if "NRANDRS" in not_rand
                   else pd.Series("", index=not_rand.index))
    reasons = (reason_text.astype("string").fillna("").str.strip()
               .replace("", "Not recorded").value_counts(sort=False))
    reasons = reasons.sort_values(ascending=False, kind="stable")
    arms = {}
    rand = adsl[randomised]
    for code, group in rand.groupby("ARMCD", sort=True):
        arm = {
            "label": str(group["ARM"].iloc[0]),
            "randomised": int(len(group)),
            **{key: int(_y(group[flag]).sum()) if flag in group else None
               for key, flag in flags.items()},
            "surgery": int(_y(group["SURGFL"]).sum()) if "SURGFL" in group else None,
            "resection": {},
            "per_protocol_excluded": per_protocol_exclusions(group, str(code),
                                                             flags.get("per_protocol")),
        }
        if adtte is not None:
            arm["follow_up"] = follow_up_counts(adtte, group["USUBJID"])
        if "RESECT" in group:
            resect = group["RESECT"].astype("string").fillna("").str.strip()
            arm["resection"] = {str(k): int(v) for k, v in resect[resect != ""].value_counts()
                                .sort_index().items()}
        arms[str(code)] = arm
    out = {
        "registered": int(len(adsl)),
        "randomised": int(randomised.sum()),
        "not_randomised": int((~randomised).sum()),
        "not_randomised_reasons": {str(k): int(v) for k, v in reasons.items()},
        "arms": arms,
    }
    strata = [c for c in (strata or []) if c in adsl]
    if strata:
        itt = flags.get("itt")
        fas = rand[_y(rand[itt])] if itt in rand else rand
        blank = fas[fas[strata].isna().any(axis=1)]
        if len(blank):
            out["missing_strata"] = {
                "columns": [c for c in strata if blank[c].isna().any()],
                "arms": {str(k): int(v) for k, v in blank["ARMCD"].value_counts().sort_index().items()}}
    if "ARMSRC" in adsl:
        other = rand.loc[rand["ARMCD"].isna(), "ARMSRC"].astype(str).value_counts().sort_index()
        if len(other):
            out["other_arms"] = {str(k): int(v) for k, v in other.items()}
    return out


#: Analysis sets: key in consort_counts arms -> label.
SET_LABELS = {"itt": "Full analysis set", "per_protocol": "Per-protocol set", "safety": "Safety set"}


def analysis_sets(flags: dict | None = None) -> dict:
    """ADSL flag -> (label, key in consort_counts arms) of the sets that have a flag."""
    flags = {**DEFAULT_FLAGS, **(flags or {})}
    return {flag: (SET_LABELS[key], key) for key, flag in flags.items() if flag}


def analysis_set_counts(counts: dict, flags: dict | None = None) -> dict:
    """flag -> {arm: n, "total": n} from :func:`consort_counts`."""
    arms = counts["arms"]
    return {flag: {**{code: arm[key] for code, arm in arms.items()},
                   "total": sum(arm[key] for arm in arms.values())}
            for flag, (_, key) in analysis_sets(flags).items()
            if all(arm[key] is not None for arm in arms.values())}


def surgery_counts(counts: dict) -> dict:
    """Arm B: randomised, resection performed / not performed, completeness (R0, R1/R2)."""
    arm_b = counts["arms"].get("B", {})
    randomised, performed = arm_b.get("randomised", 0), arm_b.get("surgery") or 0
    return {"arm": "B", "randomised": randomised, "performed": performed,
            "not_performed": randomised - performed, "resection": arm_b.get("resection", {})}
