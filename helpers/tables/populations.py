"""Counts of the analysis populations (CONSORT)."""

from __future__ import annotations

import pandas as pd

from .formatting import format_n_pct


def _y(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.upper().eq("Y")


#: Why a randomised patient is outside the per-protocol set, by arm, from ADSL (PPROTFL, and
#: SURGFL in arm B), following the definition of PPROTFL in data/README.md.
PP_EXCLUSION = {"A": "Primary tumour resection within 12 months",
                "B": "Resection not performed"}


def per_protocol_exclusions(group: pd.DataFrame, code: str) -> dict[str, int]:
    """Randomised patients of arm ``code`` with PPROTFL != "Y", by reason (reason -> n): in
    arm B "Resection not performed" (SURGFL != "Y") or "Other" (resected yet excluded), in
    arm A the reason of ``PP_EXCLUSION``; empty when PPROTFL is absent."""
    if "PPROTFL" not in group:
        return {}
    excluded = group[~_y(group["PPROTFL"])]
    if code == "B" and "SURGFL" in excluded:
        not_resected = int((~_y(excluded["SURGFL"])).sum())
        reasons = {PP_EXCLUSION["B"]: not_resected, "Other": len(excluded) - not_resected}
    else:
        reasons = {PP_EXCLUSION.get(code, "Not per protocol"): len(excluded)}
    return {reason: int(n) for reason, n in reasons.items() if n}


def follow_up_counts(adtte: pd.DataFrame, subjects: pd.Series, paramcd: str = "OS") -> dict[str, int]:
    """Follow-up of ``subjects`` for endpoint ``paramcd`` (ADTTE): deaths (events), alive at
    the data cut-off, and censored earlier at the last date known alive (lost to follow-up)."""
    rows = adtte[(adtte["PARAMCD"] == paramcd) & adtte["USUBJID"].isin(subjects)]
    censored = rows[rows["CNSR"] == 1]
    reason = censored["CNSDTDSC"].astype("string").fillna("") if "CNSDTDSC" in censored else None
    at_cut = int(reason.eq("Data cut-off").sum()) if reason is not None else len(censored)
    return {"events": int((rows["CNSR"] == 0).sum()), "censored_at_cutoff": at_cut,
            "censored_earlier": int(len(censored) - at_cut)}


def consort_counts(adsl: pd.DataFrame, adtte: pd.DataFrame | None = None) -> dict:
    """Counts for the CONSORT diagram from ADSL (one row per registered patient) and, when
    given, ADTTE (follow-up of overall survival per arm: ``follow_up``, see
    :func:`follow_up_counts`).

    Uses RANDFL, NRANDRS (reason not randomised), ARMCD, ARM, ITTFL, PPROTFL, SAFFL, SURGFL
    and RESECT. Returns ``{"registered", "randomised", "not_randomised",
    "not_randomised_reasons": {reason: n} (most frequent first; blank shows as
    "Not recorded"), "arms": {ARMCD: {"label", "randomised", "itt", "per_protocol",
    "per_protocol_excluded": {reason: n}, "safety", "surgery", "resection": {RESECT level: n},
    "follow_up" (with ``adtte``)}}}``; ``surgery`` counts SURGFL == "Y" (None if the column is
    absent).
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
            "per_protocol_excluded": per_protocol_exclusions(group, str(code)),
        }
        if adtte is not None:
            arm["follow_up"] = follow_up_counts(adtte, group["USUBJID"])
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


#: ADSL population flags of the analysis sets: flag -> (label, key in consort_counts arms).
ANALYSIS_SETS = {"ITTFL": ("Full analysis set", "itt"), "PPROTFL": ("Per-protocol set", "per_protocol"),
                 "SAFFL": ("Safety set", "safety")}


def analysis_set_counts(counts: dict) -> dict:
    """flag -> {arm: n, "total": n} from :func:`consort_counts`."""
    arms = counts["arms"]
    return {flag: {**{code: arm[key] for code, arm in arms.items()},
                   "total": sum(arm[key] for arm in arms.values())}
            for flag, (_, key) in ANALYSIS_SETS.items()}


def surgery_counts(counts: dict) -> dict:
    """Arm B: randomised, resection performed / not performed, completeness (R0, R1/R2)."""
    arm_b = counts["arms"].get("B", {})
    randomised, performed = arm_b.get("randomised", 0), arm_b.get("surgery") or 0
    return {"arm": "B", "randomised": randomised, "performed": performed,
            "not_performed": randomised - performed, "resection": arm_b.get("resection", {})}


def consort_table(counts: dict) -> pd.DataFrame:
    """Patient flow: registered, not randomised by reason, randomised by arm; n and % of
    registered."""
    registered = counts["registered"]
    rows = [("Registered", registered, ""),
            ("Not randomised", counts["not_randomised"],
             format_n_pct(counts["not_randomised"], registered))]
    rows += [(f"    {reason}", n, format_n_pct(n, registered))
             for reason, n in counts["not_randomised_reasons"].items()]
    rows.append(("Randomised", counts["randomised"], format_n_pct(counts["randomised"], registered)))
    rows += [(f"    Arm {code}: {arm['label']}", arm["randomised"],
              format_n_pct(arm["randomised"], registered)) for code, arm in counts["arms"].items()]
    return pd.DataFrame(rows, columns=["Stage", "n", "n (% of registered)"]).set_index("Stage")


def analysis_sets_table(counts: dict) -> pd.DataFrame:
    """Analysis sets by arm and in total: n (% of randomised)."""
    sets = analysis_set_counts(counts)
    columns = {f"Arm {code} (randomised N={arm['randomised']})":
               [format_n_pct(sets[flag][code], arm["randomised"]) for flag in ANALYSIS_SETS]
               for code, arm in counts["arms"].items()}
    columns[f"Total (randomised N={counts['randomised']})"] = [
        format_n_pct(sets[flag]["total"], counts["randomised"]) for flag in ANALYSIS_SETS]
    index = pd.Index([f"{label} ({flag})" for flag, (label, _) in ANALYSIS_SETS.items()],
                     name="Analysis set")
    return pd.DataFrame(columns, index=index)


def arm_b_surgery_table(counts: dict) -> pd.DataFrame:
    """Arm B: resection performed (n, % of randomised), completeness (% of resected), not
    performed."""
    surgery = surgery_counts(counts)
    rows = [("Resection performed", format_n_pct(surgery["performed"], surgery["randomised"]))]
    rows += [(f"    {level}, n (% of resected)", format_n_pct(n, surgery["performed"]))
             for level, n in surgery["resection"].items()]
    rows.append(("Resection not performed",
                 format_n_pct(surgery["not_performed"], surgery["randomised"])))
    return pd.DataFrame(rows, columns=["", f"Arm B (N={surgery['randomised']})"]).set_index("")
