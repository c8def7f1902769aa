"""Counts of the analysis populations (CONSORT): registered, randomised by arm, analysis sets,
the protocol procedure of arm B; the tables that show them are
``helpers.report.tables.populations``."""

from __future__ import annotations

import pandas as pd

def _y(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.upper().eq("Y")


#: Population flags by set: key in ``consort_counts`` arms -> the bundled study's ADSL flag
#: (the study configuration's ``populations`` give another trial's).
DEFAULT_FLAGS = {"itt": "ITTFL", "per_protocol": "PPROTFL", "safety": "SAFFL"}


#: Why a randomised patient is outside the per-protocol set, by arm, when the study names a
#: procedure of arm B (its flag, e.g. SURGFL) and no words of its own
#: (``study.procedure.per_protocol_reasons``).
PP_EXCLUSION = {"A": "Not per protocol", "B": "Procedure not performed"}
#: The columns of the protocol procedure of arm B in the data contract (data/README.md):
#: the Y/N flag and its detail (the study's ``procedure`` may name others).
PROCEDURE = ("SURGFL", "RESECT")


def per_protocol_exclusions(group: pd.DataFrame, code: str, flag: str | None = "PPROTFL",
                            reasons_by_arm: dict | None = None,
                            procedure_flag: str = PROCEDURE[0]) -> dict[str, int]:
    """Randomised patients of arm ``code`` with ``flag`` (the per-protocol flag) != "Y", by
    reason (reason -> n). With the procedure's flag (``procedure_flag``): in arm B the
    reason of ``reasons_by_arm`` (default ``PP_EXCLUSION``) when the procedure was not
    performed, "Other" when it was yet the patient is excluded; in arm A the arm's reason;
    otherwise "Not in the per-protocol set". Empty without the flag."""
    if not flag or flag not in group:
        return {}
    words = {**PP_EXCLUSION, **(reasons_by_arm or {})}
    excluded = group[~_y(group[flag])]
    if procedure_flag not in group:
        reasons = {"Not in the per-protocol set": len(excluded)}
    elif code == "B":
        not_done = int((~_y(excluded[procedure_flag])).sum())
        reasons = {words["B"]: not_done, "Other": len(excluded) - not_done}
    else:
        reasons = {words.get(code, "Not per protocol"): len(excluded)}
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
                   flags: dict | None = None, strata: list[str] | None = None,
                   procedure: tuple = PROCEDURE, pp_reasons: dict | None = None) -> dict:
    """Counts for the CONSORT diagram from ADSL (one row per registered patient), mapped by
    the study configuration (ARMCD "A"/"B" the compared arms, ARMSRC the sponsor's value),
    and, when given, ADTTE (follow-up of overall survival per arm: ``follow_up``, see
    :func:`follow_up_counts`).

    Uses RANDFL, NRANDRS (reason not randomised; optional), ARMCD, ARM, the population
    ``flags`` (set -> ADSL flag or None; default ``DEFAULT_FLAGS``), the ``procedure``'s flag
    and detail columns (optional; default ``PROCEDURE``) and the per-protocol exclusion
    reasons by arm ``pp_reasons`` (see :func:`per_protocol_exclusions`). Returns
    ``{"registered", "randomised", "not_randomised",
    "not_randomised_reasons": {reason: n} (most frequent first; blank or absent shows as
    "Not recorded"), "arms": {ARMCD: {"label", "randomised", "itt", "per_protocol",
    "per_protocol_excluded": {reason: n}, "safety", "surgery", "detail": {detail level: n},
    "follow_up" (with ``adtte``)}}}``, and ``"other_arms"`` ({sponsor's value: n}) when
    randomised patients are in arms not compared; ``surgery`` counts flag == "Y" (None if
    the column is absent), a set without a flag None. With ``strata`` (the stratification
    columns), patients of the full analysis set with a missing stratification factor, left
    out of every stratified analysis, are counted: ``"missing_strata": {"columns": [...],
    "arms": {ARMCD: n}}`` (only when there are any).
    """
    flags = {**DEFAULT_FLAGS, **(flags or {})}
    done, detail = (tuple(procedure) + (None,))[:2] if procedure else (None, None)
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
            "surgery": int(_y(group[done]).sum()) if done in group else None,
            "detail": {},
            "per_protocol_excluded": per_protocol_exclusions(
                group, str(code), flags.get("per_protocol"), pp_reasons, done),
        }
        if adtte is not None:
            arm["follow_up"] = follow_up_counts(adtte, group["USUBJID"])
        if detail and detail in group:
            levels = group[detail].astype("string").fillna("").str.strip()
            arm["detail"] = {str(k): int(v) for k, v in levels[levels != ""].value_counts()
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
    """Arm B: randomised, procedure performed / not performed, its detail (e.g. R0, R1/R2)."""
    arm_b = counts["arms"].get("B", {})
    randomised, performed = arm_b.get("randomised", 0), arm_b.get("surgery") or 0
    return {"arm": "B", "randomised": randomised, "performed": performed,
            "not_performed": randomised - performed, "detail": arm_b.get("detail", {})}


# --- analysis results data (docs/ard.md; the catalogue of validation/qc/README.md) ---------

def flow_ard(b, counts: dict, *, arm: str = "ARMCD", output_id: str = "",
             procedure: tuple = PROCEDURE) -> None:
    """The CONSORT flow of :func:`consort_counts` as ARD rows (``b`` an ``ArdBuilder``).

    ``flow`` (population ``all``, ``n``): ``registered``; ``not_randomised`` (and per reason as
    ``variable_level``); ``randomised`` (and per arm, ``group1`` = ``arm``); ``excluded_arm``
    per sponsor's arm value not compared; ``missing_strata`` per arm (level: the strata columns
    missing) when counted. ``flow.follow_up``: per arm, ``events``,
    ``censored_at_cutoff``, ``censored_earlier`` (overall survival). ``flow.per_protocol_excluded``:
    per arm, randomised patients outside the per-protocol set (``variable_level`` empty: all;
    else per reason). ``surgery``: per arm, the ``procedure`` flag ``Y`` / ``N`` (``n``, ``N``
    randomised, ``p``) and its detail column per level (``n``, ``N`` with the procedure, ``p``).
    """
    a = b.analysis("flow", "count", "flow", output_id=output_id, population="all")
    a.add("n", counts["registered"], "Registered", variable="registered")
    a.add("n", counts["not_randomised"], "Not randomised", variable="not_randomised")
    for reason, n in counts["not_randomised_reasons"].items():
        a.add("n", n, "Not randomised", variable="not_randomised", variable_level=reason)
    a.add("n", counts["randomised"], "Randomised", variable="randomised")
    for code, group in counts["arms"].items():
        a.add("n", group["randomised"], "Randomised", variable="randomised", group1=arm,
              group1_level=code)
    for value, n in counts.get("other_arms", {}).items():
        a.add("n", n, "Randomised to an arm not compared", variable="excluded_arm",
              variable_level=value)
    missing = counts.get("missing_strata") or {}
    for code, n in (missing.get("arms") or {}).items():
        a.add("n", n, "Full analysis set, missing stratification factor",
              variable="missing_strata", group1=arm, group1_level=code,
              variable_level=", ".join(missing["columns"]))
    follow = b.analysis("flow.follow_up", "count", "flow", output_id=output_id,
                        population="all", group1=arm)
    excluded = b.analysis("flow.per_protocol_excluded", "count", "flow", output_id=output_id,
                          population="all", group1=arm, variable="per_protocol_excluded")
    surgery = b.analysis("surgery", "count", "tabulate", output_id=output_id,
                         population="all", group1=arm)
    for code, group in counts["arms"].items():
        for name, n in (group.get("follow_up") or {}).items():
            follow.add("n", n, FOLLOW_UP_LABELS[name], group1_level=code, variable=name)
        if group.get("per_protocol") is not None:
            reasons = group.get("per_protocol_excluded") or {}
            excluded.add("n", sum(reasons.values()), "Excluded from the per-protocol set",
                         group1_level=code)
            for reason, n in reasons.items():
                excluded.add("n", n, "Excluded from the per-protocol set", group1_level=code,
                             variable_level=reason)
        if group.get("surgery") is None:
            continue
        randomised, performed = group["randomised"], group["surgery"]
        for level, n in (("Y", performed), ("N", randomised - performed)):
            s = surgery.scoped(group1_level=code, variable=procedure[0], variable_level=level)
            s.add("n", n, "n")
            s.add("N", randomised, "N (randomised)")
            s.add("p", n / randomised if randomised else float("nan"), "%",
                  warning="" if randomised else "no patient randomised")
        for level, n in group.get("detail", {}).items():
            s = surgery.scoped(group1_level=code, variable=procedure[1], variable_level=level)
            s.add("n", n, "n")
            s.add("N", performed, "N (procedure performed)")
            s.add("p", n / performed if performed else float("nan"), "%",
                  warning="" if performed else "no patient had the procedure")


FOLLOW_UP_LABELS = {"events": "Died", "censored_at_cutoff": "Alive at the data cut-off",
                    "censored_earlier": "Censored before the data cut-off"}


def populations_ard(b, counts: dict, flags: dict | None = None, *, arm: str = "ARMCD",
                    output_id: str = "") -> None:
    """``populations``: per analysis set (``variable`` its ADSL flag, level ``Y``; the row's
    ``population`` the flag) and arm (``A``, ``B``, ``Total`` of the compared arms): ``n``
    in the set, ``N`` randomised, ``p`` = n / N."""
    arms = counts["arms"]
    total = sum(group["randomised"] for group in arms.values())
    for flag, n in analysis_set_counts(counts, flags).items():
        a = b.analysis("populations", "count", "tabulate", output_id=output_id,
                       population=flag, group1=arm, variable=flag, variable_level="Y")
        for code, denominator in [*((c, g["randomised"]) for c, g in arms.items()),
                                  ("Total", total)]:
            g = a.scoped(group1_level=code)
            count = n["total" if code == "Total" else code]
            g.add("n", count, "n")
            g.add("N", denominator, "N (randomised)")
            g.add("p", count / denominator if denominator else float("nan"), "%",
                  warning="" if denominator else "no patient randomised")
