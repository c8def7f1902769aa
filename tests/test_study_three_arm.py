"""A three-arm CDISC ADaM trial as the pharmaverse example data look (random.cdisc.data's
ADSL/ADTTE/ADAE: ARMCD "ARM A".."ARM C", ARM "A: Drug X", STRATA1/STRATA2, biomarkers BMRKR1
(continuous) and BMRKR2 (LOW/MEDIUM/HIGH), FASFL, AVAL in days) runs through the whole
supplement by a study configuration alone, as Parquet files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import read_results

ARMS = {"ARM A": "A: Drug X", "ARM B": "B: Placebo", "ARM C": "C: Combination"}
STUDY = {
    "study": {"id": "AB12345", "title": "A three-arm example trial (pharmaverse-like ADaM)"},
    "arms": {"variable": "ARMCD", "label_variable": "ARM",
             "control": {"value": "ARM B", "label": "B: Placebo"},
             "experimental": {"value": "ARM A", "label": "A: Drug X"}, "others": ["ARM C"]},
    "populations": {"full_analysis": "FASFL", "safety": "SAFFL"},
    "time": {"display_unit": "months"},
    "endpoints": {"primary": {"paramcd": "OS", "label": "Overall survival", "events": "deaths"},
                  "secondary": [{"paramcd": "PFS", "label": "Progression-free survival"}]},
    "strata": ["STRATA1", "STRATA2"],
    "subgroups": [{"variable": "BMRKR2", "label": "Biomarker 2", "levels": ["LOW", "MEDIUM", "HIGH"]},
                  {"variable": "SEX", "label": "Sex", "levels": ["F", "M"]}],
    "baseline": [{"variable": "AGE", "label": "Age, years", "type": "continuous"},
                 {"variable": "SEX", "label": "Sex"},
                 {"variable": "BMRKR1", "label": "Biomarker 1", "type": "continuous"},
                 {"variable": "BMRKR2", "label": "Biomarker 2"}],
    "covariates": ["AGE", "BMRKR1"],
    "landmarks": [12, 24],
    "rmst_horizon": 24,
    "outputs": {"disposition": {"treated": "SAFFL", "discontinued": "DCSREAS"},
                "deaths": {"cause": "ADSL.DTHCAUS"},
                "safety": {"ctcae_version": "5.0", "meddra_version": "26.0", "related": ["AEREL"],
                           "discontinuation": {"variable": "AEACN", "value": "DRUG WITHDRAWN"}}},
}


def make_adam(out: Path, n: int = 300, seed: int = 2024) -> None:
    rng = np.random.default_rng(seed)
    code = rng.choice(list(ARMS), n)
    adsl = pd.DataFrame({
        "STUDYID": "AB12345", "USUBJID": [f"AB12345-{i:04d}" for i in range(1, n + 1)],
        "ARMCD": code, "ARM": [ARMS[c] for c in code],
        "AGE": rng.integers(25, 80, n), "SEX": rng.choice(["F", "M"], n),
        "STRATA1": rng.choice(["A", "B", "C"], n), "STRATA2": rng.choice(["S1", "S2"], n),
        "BMRKR1": rng.gamma(3, 2, n).round(2), "BMRKR2": rng.choice(["LOW", "MEDIUM", "HIGH"], n),
        "FASFL": "Y", "SAFFL": np.where(rng.random(n) < 0.97, "Y", "N"),
    })
    rate = np.where(code == "ARM A", 0.7, 1.0) / 500  # per day
    rows = []
    for paramcd, scale in (("OS", 1.0), ("PFS", 2.5)):
        event_time = rng.exponential(1 / (rate * scale))
        censor = rng.uniform(200, 1100, n)
        aval = np.ceil(np.minimum(event_time, censor))
        cnsr = (event_time > censor).astype(int)
        rows.append(pd.DataFrame({
            "STUDYID": "AB12345", "USUBJID": adsl["USUBJID"], "PARAMCD": paramcd,
            "PARAM": paramcd, "AVAL": aval, "AVALU": "DAYS", "CNSR": cnsr,
            "EVNTDESC": np.where(cnsr == 0, "Event", None),
            "CNSDTDSC": np.where(cnsr == 1, "Last assessment", None)}))
    adtte = pd.concat(rows, ignore_index=True)
    k = rng.poisson(2, n)
    adae = pd.DataFrame({
        "STUDYID": "AB12345", "USUBJID": np.repeat(adsl["USUBJID"], k).to_numpy(),
        "AESEQ": np.concatenate([np.arange(1, m + 1) for m in k]),
        "AEDECOD": rng.choice(["Nausea", "Fatigue", "Rash"], k.sum()),
        "AEBODSYS": "General disorders",
        "AETOXGR": rng.integers(1, 5, k.sum()), "AESER": rng.choice(["Y", "N"], k.sum(), p=[0.1, 0.9])})
    # the standard outputs' columns (drawn last: the columns above stay as they were)
    adsl["DTHCAUS"] = rng.choice(["ADVERSE EVENT", "PROGRESSIVE DISEASE", "OTHER"], n)
    adsl["DCSREAS"] = rng.choice(["", "ADVERSE EVENT", "LOST TO FOLLOW-UP", "WITHDRAWAL BY SUBJECT"],
                                 n, p=[0.7, 0.1, 0.1, 0.1])
    adae["AEREL"] = rng.choice(["Y", "N"], len(adae))
    adae["AEACN"] = rng.choice(["DOSE NOT CHANGED", "DRUG WITHDRAWN"], len(adae), p=[0.9, 0.1])
    out.mkdir(parents=True)
    for name, frame in (("adsl", adsl), ("adtte", adtte), ("adae", adae)):
        frame.to_parquet(out / f"{name}.parquet", index=False)


@pytest.fixture(scope="module")
def three_arm_run(tmp_path_factory) -> Path:
    from helpers.run.execute import run

    base = tmp_path_factory.mktemp("three_arm")
    make_adam(base / "adam")
    (base / "study.yaml").write_text(yaml.safe_dump(STUDY, sort_keys=False))
    (base / "params.yaml").write_text(yaml.safe_dump({"parameters": {
        "run_label": "three-arm", "study": str(base / "study.yaml"), "data_dir": str(base / "adam"),
        "output_dir": str(base / "run")}}))
    report = run(base / "params.yaml", workers=2, echo=lambda line: None)
    assert not report.failed, [f.error for f in report.failed]
    return base / "run"


def test_primary_analysis_compares_the_configured_arms(three_arm_run):
    from helpers.data.trial_data import analysis_frame, load_trial_data
    from helpers.survival.cox import cox_hazard_ratio

    res = read_results(three_arm_run, "03_overall_survival")
    assert res["arm_labels"] == {"A": "B: Placebo", "B": "A: Drug X"}
    assert res["strata"] == ["STRATA1", "STRATA2"] and res["settings"]["population"] == "FASFL"
    data = load_trial_data(three_arm_run.parent / "adam", study=three_arm_run.parent / "study.yaml")
    frame = analysis_frame(data, "OS", population="FASFL")
    assert set(frame["ARMSRC"]) == {"ARM A", "ARM B"}
    hr = cox_hazard_ratio(frame, "time", "event", "ARMCD", "B", strata=["STRATA1", "STRATA2"],
                          conf_level=0.90)
    assert res["hazard_ratio"]["hr"] == pytest.approx(hr.hr, rel=1e-12)
    assert res["hazard_ratio"]["n"] == len(frame) < 300


def test_flow_baseline_subgroups_and_safety(three_arm_run):
    flow = read_results(three_arm_run, "01_population")
    assert list(flow["other_arms"]) == ["ARM C"]
    assert set(flow["analysis_sets"]) == {"FASFL", "SAFFL"}
    base = read_results(three_arm_run, "02_baseline")
    assert "median_age" in base and "pct_premenopausal" not in base
    sub = read_results(three_arm_run, "05_subgroups")["subgroups"]
    assert set(sub) == {"BMRKR2", "SEX"} and set(sub["BMRKR2"]["levels"]) == {"LOW", "MEDIUM", "HIGH"}
    safety = read_results(three_arm_run, "06_safety")
    assert set(safety["safety_n"]) == {"A", "B"} and "operative_morbidity" not in safety
    assert "Operative morbidity" in safety["unavailable"]
    sens = read_results(three_arm_run, "07_sensitivity")
    assert sens["adjusted_covariates"] == ["AGE", "BMRKR1"] and sens["rmst"]["tau"] == 24
    lrfs = read_results(three_arm_run, "04_lrfs")
    assert lrfs["pfs"]["hazard_ratio"]["conf_level"] == 0.95


def test_standard_outputs_of_the_tlg_catalogue(three_arm_run):
    """DST01, DTHT01 (chapter 12) and AET01, AET02, AET04 (chapter 6) from the pharmaverse-shaped
    ADSL and ADAE, with the configured reason, cause and relation columns."""
    tables = three_arm_run / "tables"
    dst = pd.read_csv(tables / "12_standard_outputs" / "dst01.csv", index_col=0, dtype=str)
    assert "LOST TO FOLLOW-UP" in "".join(dst.index) and "Treated as allocated" in dst.index
    dth = pd.read_csv(tables / "12_standard_outputs" / "dtht01.csv", index_col=0, dtype=str)
    assert {"PROGRESSIVE DISEASE", "ADVERSE EVENT"} <= {i.strip() for i in dth.index}
    aet01 = pd.read_csv(tables / "06_safety" / "aet01.csv", index_col=0, dtype=str)
    assert any("discontinuation" in i for i in aet01.index)
    assert any("treatment-related" in i for i in aet01.index)
    assert list(aet01.columns)[-1].startswith("Total (N=")
    for name in ("aet02", "aet04"):
        assert (tables / "06_safety" / f"{name}.csv").exists()
    note = (tables / "06_safety" / "aet04.notes.txt").read_text()
    assert "CTCAE version 5.0" in note and "MedDRA version 26.0" in note and "AET04" in note
    absent = read_results(three_arm_run, "12_standard_outputs")["absent"]
    assert absent["DST01 procedure"] == ["study.book.procedure"]  # not configured
    assert "DST01 discontinued" not in absent and "DTHT01 cause" not in absent
