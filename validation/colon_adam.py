"""Write R's ``survival::colon`` trial (Moertel et al. 1990; levamisole and fluorouracil after
resection of stage C colon cancer) as CDISC ADaM ADSL and ADTTE SAS transport files.

ADTTE holds OS (death), TTR (recurrence) and RFS, recurrence-free survival with its event
type in EVNTDESC for the competing-risks chapter: "Recurrence" when the recurrence record is
an event, else "Death" when the death record is, else censored; time = the recurrence
record's (as validation/r/reference_competing.R builds the colon competing-risks data).

The example of a second, real, public trial for ``studies/colon.yaml``: three arms (Obs, Lev,
Lev+5FU; the supplement compares Lev+5FU with Obs), AVAL in DAYS with AVALU, CNSR 0 (event),
1 (censored at the end of follow-up) or 2 (lost to follow-up: censored before 5 years), and
no JCOG1017 column. Input: the CSV that ``validation/r/datasets.R`` exports (``colon_all``).

    python validation/colon_adam.py OUT_DIR [tests/fixtures/r/data/colon_all.csv]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "fixtures" / "r" / "data" / "colon_all.csv"
LOST_BEFORE_DAYS = 5 * 365.25  # a censoring before 5 years counts as lost to follow-up (CNSR 2)
ENDPOINTS = {2: ("OS", "Overall survival (days)", "Death"),
             1: ("TTR", "Time to recurrence (days)", "Recurrence")}


def yes_no(values: pd.Series) -> pd.Series:
    return values.map({1: "Y", 0: "N"})


def adsl(colon: pd.DataFrame) -> pd.DataFrame:
    """One row per patient: treatment (TRT01P), demographics, tumour characteristics."""
    one = colon[colon["etype"] == 2].sort_values("id")
    return pd.DataFrame({
        "STUDYID": "COLON",
        "USUBJID": "COLON-" + one["id"].astype(str).str.zfill(4),
        "TRT01P": one["rx"].astype(str),
        "AGE": one["age"].astype(float),
        "AGEGR1": np.where(one["age"] < 65, "<65", ">=65"),
        "SEX": one["sex"].map({1: "M", 0: "F"}),
        "OBSTRFL": yes_no(one["obstruct"]),
        "PERFORFL": yes_no(one["perfor"]),
        "ADHERFL": yes_no(one["adhere"]),
        "NODES": one["nodes"].astype(float),
        "NODE4": np.where(one["node4"] == 1, ">4 nodes", "1-4 nodes"),
        "DIFFER": one["differ"].map({1: "Well", 2: "Moderate", 3: "Poor"}),
        "EXTENT": one["extent"].map({1: "Submucosa", 2: "Muscle", 3: "Serosa",
                                     4: "Contiguous structures"}),
        "SURGLONG": one["surg"].map({0: "Short", 1: "Long"}),
        "ITTFL": "Y",
    }).reset_index(drop=True)


def adtte(colon: pd.DataFrame) -> pd.DataFrame:
    """One row per patient and endpoint (OS: death; TTR: recurrence), AVAL in days."""
    rows = colon.sort_values(["id", "etype"], ascending=[True, False])
    code = rows["etype"].map(lambda e: ENDPOINTS[e][0])
    event = rows["status"] == 1
    lost = ~event & (rows["time"] < LOST_BEFORE_DAYS)
    return pd.DataFrame({
        "STUDYID": "COLON",
        "USUBJID": "COLON-" + rows["id"].astype(str).str.zfill(4),
        "PARAMCD": code,
        "PARAM": rows["etype"].map(lambda e: ENDPOINTS[e][1]),
        "AVAL": rows["time"].astype(float),
        "AVALU": "DAYS",
        "CNSR": np.where(event, 0, np.where(lost, 2, 1)).astype(float),
        "EVNTDESC": np.where(event, rows["etype"].map(lambda e: ENDPOINTS[e][2]), ""),
        "CNSDTDSC": np.where(event, "", np.where(lost, "Lost to follow-up", "End of follow-up")),
    }).reset_index(drop=True)


def adtte_rfs(colon: pd.DataFrame) -> pd.DataFrame:
    """RFS, one row per patient: recurrence or death, the first event's type in EVNTDESC."""
    rec = colon[colon["etype"] == 1].sort_values("id").reset_index(drop=True)
    dth = colon[colon["etype"] == 2].sort_values("id").reset_index(drop=True)
    if not (rec["id"].to_numpy() == dth["id"].to_numpy()).all():
        raise ValueError("colon: the recurrence and death records do not pair by id")
    recurred, died = rec["status"] == 1, dth["status"] == 1
    event = recurred | died
    lost = ~event & (rec["time"] < LOST_BEFORE_DAYS)
    return pd.DataFrame({
        "STUDYID": "COLON",
        "USUBJID": "COLON-" + rec["id"].astype(str).str.zfill(4),
        "PARAMCD": "RFS",
        "PARAM": "Recurrence-free survival (days)",
        "AVAL": rec["time"].astype(float),
        "AVALU": "DAYS",
        "CNSR": np.where(event, 0, np.where(lost, 2, 1)).astype(float),
        "EVNTDESC": np.where(recurred, "Recurrence", np.where(died, "Death", "")),
        "CNSDTDSC": np.where(event, "", np.where(lost, "Lost to follow-up", "End of follow-up")),
    })


def write(out_dir: str | Path, source: str | Path = SOURCE) -> dict[str, Path]:
    """Write ``adsl.xpt`` and ``adtte.xpt`` into ``out_dir``; return their paths."""
    colon = pd.read_csv(source)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    tte = pd.concat([adtte(colon), adtte_rfs(colon)]).sort_values(
        "USUBJID", kind="mergesort").reset_index(drop=True)  # per patient OS, TTR, RFS
    for name, frame in (("adsl", adsl(colon)), ("adtte", tte)):
        paths[name] = out / f"{name}.xpt"
        pyreadstat.write_xport(frame, str(paths[name]), table_name=name.upper(),
                               file_format_version=5)
    return paths


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    for path in write(*sys.argv[1:]).values():
        print(path)
