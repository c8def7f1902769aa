"""Write a pharmaverse-shaped three-arm ADaM (ADSL, ADTTE, ADAE) as R's random.cdisc.data and
tern ship it (``cadsl``, ``cadtte``, ``cadae``; ``tern::ex_adsl`` ...): the example of a
sponsor's ADaM taken as it comes, for ``studies/pharmaverse.yaml`` (``make pharmaverse``).

What makes it "as it comes" (nothing here is tailored to the supplement):

- ADSL: ARM "A: Drug X" / "B: Placebo" / "C: Combination", ARMCD "ARM A" / "ARM B" / "ARM C",
  ACTARM, ACTARMCD, STRATA1 (A/B/C), STRATA2 (S1/S2), BMRKR1 (numeric), BMRKR2
  (LOW/MEDIUM/HIGH), SEX (F/M), a decimal AGE (years with a fraction), RACE, COUNTRY, SAFFL
  and no ITTFL/FASFL (the full analysis set is "every patient with an arm").
- ADTTE: PARAMCD OS, PFS, EFS (AVAL in DAYS, AVALU "DAYS"), CRSD (duration of confirmed
  response, responders only) and TNE (number of new events: AVALU "COUNT", not a time);
  CNSR 0 (event) / 1 (censored) with EVNTDESC and CNSDTDSC.
- ADAE: AEBODSYS "cl A.1" ..., AEDECOD "dcd A.1.1.1.1" ..., AETOXGR 1-5, AESER, AREL (Y/N).

Deterministic: the same seed writes byte-identical files.

    python validation/pharmaverse_adam.py OUT_DIR [--seed N] [--patients N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

SEED = 20240501
PATIENTS = 400
STUDYID = "AB12345"
ARMS = (("ARM A", "A: Drug X"), ("ARM B", "B: Placebo"), ("ARM C", "C: Combination"))
#: log hazard ratio of each arm against placebo (OS; PFS and EFS a little stronger)
LOG_HR = {"ARM A": np.log(0.70), "ARM B": 0.0, "ARM C": np.log(0.85)}
RACES = ("ASIAN", "BLACK OR AFRICAN AMERICAN", "WHITE", "AMERICAN INDIAN OR ALASKA NATIVE")
RACE_P = (0.5, 0.2, 0.2, 0.1)
COUNTRIES = ("CHN", "USA", "BRA", "PAK", "NGA", "RUS", "JPN", "GBR", "CAN", "CHE")
COUNTRY_P = (0.45, 0.12, 0.08, 0.08, 0.07, 0.06, 0.06, 0.04, 0.02, 0.02)
#: (AEBODSYS, AEDECOD, the grade it usually has, serious)
AE_TERMS = (("cl A.1", "dcd A.1.1.1.1", 1, "N"), ("cl A.1", "dcd A.1.1.1.2", 2, "Y"),
            ("cl B.1", "dcd B.1.1.1.1", 5, "Y"), ("cl B.2", "dcd B.2.1.2.1", 3, "N"),
            ("cl B.2", "dcd B.2.2.3.1", 1, "Y"), ("cl C.1", "dcd C.1.1.1.3", 4, "N"),
            ("cl C.2", "dcd C.2.1.2.1", 2, "N"), ("cl D.1", "dcd D.1.1.1.1", 5, "Y"),
            ("cl D.1", "dcd D.1.1.4.2", 3, "N"), ("cl D.2", "dcd D.2.1.5.3", 1, "N"))
TIME_PARAMS = {
    # PARAMCD: (PARAM, median days on placebo, extra log HR, EVNTDESC, CNSDTDSC)
    "OS": ("Overall Survival", 900.0, 0.0, "Death", "Last Date Known To Be Alive"),
    "PFS": ("Progression Free Survival", 420.0, -0.05, "Disease Progression",
            "Last Tumor Assessment"),
    "EFS": ("Event Free Survival", 360.0, -0.05, "Disease Progression or Death",
            "Last Date Known To Be Alive"),
}


def adsl(rng: np.random.Generator, patients: int = PATIENTS) -> pd.DataFrame:
    """One row per patient, all randomised (an arm each, about 1:1:1)."""
    arm = rng.permutation(np.resize(np.arange(3), patients))
    armcd = np.array([ARMS[i][0] for i in arm], dtype=object)
    armlabel = np.array([ARMS[i][1] for i in arm], dtype=object)
    ids = np.arange(1, patients + 1)
    site = rng.choice(COUNTRIES, size=patients, p=COUNTRY_P)
    age = np.round(np.clip(rng.normal(35.0, 7.5, patients), 20.0, 69.0), 1)  # decimal years
    return pd.DataFrame({
        "STUDYID": STUDYID,
        "USUBJID": [f"{STUDYID}-{c}-id-{i}" for c, i in zip(site, ids)],
        "SUBJID": [f"id-{i}" for i in ids],
        "SITEID": [f"{c}-{1 + i % 15}" for c, i in zip(site, ids)],
        "AGE": age,
        "AGEU": "YEARS",
        "SEX": rng.choice(["F", "M"], size=patients, p=[0.55, 0.45]),
        "RACE": rng.choice(RACES, size=patients, p=RACE_P),
        "COUNTRY": site,
        "ARM": armlabel,
        "ARMCD": armcd,
        "ACTARM": armlabel,
        "ACTARMCD": armcd,
        "TRT01P": armlabel,
        "TRT01A": armlabel,
        "STRATA1": rng.choice(["A", "B", "C"], size=patients),
        "STRATA2": rng.choice(["S1", "S2"], size=patients),
        "BMRKR1": np.round(rng.gamma(2.0, 3.0, patients), 4),
        "BMRKR2": rng.choice(["LOW", "MEDIUM", "HIGH"], size=patients, p=[0.35, 0.35, 0.30]),
        "SAFFL": "Y",
        "EOSSTT": rng.choice(["COMPLETED", "DISCONTINUED", "ONGOING"], size=patients,
                             p=[0.6, 0.25, 0.15]),
    })


def adtte(rng: np.random.Generator, sl: pd.DataFrame) -> pd.DataFrame:
    """OS, PFS, EFS (days) for every patient; CRSD (days) for responders; TNE (a count)."""
    n = len(sl)
    lp = sl["ARMCD"].map(LOG_HR).to_numpy(float) + 0.25 * (sl["BMRKR2"] == "HIGH").to_numpy()
    follow = rng.uniform(200.0, 1800.0, n)  # administrative censoring (days)
    rows = []
    for code, (param, median, extra, event_text, censor_text) in TIME_PARAMS.items():
        rate = np.log(2) / median * np.exp(lp + (extra if code != "OS" else 0.0))
        time = rng.exponential(1.0 / rate)
        event = time <= follow
        aval = np.ceil(np.where(event, time, follow))
        rows.append(pd.DataFrame({
            "USUBJID": sl["USUBJID"], "PARAMCD": code, "PARAM": param, "AVAL": aval,
            "AVALU": "DAYS", "CNSR": np.where(event, 0, 1).astype(float),
            "EVNTDESC": np.where(event, event_text, ""),
            "CNSDTDSC": np.where(event, "", censor_text)}))
    responders = rng.random(n) < 0.45
    dur = np.ceil(rng.exponential(300.0, n))
    ended = rng.random(n) < 0.6
    rows.append(pd.DataFrame({
        "USUBJID": sl["USUBJID"], "PARAMCD": "CRSD", "PARAM": "Duration of Confirmed Response",
        "AVAL": dur, "AVALU": "DAYS", "CNSR": np.where(ended, 0, 1).astype(float),
        "EVNTDESC": np.where(ended, "Disease Progression", ""),
        "CNSDTDSC": np.where(ended, "", "Last Tumor Assessment")})[responders])
    new_events = rng.poisson(1.2, n).astype(float)
    rows.append(pd.DataFrame({
        "USUBJID": sl["USUBJID"], "PARAMCD": "TNE", "PARAM": "Total Number of Events",
        "AVAL": new_events, "AVALU": "COUNT", "CNSR": 0.0, "EVNTDESC": "", "CNSDTDSC": ""}))
    out = pd.concat(rows, ignore_index=True)
    order = {code: i for i, code in enumerate(["OS", "PFS", "EFS", "CRSD", "TNE"])}
    out = out.sort_values(["USUBJID", "PARAMCD"], key=lambda s: s.map(order) if s.name == "PARAMCD" else s,
                          kind="stable").reset_index(drop=True)
    out.insert(0, "STUDYID", STUDYID)
    return out


def adae(rng: np.random.Generator, sl: pd.DataFrame) -> pd.DataFrame:
    """0-8 adverse events per patient (more on active arms); AETOXGR 1-5, AESER, AREL."""
    rows = []
    for subject, armcd in zip(sl["USUBJID"], sl["ARMCD"]):
        count = rng.poisson(2.0 if armcd == "ARM B" else 3.0)
        for seq in range(1, min(count, 8) + 1):
            bodsys, decod, grade, serious = AE_TERMS[rng.integers(len(AE_TERMS))]
            grade = int(np.clip(grade + rng.integers(-1, 2), 1, 5))
            rows.append({"USUBJID": subject, "AESEQ": float(seq), "AEBODSYS": bodsys,
                         "AEDECOD": decod, "AETOXGR": str(grade), "AESER": serious,
                         "AREL": "Y" if rng.random() < (0.2 if armcd == "ARM B" else 0.45) else "N",
                         "ASTDY": float(rng.integers(1, 600))})
    out = pd.DataFrame(rows)
    out.insert(0, "STUDYID", STUDYID)
    return out


def tables(seed: int = SEED, patients: int = PATIENTS) -> dict[str, pd.DataFrame]:
    """ADSL, ADTTE, ADAE of ``patients`` patients drawn with ``seed`` (deterministic)."""
    rng = np.random.default_rng(seed)
    sl = adsl(rng, patients)
    return {"adsl": sl, "adtte": adtte(rng, sl), "adae": adae(rng, sl)}


def write(out_dir: str | Path, seed: int = SEED, patients: int = PATIENTS) -> dict[str, Path]:
    """Write ``adsl.xpt``, ``adtte.xpt`` and ``adae.xpt`` (SAS transport v5) into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in tables(seed, patients).items():
        paths[name] = out / f"{name}.xpt"
        pyreadstat.write_xport(frame, str(paths[name]), table_name=name.upper(),
                               file_format_version=5)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--patients", type=int, default=PATIENTS)
    args = parser.parse_args(argv)
    for path in write(args.out_dir, args.seed, args.patients).values():
        print(path)


if __name__ == "__main__":
    main()
