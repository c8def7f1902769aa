"""The supplement runs on another trial's data by parameters alone.

GBSG2 (German Breast Cancer Study Group 2, shipped with lifelines: 686 node-positive breast
cancer patients, randomised hormonal therapy ``horTh``) is converted into the data contract:
horTh "yes" is arm B, "no" arm A, recurrence-free survival plays the role of the PARAMCD OS
endpoint (days -> months), menopausal status is the stratification factor. ADSL columns GBSG2
does not have get plausible constants; ADAE is empty. Notebooks 03 (and 05 when present) run
with ``data_dir``/``strata``/``subgroups`` parameters only; the hazard ratio they report must
equal the one computed on the original GBSG2 table (``helpers.survival.cox_hazard_ratio``) and
lifelines' CoxPHFitter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, read_results, run_supplement

pytestmark = pytest.mark.slow

lifelines = pytest.importorskip("lifelines")
DAYS_PER_MONTH = 30.4375
STRATA = ["MENOPAUS"]
SUBGROUPS = ["AGEGR1", "MENOPAUS", "TGRADE"]


def gbsg2() -> pd.DataFrame:
    from lifelines.datasets import load_gbsg2

    return load_gbsg2()


def write_contract(df: pd.DataFrame, data_dir: Path) -> None:
    """GBSG2 as ADSL / ADTTE / ADAE CSV files in ``data_dir``."""
    n = len(df)
    ids = [f"GBSG2-{i + 1:04d}" for i in range(n)]
    start = pd.Timestamp("1990-01-01")
    arm = np.where(df["horTh"] == "yes", "B", "A")
    er = np.where(df["estrec"] > 0, "Positive", "Negative")
    pgr = np.where(df["progrec"] > 0, "Positive", "Negative")
    nodes = df["pnodes"]
    adsl = pd.DataFrame({
        "STUDYID": "GBSG2", "USUBJID": ids, "SITEID": "1", "REGDT": start.date().isoformat(),
        "AGE": df["age"], "AGEGR1": np.where(df["age"] < 50, "<50", ">=50"),
        "MENOPAUS": np.where(df["menostat"] == "Pre", "Premenopausal", "Postmenopausal"),
        "ER": er, "PGR": pgr, "HER2": "Negative",
        "SUBTYPE": np.where((er == "Positive") | (pgr == "Positive"), "HR+/HER2-", "Triple negative"),
        "TSTAGE": pd.cut(df["tsize"], [0, 20, 50, np.inf], labels=["T1", "T2", "T3"]).astype(str),
        "NSTAGE": np.select([nodes <= 3, nodes <= 9], ["N1", "N2"], "N3"),
        "ECOG": 0, "NMETORG": 1, "METGR": "Single organ",
        **{c: "N" for c in ("METBONE", "METLUNG", "METLIVER", "METBRAIN", "METDLN", "METOTH",
                            "BONEONLY", "VISCMET")},
        "PSTHER": "Chemotherapy", "RANDFL": "Y", "NRANDRS": "", "RANDDT": start.date().isoformat(),
        "ARMCD": arm,
        "ARM": np.where(arm == "B", "Resection + systemic therapy", "Systemic therapy alone"),
        "ITTFL": "Y", "PPROTFL": "Y", "SAFFL": "Y", "SURGFL": np.where(arm == "B", "N", ""),
        "RESECT": "", "LOCULCFL": "N", "LOCBLDFL": "N",
        "TGRADE": "Grade " + df["tgrade"].astype(str),  # extra column (kept), a subgroup
    })
    adtte = pd.DataFrame({
        "STUDYID": "GBSG2", "USUBJID": ids, "PARAMCD": "OS",
        "PARAM": "Recurrence-free survival (GBSG2, as OS)",
        "AVAL": df["time"] / DAYS_PER_MONTH, "CNSR": 1 - df["cens"],
        "EVNTDESC": np.where(df["cens"] == 1, "Recurrence or death", ""),
        "CNSDTDSC": np.where(df["cens"] == 1, "", "Last known alive date"),
        "STARTDT": start.date().isoformat(),
        "ADT": (start + pd.to_timedelta(df["time"], unit="D")).dt.date.astype(str),
    })
    adae = pd.DataFrame(columns=["STUDYID", "USUBJID", "AESEQ", "AEDECOD", "AEBODSYS", "AETOXGR",
                                 "AESER", "AERELSRG", "AERELSYS", "AEPHASE", "ASTDY", "TRTEMFL"])
    data_dir.mkdir(parents=True)
    adsl.to_csv(data_dir / "adsl.csv", index=False)
    adtte.to_csv(data_dir / "adtte.csv", index=False)
    adae.to_csv(data_dir / "adae.csv", index=False)


def notebooks() -> list[str]:
    names = ["03_overall_survival"]
    if (ROOT / "notebooks" / "05_subgroups.py").is_file():
        names.append("05_subgroups")
    return names


@pytest.fixture(scope="module")
def foreign_run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("gbsg2")
    write_contract(gbsg2(), base / "data")
    run_dir = base / "run"
    report = run_supplement(run_dir, extra={"data_dir": str(base / "data"), "strata": STRATA,
                                            "subgroups": SUBGROUPS}, notebooks=notebooks())
    assert not report.failed, [f.error for f in report.failed]
    return run_dir


def test_hazard_ratio_equals_cox_on_the_original_data(foreign_run):
    from helpers.survival import cox_hazard_ratio

    df = gbsg2()
    expected = cox_hazard_ratio(df, "time", "cens", "horTh", "yes", strata=["menostat"],
                                ties="efron", conf_level=0.90)
    hr = read_results(foreign_run, "03_overall_survival")["hazard_ratio"]
    assert hr["n"] == len(df) == 686 and hr["events"] == int(df["cens"].sum())
    assert hr["strata"] == STRATA and hr["conf_level"] == 0.90
    assert hr["hr"] == pytest.approx(expected.hr, rel=1e-9)
    assert hr["lower"] == pytest.approx(expected.lower, rel=1e-9)
    assert hr["upper"] == pytest.approx(expected.upper, rel=1e-9)


def test_hazard_ratio_equals_lifelines(foreign_run):
    from lifelines import CoxPHFitter

    df = gbsg2()
    frame = pd.DataFrame({"time": df["time"], "cens": df["cens"],
                          "horTh": (df["horTh"] == "yes").astype(float), "menostat": df["menostat"]})
    cph = CoxPHFitter().fit(frame, "time", "cens", strata=["menostat"])  # Efron ties
    hr = read_results(foreign_run, "03_overall_survival")["hazard_ratio"]
    assert hr["coef"] == pytest.approx(cph.params_["horTh"], abs=1e-6)
    assert hr["se"] == pytest.approx(cph.standard_errors_["horTh"], abs=1e-6)


def test_subgroups_run_on_the_foreign_data(foreign_run):
    if "05_subgroups" not in notebooks():
        pytest.skip("notebook 05_subgroups not in the tree yet")
    results = read_results(foreign_run, "05_subgroups")
    assert results  # the forest plot's numbers were written for the GBSG2 subgroups
    assert (foreign_run / "figures" / "05_subgroups").is_dir()
