"""Adverse-event outputs of the pharmaverse TLG catalogue (AET01, AET02, AET04-like) as ARD rows
(``docs/ard.md``: ``aet01``, ``aet02``, ``aet04``); numbers only, the tables are
``helpers.report.safety_tlg``. Patients of the safety set (the study's safety flag) per arm
and in total ("Total" column); each patient counts once per row.

- ``aet01`` overview: ``variable`` any_ae, serious_ae (ADAE.AESER), grade3plus_ae, grade5_ae,
  discontinuation_ae (the configured ADAE variable and value, e.g. AEACN = DRUG WITHDRAWN),
  related_ae (any configured relation column = Y): ``n``, ``N``, ``p``;
- ``aet02`` by system organ class (``group2`` AEBODSYS) and preferred term (``variable``
  AEDECOD): classes and, within each, terms by descending number of patients in total, then
  name; the first row (no group2, no variable) any AE;
- ``aet04`` by preferred term (``group2`` AEDECOD; empty for any AE) and worst CTCAE grade
  (``variable`` AETOXGR, level 1, 2, 3, 4, 5 and ``1-5`` any grade).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from helpers.ard import ArdBuilder

from .safety import add_grade_table, worst_grades

__all__ = ["AET04_BANDS", "TOTAL", "aet01_ard", "aet02_ard", "aet04_ard", "safety_arms"]

TOTAL = "Total"
AET04_BANDS = {"1": (1,), "2": (2,), "3": (3,), "4": (4,), "5": (5,), "1-5": (1, 2, 3, 4, 5)}


def _y(series: pd.Series) -> pd.Series:
    return series.astype("string").fillna("").str.upper().eq("Y")


def safety_arms(adsl: pd.DataFrame, flag: str) -> pd.Series:
    """USUBJID -> arm ("A"/"B") of the safety set of the compared arms."""
    safety = adsl[_y(adsl[flag]) & adsl["ARMCD"].notna()]
    return safety.set_index("USUBJID")["ARMCD"]


def _n_arm(arm_of: pd.Series) -> dict:
    counts = {arm: int((arm_of == arm).sum()) for arm in sorted(arm_of.unique())}
    return {**counts, TOTAL: int(len(arm_of))}


def _patients(a, arm_of: pd.Series, events: pd.DataFrame, n_arm: dict, **fields) -> None:
    ids = set(events["USUBJID"])
    for arm, N in n_arm.items():
        members = arm_of.index if arm == TOTAL else arm_of.index[arm_of == arm]
        n = sum(1 for u in members if u in ids)
        g = a.scoped(group1_level=arm, **fields)
        g.add("n", n, "n")
        g.add("N", N, "N")
        g.add("p", n / N if N else None, "%", warning="" if N else "no patients")


def aet01_ard(b: ArdBuilder, adae: pd.DataFrame, adsl: pd.DataFrame, flag: str, *,
              related: Iterable[str] = (), discontinuation: tuple | None = None,
              output_id: str = "tbl-aet01") -> None:
    """The overview rows (module doc); ``related``: ADAE relation columns present in the data;
    ``discontinuation``: (ADAE column, value) or None."""
    arm_of = safety_arms(adsl, flag)
    n_arm = _n_arm(arm_of)
    events = adae[adae["USUBJID"].isin(arm_of.index)]
    grade = pd.to_numeric(events["AETOXGR"])
    a = b.analysis("aet01", "count", "tabulate", output_id=output_id, population=flag,
                   group1="ARMCD")
    rows = [("any_ae", grade.notna())]
    if "AESER" in events:
        rows.append(("serious_ae", _y(events["AESER"])))
    rows += [("grade3plus_ae", grade >= 3), ("grade5_ae", grade == 5)]
    if discontinuation is not None:
        column, value = discontinuation
        rows.append(("discontinuation_ae", events[column].astype("string").fillna("")
                     .str.strip().str.upper().eq(str(value).upper())))
    related = list(related)
    if related:
        mask = pd.Series(False, index=events.index)
        for column in related:
            mask |= _y(events[column])
        rows.append(("related_ae", mask))
    for variable, mask in rows:
        _patients(a, arm_of, events[mask], n_arm, variable=variable)


def aet02_ard(b: ArdBuilder, adae: pd.DataFrame, adsl: pd.DataFrame, flag: str,
              output_id: str = "tbl-aet02") -> None:
    """Patients by system organ class and preferred term (module doc)."""
    arm_of = safety_arms(adsl, flag)
    n_arm = _n_arm(arm_of)
    events = adae[adae["USUBJID"].isin(arm_of.index)]
    a = b.analysis("aet02", "count", "tabulate", output_id=output_id, population=flag,
                   group1="ARMCD")
    _patients(a, arm_of, events, n_arm)

    def by_frequency(frame: pd.DataFrame, column: str) -> list:
        n = frame.groupby(column)["USUBJID"].nunique().reset_index()
        return n.sort_values(["USUBJID", column], ascending=[False, True])[column].tolist()

    for soc in by_frequency(events, "AEBODSYS"):
        in_soc = events[events["AEBODSYS"] == soc]
        _patients(a, arm_of, in_soc, n_arm, group2="AEBODSYS", group2_level=soc)
        for term in by_frequency(in_soc, "AEDECOD"):
            _patients(a, arm_of, in_soc[in_soc["AEDECOD"] == term], n_arm, group2="AEBODSYS",
                      group2_level=soc, variable="AEDECOD", variable_level=term)


def aet04_ard(b: ArdBuilder, adae: pd.DataFrame, adsl: pd.DataFrame, flag: str,
              output_id: str = "tbl-aet04") -> None:
    """Patients by preferred term and worst grade 1-5, any grade, per arm and in total."""
    arm_of = safety_arms(adsl, flag)
    worst = worst_grades(adae, arm_of)
    both = pd.concat([worst, worst.assign(arm=TOTAL)], ignore_index=True)
    add_grade_table(b, "aet04", both, _n_arm(arm_of), AET04_BANDS, output_id=output_id,
                    population=flag)
