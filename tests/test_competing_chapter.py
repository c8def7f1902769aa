"""Chapter 11, competing risks (issue 21, items 8 and 9): the study configuration's
``competing_risks`` key, its checks against the data, and the chapter's numbers equal to R's
cmprsk on the bundled data and on R's colon (recurrence vs death) as the colon study's ADaM
carries it (tests/fixtures/r/competing.json, made by validation/r/reference_competing.R).

The chapter's ARD rows are compared with R: on the default run's ARD (``supplement_run``) and
on notebook 11 run alone on the colon study."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import ROOT, read_results, run_supplement
from study_paths import read_study
from helpers.config.study import StudyConfigError, load_study
from helpers.core.errors import DataValidationError
from helpers.data.trial_data import load_trial_data

sys.path.insert(0, str(ROOT / "validation"))
import colon_adam  # noqa: E402

FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "r" / "competing.json").read_text())
DATA = ROOT / "data"
STUDY = ROOT / "studies" / "jcog1017.yaml"
NOTEBOOK = "11_competing_risks"
TOL = 1e-6


# --------------------------------------------------------------------------- helpers
def _ard(run: Path) -> pd.DataFrame:
    """The chapter's ARD rows as written by the notebook (RUN/ard/11_competing_risks.parquet)."""
    return pd.read_parquet(run / "ard" / f"{NOTEBOOK}.parquet")


def _stat(ard: pd.DataFrame, analysis_id: str, stat_name: str, **where) -> float:
    rows = ard[(ard["analysis_id"] == analysis_id) & (ard["stat_name"] == stat_name)]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (analysis_id, stat_name, where, len(rows))
    return float(rows["stat"].iloc[0])


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(1.0, abs(b))


def _check_against_r(ard, paramcd, codes, cuminc, gray, crr, arms, landmarks, days=1.0):
    """Every cumulative incidence, Gray and Fine-Gray row of the chapter equals R's."""
    checked = 0
    for case in cuminc:
        if case["group"] not in arms:
            continue
        arm, code = arms[case["group"]], codes[case["cause"] - 1]
        for t_r, est, var, lo, hi in zip(case["time"], case["estimate"], case["variance"],
                                          case["lower"], case["upper"]):
            t = t_r / days
            if not any(abs(t - lm) < 1e-9 for lm in landmarks):
                continue
            where = dict(group1_level=arm, group2="EVNTDESC", group2_level=code,
                         variable="time", variable_level=f"{t:g}")
            got = {s: _stat(ard, f"{paramcd}.cuminc", s, **where)
                   for s in ("estimate", "std.error", "conf.low", "conf.high")}
            assert _close(got["estimate"], est) and _close(got["std.error"], np.sqrt(var)), where
            assert _close(got["conf.low"], lo) and _close(got["conf.high"], hi), where
            checked += 1
    assert checked == 2 * len(codes) * len(landmarks)
    for k, code in enumerate(codes):
        where = dict(group1_level="B vs A", group2="EVNTDESC", group2_level=code)
        assert _close(_stat(ard, f"{paramcd}.gray", "statistic", **where), gray["statistic"][k])
        assert _close(_stat(ard, f"{paramcd}.gray", "p.value", **where), gray["p"][k])
        assert _stat(ard, f"{paramcd}.gray", "df", **where) == gray["df"][k]
        fit = crr[k]
        assert fit["spec"]["cause"] == k + 1
        arm = {name: np.atleast_1d(fit[name])[0] for name in ("hr", "lower", "upper", "se", "p")}
        for stat, ref in (("estimate", arm["hr"]), ("conf.low", arm["lower"]),
                          ("conf.high", arm["upper"]), ("std.error", arm["se"]),
                          ("p.value", arm["p"])):
            assert _close(_stat(ard, f"{paramcd}.finegray", stat, **where), ref), (code, stat)
        assert _stat(ard, f"{paramcd}.finegray", "n", **where) == fit["n"]
        assert _stat(ard, f"{paramcd}.finegray", "n.event", **where) == fit["events"]


# --------------------------------------------------------------------------- numbers vs R
def test_default_chapter_equals_r_cmprsk(supplement_run):
    ard = _ard(supplement_run)
    ref = FIXTURE["jcog1017"]
    gray = next(g for g in ref["gray"] if g["strata"] == ["ER", "HER2", "METGR"])
    crr = [next(c for c in ref["crr"] if c["spec"]["id"] == i) for i in ("jcog_lr", "jcog_death")]
    _check_against_r(ard, "LRFS", ("Local relapse or progression", "Death"), ref["cuminc"], gray,
                     crr, {"A": "A", "B": "B"}, (36, 60))
    # the counts behind the table: first events by type and arm, as the data's EVNTDESC
    adtte = pd.read_csv(DATA / "adtte.csv")
    adsl = pd.read_csv(DATA / "adsl.csv")
    lrfs = adtte[adtte["PARAMCD"] == "LRFS"].merge(adsl[adsl["ITTFL"] == "Y"][["USUBJID", "ARMCD"]])
    for (arm, code), n in lrfs[lrfs["CNSR"] == 0].groupby(["ARMCD", "EVNTDESC"]).size().items():
        assert _stat(ard, "LRFS.cuminc", "n.event", group1_level=arm, group2="EVNTDESC",
                     group2_level=code, variable="") == n


@pytest.fixture(scope="module")
def colon_chapter(tmp_path_factory) -> Path:
    """Notebook 11 alone on the colon study (its ADaM written by validation/colon_adam.py)."""
    from helpers.run.execute import run

    base = tmp_path_factory.mktemp("colon_competing")
    colon_adam.write(base / "adam")
    params = yaml.safe_load((ROOT / "params" / "colon.yaml").read_text())
    params["parameters"].update({"data_dir": str(base / "adam"), "output_dir": str(base / "run")})
    (base / "colon.yaml").write_text(yaml.safe_dump(params))
    report = run(base / "colon.yaml", workers=1, notebooks=[NOTEBOOK], echo=lambda line: None)
    assert not report.failed, [f.error for f in report.failed]
    return base / "run"


def test_colon_chapter_equals_r_cmprsk_on_recurrence_vs_death(colon_chapter):
    ref = FIXTURE["colon"]
    chapter = ref["chapter"]
    assert chapter["ties"] > 0  # tied times of recurrence and death: cmprsk does not break them
    crr = [next(c for c in ref["crr"] if c["spec"]["id"] == i)
           for i in ("colon_recurrence", "colon_death")]
    _check_against_r(_ard(colon_chapter), "RFS", ("Recurrence", "Death"), chapter["cuminc"],
                     chapter["gray"], crr, {"Obs": "A", "Lev+5FU": "B"},
                     tuple(chapter["landmarks_months"]), days=30.4375)
    assert chapter["gray"]["strata"] == ["node4"]


def test_colon_adam_carries_recurrence_vs_death_as_r_builds_it(tmp_path):
    colon_adam.write(tmp_path)
    data = load_trial_data(tmp_path, study=ROOT / "studies" / "colon.yaml")
    rfs = data.adtte[data.adtte["PARAMCD"] == "RFS"]
    ca = pd.read_csv(ROOT / "tests" / "fixtures" / "r" / "data" / "colon_all.csv")
    rec, dth = ca[ca["etype"] == 1], ca[ca["etype"] == 2]
    cause = np.where(rec["status"] == 1, "Recurrence",
                     np.where(dth["status"].to_numpy() == 1, "Death", ""))
    got = rfs.set_index("USUBJID").loc["COLON-" + rec["id"].astype(str).str.zfill(4)]
    assert (got["EVNTDESC"].fillna("").to_numpy() == cause).all()
    assert ((got["CNSR"] == 0).to_numpy() == (cause != "")).all()


# --------------------------------------------------------------------------- the chapter
def test_chapter_prints_its_numbers_from_the_ard_and_shows_the_figure(supplement_run):
    results = read_results(supplement_run, NOTEBOOK)
    assert results["codes"] == ["Local relapse or progression", "Death"]
    assert (supplement_run / "figures" / NOTEBOOK / "cuminc.png").is_file()
    table = pd.read_csv(supplement_run / "tables" / NOTEBOOK / "competing_tests.csv", dtype=str)
    ard = _ard(supplement_run)
    hr = ard[(ard["analysis_id"] == "LRFS.finegray") & (ard["stat_name"] == "estimate")
             & (ard["group2_level"] == "Local relapse or progression")]["stat_fmt"].iloc[0]
    assert table.iloc[0, 3].startswith(hr + " (")
    risk = ard[ard["analysis_id"] == "LRFS.cuminc.risk"]
    assert set(risk["group1_level"]) == {"A", "B"} and (risk["stat_name"] == "n.risk").all()
    assert _stat(ard, "LRFS.cuminc.risk", "n.risk", group1_level="A", variable_level="0") == 205


@pytest.mark.parametrize("case", ["no key", "endpoint not in the data"])
def test_chapter_without_competing_risks_says_why(tmp_path, case):
    data = read_study(STUDY)
    if case == "no key":
        del data["competing_risks"]
    else:
        data["competing_risks"]["paramcd"] = "LCRFS"
    study = tmp_path / "study.yaml"
    study.write_text(yaml.safe_dump(data, sort_keys=False))
    run_dir = tmp_path / "run"
    report = run_supplement(run_dir, extra={"study": str(study)}, notebooks=[NOTEBOOK], workers=1)
    assert not report.failed, [f.error for f in report.failed]
    results = read_results(run_dir, NOTEBOOK)
    # the reason in words (needs_in_words): the configuration's setting or the data's endpoint
    need = ("the study configuration names no endpoint with competing events" if case == "no key"
            else "the data lack the LCRFS endpoint in ADTTE")
    assert results["competing_risks"] == (None if case == "no key" else "LCRFS")
    assert need in str(results["unavailable"]["Competing risks"])
    text = (run_dir / "notebooks" / f"{NOTEBOOK}.ipynb").read_text()
    assert ("names no endpoint with competing events" in text) == (case == "no key")
    assert not (run_dir / "figures" / NOTEBOOK).exists()


# --------------------------------------------------------------------------- bad input
def _study(tmp_path: Path, change) -> Path:
    data = read_study(STUDY)
    change(data["competing_risks"])
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path



def test_competing_endpoint_without_event_type_variable_is_refused(tmp_path):
    path = _study(tmp_path, lambda cr: cr.pop("event_type"))
    with pytest.raises(StudyConfigError) as info:
        load_study(path)
    assert str(info.value).startswith(f"{path}: key 'competing_risks.event_type': is required")


def test_event_type_column_absent_from_adtte_is_refused(tmp_path, data_dir):
    study = _study(tmp_path, lambda cr: cr.update(event_type="EVNTTYPE"))
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir, study=study)
    err = info.value
    assert err.file.endswith("adtte.csv") and err.column == "EVNTTYPE"
    assert "competing_risks.event_type 'EVNTTYPE'" in str(err)


def test_event_type_code_not_in_the_data_is_refused_naming_rows(tmp_path, data_dir):
    study = _study(tmp_path, lambda cr: cr.update(competing=["Death", "Distant progression"]))
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir, study=study)
    err = info.value
    assert err.file.endswith("adtte.csv") and err.column == "EVNTDESC"
    assert "competing_risks.competing[1] 'Distant progression' is not an event type of PARAMCD LRFS" \
        in str(err)
    adtte = pd.read_csv(data_dir / "adtte.csv")
    events = adtte.index[(adtte["PARAMCD"] == "LRFS") & (adtte["CNSR"] == 0)]
    assert err.rows[:3] == tuple(int(i) + 1 for i in events[:3])


def test_event_rows_with_an_unconfigured_or_blank_type_are_listed_with_the_absent_code(
        tmp_path, data_dir):
    path = data_dir / "adtte.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    lr = frame.index[(frame["PARAMCD"] == "LRFS") & (frame["EVNTDESC"] == "Death")]
    frame.loc[lr[:2], "EVNTDESC"] = "Died"
    frame.loc[lr[2], "EVNTDESC"] = ""
    frame.loc[lr[2], "CNSDTDSC"] = ""
    frame.to_csv(path, index=False, lineterminator="\n")
    study = _study(tmp_path, lambda cr: cr.update(event="Local relapse"))
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir, study=study)
    err, text = info.value, str(info.value)
    assert err.column == "EVNTDESC"
    assert "'(blank)'" in text and "'Died'" in text and "'Local relapse or progression'" in text
    assert "competing_risks.event 'Local relapse' is not an event type" in text  # both at once
    assert set(int(i) + 1 for i in lr[:3]) <= set(err.rows)


def test_refused_competing_risks_stop_the_run_before_any_notebook(tmp_path):
    from helpers.run.execute import run

    study = _study(tmp_path, lambda cr: cr.update(event="Local relapse"))
    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    run_dir = tmp_path / "run"
    params["parameters"].update(output_dir=str(run_dir), run_label="refused", study=str(study))
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    with pytest.raises(DataValidationError, match="competing_risks.event 'Local relapse'"):
        run(path, workers=1, notebooks=[NOTEBOOK], echo=lambda line: None)
    assert not run_dir.exists()


def test_cuminc_figure_draws_the_numbers_at_risk_as_given_and_names_arms_and_types():
    import matplotlib.pyplot as plt

    from helpers.report.plots.cuminc import MAIN_LABEL, RISK_LABEL, cuminc_plot

    curve = lambda t, f: pd.DataFrame({"time": t, "estimate": f})  # noqa: E731
    curves = {"Relapse": {"A": curve([1.0, 5.0], [0.1, 0.3]), "B": curve([2.0], [0.05])},
              "Death": {"A": curve([3.0], [0.1])}}  # no death in arm B: flat at 0
    at_risk = pd.DataFrame({0.0: ["20", "18"], 12.0: ["7", "9"]}, index=["A", "B"])
    fig = cuminc_plot(curves, at_risk, labels={"A": "Control $x$", "B": "Resection"},
                      annotation="sHR 0.50 (0.20–1.10)")
    ax = next(a for a in fig.axes if a.get_label() == MAIN_LABEL)
    risk = next(a for a in fig.axes if a.get_label() == RISK_LABEL)
    assert [t.get_text() for t in risk.texts] == ["20", "7", "18", "9"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Control $x$", "Resection", "Relapse", "Death"]
    assert fig._suptitle.get_text() == "sHR 0.50 (0.20–1.10)"
    assert len(ax.lines) == 4 and ax.lines[3].get_ydata().max() == 0
    plt.close(fig)


def test_an_event_type_without_events_in_the_analysed_patients_is_not_estimable_with_reason():
    """E.g. after an early data cut: incidence 0 without CI, Gray and Fine-Gray missing with
    the reason; the tables print NE; the other event type is analysed as usual."""
    from helpers.analyses.competing import (CAUSE, CompetingSettings, analyse_competing,
                                            competing_ard, competing_frame)
    from helpers.ard import ArdBuilder, ArdView
    from helpers.report.competing import comparison_table, cuminc_table, competing_text
    from helpers.report.format import fill_stat_fmt

    study = load_study(STUDY)
    spec = study.competing_risks
    frame = competing_frame(load_trial_data(DATA), spec, "ITTFL")
    frame.loc[frame[CAUSE] == 2, [CAUSE, "event"]] = 0  # every death censored
    settings = CompetingSettings(spec=spec, population="ITTFL", strata=("ER",),
                                 landmarks=(36.0, 60.0), conf_level=0.95, time_unit="months")
    an = analyse_competing(frame, settings)
    b = ArdBuilder(NOTEBOOK, population="ITTFL")
    competing_ard(b, an)
    ard = fill_stat_fmt(b.frame())
    view = ArdView(ard)
    where = dict(group1_level="A", group2="EVNTDESC", group2_level="Death", variable="time",
                 variable_level="60")
    assert _stat(ard, "LRFS.cuminc", "estimate", **where) == 0
    row = view.row("LRFS.cuminc", "conf.low", **where)
    assert np.isnan(row["stat"]) and "no CI" in row["warning"]
    for aid in ("LRFS.gray", "LRFS.finegray"):
        row = view.row(aid, "p.value", group2_level="Death")
        assert np.isnan(row["stat"]) and "no Death events" in row["warning"]
    assert view.stat("LRFS.finegray", "n.event", group2_level="Death") == 0
    tests = comparison_table(view, "LRFS", spec.codes, spec.event_type, ("ER",))
    assert tests.iloc[1, 2] == "NE" and tests.iloc[1, 3] == "NE (NE–NE)"
    assert not tests.iloc[0].str.contains("NE").any()
    table = cuminc_table(view, "LRFS", spec.codes, spec.event_type, study.arm_labels,
                         (36.0, 60.0), "months")
    assert table.iloc[1, -1] == "0.0 (NE–NE)"
    assert "p NE" in competing_text(view, "LRFS", spec.label, spec.codes, spec.event_type,
                                    study.arm_labels, 60.0, "months", ("ER",))
    assert list(an.curves()) == list(spec.codes) and an.curves()["Death"] == {}
    json.dumps(an.to_dict(), default=str)
