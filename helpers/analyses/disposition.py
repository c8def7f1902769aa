"""Patient disposition (DST01-like) and deaths (DTHT01-like) by arm and in total: counts of
patients as ARD rows (``docs/ard.md``: ``dst01``, ``dst01.censoring``, ``dtht01``), driven by
the study configuration's ``outputs`` (``helpers.config.study.outputs``). Numbers only; the
tables are ``helpers.report.standard_outputs``.

Population: the randomised patients of the two compared arms (ADSL arm mapped to "A"/"B";
others excluded, as in the flow); percentages of each arm's randomised patients, except the
procedure's reasons (of the patients without the procedure) and deaths within days of the
procedure (of the patients with a procedure date).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.ard import ArdBuilder
from helpers.config.study.book import Procedure
from helpers.config.study.outputs import Deaths, Disposition

__all__ = ["TOTAL", "deaths_ard", "deaths_needs", "disposition_ard", "disposition_needs"]

TOTAL = "Total"
ARMS = ("A", "B")
ROLE_ARMS = {"control": ("A",), "experimental": ("B",), "both": ARMS}


def _y(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").str.upper().eq("Y")


def _text(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").str.strip()


def _counts(a, randomised: pd.DataFrame, mask: pd.Series, arms: Iterable[str] = (*ARMS, TOTAL),
            denominator: pd.Series | None = None, **fields) -> None:
    """``n`` (mask), ``N`` (denominator, default all) and ``p`` per arm and in total."""
    denominator = pd.Series(True, index=randomised.index) if denominator is None else denominator
    for arm in arms:
        in_arm = (randomised["ARMCD"] == arm) if arm != TOTAL else pd.Series(True, randomised.index)
        n = int((mask & in_arm & denominator).sum())
        N = int((in_arm & denominator).sum())
        g = a.scoped(group1_level=arm, **fields)
        g.add("n", n, "n")
        g.add("N", N, "N")
        g.add("p", n / N if N else None, "%", warning="" if N else "no patients")


def disposition_needs(config: Disposition) -> dict[str, list[str]]:
    """Row group of the disposition table -> what it needs (ADSL columns, an ADTTE endpoint,
    or the configuration key that would name them: ``study.outputs.disposition.*``,
    ``study.book.procedure``, i.e. the YAML key ``study.procedure``)."""
    key = "study.outputs.disposition"
    out = {"treated": [f"ADSL.{config.treated}"] if config.treated else [f"{key}.treated"]}
    p = config.procedure
    out["procedure"] = [f"ADSL.{p.flag}"] if p else ["study.book.procedure"]
    out["procedure reasons"] = ([f"ADSL.{p.reason}"] if p and p.reason else
                                ["study.book.procedure" + (".reason" if p else "")])
    c = config.crossover
    out["crossover"] = ([f"ADSL.{c.flag}"] if c and c.flag else
                        [f"ADTTE.PARAMCD={c.paramcd}", "ADTTE.EVNTDESC"] if c else
                        [f"{key}.crossover"])
    out["discontinued"] = ([f"ADSL.{config.discontinued}"] if config.discontinued else
                           [f"{key}.discontinued"])
    return out


def disposition_ard(b: ArdBuilder, adsl: pd.DataFrame, adtte: pd.DataFrame, config: Disposition,
                    groups: Iterable[str], paramcd: str, output_id: str = "tbl-dst01") -> None:
    """The rows of ``dst01`` (``groups``: the row groups of ``disposition_needs`` the data
    hold) and ``dst01.censoring`` (endpoint ``paramcd``: censored patients by CNSR code and
    CNSDTDSC)."""
    groups = set(groups)
    randomised = adsl[adsl["ARMCD"].notna()]
    a = b.analysis("dst01", "count", "tabulate", output_id=output_id, group1="ARMCD")
    a.scoped(group1="", variable="registered").add("n", len(adsl), "Registered")
    _counts(a, randomised, pd.Series(True, index=randomised.index), variable="randomised")
    if "treated" in groups:
        _counts(a, randomised, _y(randomised[config.treated]), variable=config.treated,
                variable_level="Y")
    if "procedure" in groups:
        p = config.procedure
        arms = ROLE_ARMS[p.arm]
        done, flag = _y(randomised[p.flag]), _text(randomised[p.flag]).str.upper()
        _counts(a, randomised, done, arms, variable=p.flag, variable_level="Y")
        _counts(a, randomised, flag.eq("N"), arms, variable=p.flag, variable_level="N")
        if "procedure reasons" in groups:
            reason = _text(randomised[p.reason])
            not_done = flag.eq("N")
            for level in sorted(set(reason[not_done])):
                _counts(a, randomised, reason.eq(level), arms, denominator=not_done,
                        variable=p.reason, variable_level=level or "Not given")
    if "crossover" in groups:
        c = config.crossover
        if c.flag:
            crossed = _y(randomised[c.flag])
        else:
            rows = adtte[(adtte["PARAMCD"] == c.paramcd) & (adtte["CNSR"] == 0)
                         & _text(adtte["EVNTDESC"]).eq(c.event)]
            crossed = randomised["USUBJID"].isin(rows["USUBJID"])
        _counts(a, randomised, crossed, ("A",), variable="crossover", variable_level="Y")
    if "discontinued" in groups:
        reason = _text(randomised[config.discontinued])
        _counts(a, randomised, reason.ne(""), variable=config.discontinued, variable_level="")
        for level in sorted(set(reason) - {""}):
            _counts(a, randomised, reason.eq(level), variable=config.discontinued,
                    variable_level=level)
    censoring_ard(b, "dst01.censoring", randomised, adtte, paramcd, output_id=output_id)


def censoring_ard(b: ArdBuilder, analysis_id: str, patients: pd.DataFrame, adtte: pd.DataFrame,
                  paramcd: str, output_id: str = "") -> None:
    """Patients of ``patients`` by their ``paramcd`` record: ``variable`` event (CNSR 0),
    censored (CNSR > 0) and per censoring code (``variable`` CNSR, level the code; ``group2``
    CNSDTDSC, level its description, "" when ADTTE has none) and per event description
    (``variable`` EVNTDESC, level the description: the first event's type): n, N, p per arm
    and in total."""
    rows = adtte[adtte["PARAMCD"] == paramcd][["USUBJID", "CNSR", *[
        c for c in ("EVNTDESC", "CNSDTDSC") if c in adtte]]]
    d = patients[["USUBJID", "ARMCD"]].merge(rows, on="USUBJID", how="left")
    d.index = patients.index
    a = b.analysis(analysis_id, "count", "tabulate", output_id=output_id, paramcd=paramcd,
                   group1="ARMCD")
    cnsr = pd.to_numeric(d["CNSR"])
    _counts(a, d, cnsr.eq(0), variable="event")
    if "EVNTDESC" in d:
        desc = _text(d["EVNTDESC"])
        for level in sorted(set(desc[cnsr.eq(0)])):
            _counts(a, d, cnsr.eq(0) & desc.eq(level), variable="EVNTDESC",
                    variable_level=level or "Not given")
    _counts(a, d, cnsr.gt(0), variable="censored")
    desc = _text(d["CNSDTDSC"]) if "CNSDTDSC" in d else pd.Series("", index=d.index)
    pairs = sorted({(int(c), t) for c, t in zip(cnsr[cnsr.gt(0)], desc[cnsr.gt(0)])})
    for code, text in pairs:
        _counts(a, d, cnsr.eq(code) & desc.eq(text), variable="CNSR", variable_level=code,
                group2="CNSDTDSC", group2_level=text)


def deaths_needs(config: Deaths, procedure: Procedure | None, primary: str) -> dict[str, list[str]]:
    """Row group of the deaths table -> what it needs (``procedure``: the disposition's)."""
    procedure_date = procedure.date if procedure else None
    paramcd = config.paramcd or primary
    out = {"deaths": [f"ADTTE.PARAMCD={paramcd}"],
           "cause": [config.cause] if config.cause else ["study.outputs.deaths.cause"]}
    out["within"] = ([f"ADSL.{procedure_date}", "ADTTE.ADT"] if procedure_date else
                     ["study.book.procedure" + (".date" if procedure else "")])
    return out


def deaths_ard(b: ArdBuilder, adsl: pd.DataFrame, adtte: pd.DataFrame, config: Deaths,
               groups: Iterable[str], paramcd: str, procedure_date: str | None = None,
               procedure_arms: Iterable[str] = ARMS, output_id: str = "tbl-dtht01") -> None:
    """The rows of ``dtht01``: deaths (events of ``paramcd``) per arm and in total; by cause
    (``variable`` cause, level the cause; "Not given" when blank); deaths within
    ``within_days`` days of the procedure (``variable`` death_within_days, level the days; N:
    patients of the procedure's arms with a procedure date)."""
    groups = set(groups)
    randomised = adsl[adsl["ARMCD"].notna()]
    rows = adtte[adtte["PARAMCD"] == paramcd]
    dead_rows = rows[pd.to_numeric(rows["CNSR"]) == 0]
    dead = randomised["USUBJID"].isin(dead_rows["USUBJID"])
    a = b.analysis("dtht01", "count", "tabulate", output_id=output_id, paramcd=paramcd,
                   group1="ARMCD")
    _counts(a, randomised, dead, variable="deaths")
    if "cause" in groups:
        table, _, column = config.cause.partition(".")
        source = randomised if table == "ADSL" else randomised[["USUBJID"]].merge(
            dead_rows[["USUBJID", column]], on="USUBJID", how="left").set_index(randomised.index)
        cause = _text(source[column])
        for level in sorted(set(cause[dead])):
            _counts(a, randomised, dead & cause.eq(level), variable="cause",
                    variable_level=level or "Not given")
    if "within" in groups:
        death_date = randomised[["USUBJID"]].merge(
            dead_rows[["USUBJID", "ADT"]], on="USUBJID", how="left").set_index(randomised.index)
        death = pd.to_datetime(death_date["ADT"], errors="coerce")
        proc = pd.to_datetime(randomised[procedure_date], errors="coerce")
        days = (death - proc).dt.days
        within = dead & days.ge(0) & days.le(config.within_days)
        arms = [*procedure_arms, TOTAL] if len(tuple(procedure_arms)) > 1 else list(procedure_arms)
        _counts(a, randomised, within, arms, denominator=proc.notna(),
                variable="death_within_days", variable_level=config.within_days)
