"""Real ADaM as it comes (issue 18, part 3): the pharmaverse-shaped three-arm ADaM written by
``validation/pharmaverse_adam.py`` (random.cdisc.data / tern: ARM A/B/C, STRATA1/STRATA2,
BMRKR1/BMRKR2, decimal AGE, no ITTFL, ADTTE with OS/PFS/EFS and the non-time TNE, AVAL in
days) under ``studies/pharmaverse.yaml``, taken as it comes:

- only what the analyses use is checked (unused PARAMCDs and ADSL flags never block a run),
  and every data problem of a run is reported in one error, grouped by file;
- population ``all``; subgroup level labels; two comparisons in one configuration;
- each bad configuration new to the issue is refused naming the file and the key, with
  nothing written (boolean arm value, unknown comparison arm, duplicate comparison, a level
  label for a value not in the data, unknown display unit);
- an RMST horizon beyond an arm's follow-up is a not-estimable ARD row with its reason;
- the display unit on axes and in the numbers-at-risk steps; ``landmarks`` replaces
  ``landmarks_months``; the published figures come from the file the study names.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from helpers.config.params import validate
from helpers.config.study import StudyConfigError, load_study
from helpers.core.errors import DataValidationError, ParameterError
from helpers.data.problems import DataProblemsError
from helpers.data.trial_data import analysis_frame, load_trial_data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "validation"))
import pharmaverse_adam  # noqa: E402

STUDY = ROOT / "studies" / "pharmaverse.yaml"


@pytest.fixture(scope="module")
def adam(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pharmaverse")
    pharmaverse_adam.write(out, patients=240)
    return out


def _copy(adam: Path, tmp_path: Path, **frames: pd.DataFrame) -> Path:
    """The ADaM of ``adam`` in ``tmp_path/data`` with the tables of ``frames`` replaced."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("adsl", "adtte", "adae"):
        frame = frames.get(name)
        if frame is None:
            frame, _ = pyreadstat.read_xport(str(adam / f"{name}.xpt"))
        pyreadstat.write_xport(frame, str(data / f"{name}.xpt"), table_name=name.upper(),
                               file_format_version=5)
    return data


def _read(adam: Path, name: str) -> pd.DataFrame:
    return pyreadstat.read_xport(str(adam / f"{name}.xpt"))[0]


def _study(tmp_path: Path, edit=None) -> Path:
    """studies/pharmaverse.yaml, optionally edited (``edit(config)`` on the parsed YAML, or
    a text replacement (old, new))."""
    text = STUDY.read_text()
    if isinstance(edit, tuple):
        assert edit[0] in text
        text = text.replace(*edit)
    elif edit is not None:
        config = yaml.safe_load(text)
        edit(config)
        text = yaml.safe_dump(config, sort_keys=False)
    path = tmp_path / "study.yaml"
    path.write_text(text)
    return path


def _params(tmp_path: Path, study: Path, data: Path, **extra) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"parameters": {
        "run_label": "t", "study": str(study), "output_dir": str(tmp_path / "run"),
        "data_dir": str(data), "data_format": "xpt", **extra}}))
    return path


def _run_cli(params: Path, capsys, *args: str) -> tuple[int, str]:
    from helpers.run.cli import main

    code = main([str(params), "--workers", "1", *args])
    return code, capsys.readouterr().err


# --- the data as they come ------------------------------------------------------------------

def test_pharmaverse_adam_loads_as_it_comes_for_both_comparisons(adam):
    study = load_study(STUDY)
    assert study.comparison_slugs == ("arm-a-vs-arm-b", "arm-c-vs-arm-b")
    assert study.populations["full_analysis"] == "all"
    for slug, experimental in zip(study.comparison_slugs, ("ARM A", "ARM C")):
        one = study.for_comparison(slug)
        assert (one.experimental.value, one.control.value) == (experimental, "ARM B")
        data = load_trial_data(adam, fmt="xpt", study=one)
        frame = analysis_frame(data, "OS", population="all")
        adsl = _read(adam, "adsl")
        assert len(frame) == adsl["ARMCD"].isin([experimental, "ARM B"]).sum()
        assert set(frame["SEX"]) == {"Female", "Male"}  # the labels of levels {F: .., M: ..}
        assert (frame["AGE"] % 1 != 0).any()  # decimal AGE kept as it is
        tne = data.adtte[data.adtte["PARAMCD"] == "TNE"]
        assert len(tne) == len(adsl) and set(tne["AVALU"]) == {"COUNT"}  # kept, not converted
        with pytest.raises(DataValidationError, match="AVALU COUNT is not a time unit"):
            analysis_frame(data, "TNE", population="all")
    with pytest.raises(StudyConfigError, match="unknown comparison 'arm-a-vs-arm-c'"):
        study.for_comparison("arm-a-vs-arm-c")


def test_unused_parameters_and_flags_never_block_a_run(adam, tmp_path):
    adtte = _read(adam, "adtte")
    tne = adtte["PARAMCD"] == "TNE"
    adtte.loc[tne[tne].index[:3], "AVAL"] = -1.0  # a negative count: not a time, not checked
    adtte.loc[adtte.index[adtte["PARAMCD"] == "CRSD"][:2], "CNSR"] = 0.5
    adsl = _read(adam, "adsl")
    adsl["DCSFL"] = "Yes"  # a sponsor's flag in its own coding that no analysis uses
    data = load_trial_data(_copy(adam, tmp_path, adtte=adtte, adsl=adsl), fmt="xpt",
                           study=STUDY)
    assert set(data.adsl["DCSFL"]) == {"Yes"}
    # an analysis of an unconfigured PARAMCD validates its rows when it asks for them
    with pytest.raises(DataValidationError, match="CNSR"):
        analysis_frame(data, "CRSD", population="all")


def test_every_data_problem_of_a_run_in_one_error_grouped_by_file(adam, tmp_path, capsys):
    adsl = _read(adam, "adsl")
    adsl.loc[[4, 9], "SEX"] = "U"  # not in the labelled levels F, M
    adsl.loc[2, "BMRKR2"] = "VERY HIGH"  # not in the levels LOW, MEDIUM, HIGH
    adtte = _read(adam, "adtte")
    os_rows = adtte.index[adtte["PARAMCD"] == "OS"]
    adtte.loc[os_rows[:2], "CNSR"] = 2.5  # an endpoint's censoring flag: used
    data = _copy(adam, tmp_path, adsl=adsl, adtte=adtte)
    with pytest.raises(DataProblemsError) as info:
        load_trial_data(data, fmt="xpt", study=load_study(STUDY).for_comparison(None))
    message = str(info.value)
    assert message.startswith("3 data problems (fix them all, then run again):")
    assert f"  {data / 'adsl.xpt'}:" in message and f"  {data / 'adtte.xpt'}:" in message
    assert "column SEX" in message and "rows 5, 10" in message  # 1-based data rows
    assert "column BMRKR2" in message and "VERY HIGH (row 3)" in message
    assert "column CNSR" in message and f"rows {os_rows[0] + 1}, {os_rows[1] + 1}" in message
    groups: dict[str, list[str]] = {}  # file header -> its problem lines
    for line in message.splitlines()[1:]:
        if line.startswith("    - "):
            groups[header].append(line)
        else:
            header = line.strip().rstrip(":")
            groups[header] = []
    assert set(groups) == {str(data / "adsl.xpt"), str(data / "adtte.xpt")}
    assert [line.split(":")[0] for line in groups[str(data / "adsl.xpt")]] == [
        "    - column SEX", "    - column BMRKR2"]
    assert [line.split(":")[0] for line in groups[str(data / "adtte.xpt")]] == ["    - column CNSR"]

    code, err = _run_cli(_params(tmp_path, STUDY, data), capsys)
    assert code == 2 and "3 data problems" in err
    assert not (tmp_path / "run").exists()  # nothing written


# --- bad configurations: refused naming the file and the key, nothing written -----------------

BAD_CONFIGURATIONS = {
    "boolean arm value": (("  - [ARM C, ARM B]", "  - [ARM C, no]"),
                          ["key 'comparisons[1][1]'", "write 'no' in quotes"]),
    "boolean control value": (("control: {value: ARM B,", "control: {value: no,"),
                              ["key 'arms.control.value'", "write 'no' in quotes"]),
    "unknown comparison arm": (("  - [ARM C, ARM B]", "  - [ARM D, ARM B]"),
                               ["key 'comparisons[1][0]'", "unknown arm 'ARM D'"]),
    "duplicate comparison": (("  - [ARM C, ARM B]", "  - [ARM B, ARM A]"),
                             ["key 'comparisons[1]'", "duplicate comparison"]),
    "unknown display unit": (("display_unit: days", "display_unit: fortnights"),
                             ["key 'time.display_unit'", "unknown time unit 'fortnights'"]),
    "level label for a value not in the data": (
        ("levels: {F: Female, M: Male}", "levels: {F: Female, M: Male, U: Unknown}"),
        ["adsl.xpt", "key 'subgroups[0].levels'", "value(s) 'U'", "ADSL.SEX"]),
}


@pytest.mark.parametrize("case", list(BAD_CONFIGURATIONS))
def test_bad_configuration_is_refused_naming_file_and_key_with_nothing_written(
        case, adam, tmp_path, capsys):
    edit, expected = BAD_CONFIGURATIONS[case]
    study = _study(tmp_path, edit)
    code, err = _run_cli(_params(tmp_path, study, adam), capsys)
    assert code == 2, err
    for text in expected:
        assert text in err, (text, err)
    if "adsl.xpt" not in expected:
        assert str(study) in err
    assert not (tmp_path / "run").exists()


def test_level_labels_as_a_list_of_value_label_pairs(tmp_path):
    study = load_study(_study(tmp_path, ("levels: {F: Female, M: Male}",
                                         "levels: [{value: F, label: Female}, {value: M, label: Male}]")))
    assert study.level_labels()["SEX"] == {"F": "Female", "M": "Male"}
    with pytest.raises(StudyConfigError, match=r"key 'subgroups\[0\].levels': level labels repeat"):
        load_study(_study(tmp_path, ("levels: {F: Female, M: Male}", "levels: {F: Sex, M: Sex}")))


# --- RMST beyond follow-up ------------------------------------------------------------------

def test_rmst_beyond_an_arms_follow_up_is_a_not_estimable_ard_row_with_its_reason():
    from helpers.ard import ArdBuilder, ArdView
    from helpers.ard.survival import add_rmst
    from helpers.report.format import fill_stat_fmt
    from helpers.survival import rmst_difference
    from helpers.survival.rmst import RMSTNotEstimable

    df = pd.DataFrame({"time": [1.0, 2, 3, 4, 5, 2, 4, 6, 8, 10],
                       "event": [1, 0, 1, 0, 0, 1, 0, 1, 0, 0],
                       "ARMCD": ["A"] * 5 + ["B"] * 5})
    result = rmst_difference(df, "time", "event", "ARMCD", tau=8, experimental="B")
    assert isinstance(result, RMSTNotEstimable) and math.isnan(result.difference)
    assert "ARMCD = A" in result.note and "(5)" in result.note
    assert math.isfinite(result.arms["B"].estimate)  # the other arm keeps its value
    b = ArdBuilder("07_sensitivity", population="all", data_cut=None)
    add_rmst(b, "OS.rmst", result, arm="ARMCD", paramcd="OS")
    view = ArdView(fill_stat_fmt(b.frame()))
    assert math.isnan(view.stat("OS.rmst", "estimate", group1_level="B vs A"))
    assert view.reason("OS.rmst", "estimate", group1_level="B vs A") == result.note
    assert view.reason("OS.rmst", "estimate", group1_level="A") == result.note
    assert view.reason("OS.rmst", "estimate", group1_level="B") == ""
    # an estimable horizon: no warning, the numbers as before
    ok = rmst_difference(df, "time", "event", "ARMCD", tau=5, experimental="B")
    assert type(ok).__name__ == "RMSTDifference" and math.isfinite(ok.difference)


def test_sensitivity_chapter_text_states_why_the_rmst_is_not_estimable():
    from helpers.analyses.sensitivity import SensitivitySettings
    from helpers.ard import ArdBuilder, ArdView
    from helpers.ard.survival import add_rmst
    from helpers.report import sensitivity as report
    from helpers.report.format import fill_stat_fmt
    from helpers.survival import rmst_difference

    df = pd.DataFrame({"time": [1.0, 2, 3, 4, 5, 2, 4, 6, 8, 10],
                       "event": [1, 0, 1, 0, 0, 1, 0, 1, 0, 0],
                       "ARMCD": ["A"] * 5 + ["B"] * 5})
    b = ArdBuilder("07_sensitivity", population="all", data_cut=None)
    add_rmst(b, "OS.rmst", rmst_difference(df, "time", "event", "ARMCD", tau=8, experimental="B"),
             arm="ARMCD", paramcd="OS")
    view = ArdView(fill_stat_fmt(b.frame()))
    settings = SensitivitySettings.from_params(
        {"endpoint": "OS", "population": "all", "strata": [], "primary_conf_level": 0.9,
         "conf_level": 0.95, "sided": "one-sided", "ties": "efron", "km_conf_type": "log-log",
         "landmarks": [4, 8], "rmst_horizon": 8}, time_unit="days")
    table = report.rmst_table(view, settings, {"A": "a", "B": "b"})
    assert list(table["RMST, days"]) [0] == "NE" and table["RMST, days"].iloc[2] == "NE"
    assert "not estimable" in report.rmst_note(view, settings)
    text = report.rmst_text(view, settings, {"A": "a", "B": "b"})
    assert "cannot be compared" in text and "beyond the last follow\\-up" in text  # md_text


# --- display unit, parameters, published figures --------------------------------------------

def test_numbers_at_risk_at_natural_steps_of_the_display_unit():
    from helpers.report.plots.time_axis import natural_ticks, time_axis_label

    assert natural_ticks(1800, "days")[:3] == [0, 180, 360]
    assert natural_ticks(800, "days")[:3] == [0, 90, 180]
    assert natural_ticks(3000, "days")[:3] == [0, 365, 730]
    assert natural_ticks(100, "weeks")[:3] == [0, 13, 26]
    assert natural_ticks(110, "months")[:3] == [0, 12, 24]
    assert natural_ticks(50, "months")[:3] == [0, 6, 12]
    assert natural_ticks(8, "years")[:3] == [0, 1, 2]
    assert time_axis_label("days") == "Days since randomisation"
    with pytest.raises(ValueError, match="unknown display unit 'fortnights'"):
        natural_ticks(10, "fortnights")


def test_km_plot_axis_in_the_analysis_unit():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.report.plots import km_plot

    table = pd.DataFrame({"time": [0.0, 200, 500, 900], "n_risk": [10, 8, 5, 2],
                          "n_event": [0, 1, 1, 1], "n_censor": [0, 1, 2, 1],
                          "surv": [1.0, 0.9, 0.7, 0.4]})
    table.attrs["time_unit"] = "days"
    fig = km_plot({"Arm A": table}, tail_min_at_risk=None)  # the whole curve: the axis, not the tail rule
    main = next(ax for ax in fig.axes if ax.get_label() == "km")
    assert main.get_xlabel() == "Days since randomisation"
    assert list(main.get_xticks())[:3] == [0, 90, 180]


def test_landmarks_replaces_landmarks_months_and_time_unit_goes():
    with pytest.warns(FutureWarning, match="'landmarks_months' is deprecated: write 'landmarks'"):
        params = validate({"landmarks_months": [12, 24]})
    assert params["landmarks"] == [12, 24] and "landmarks_months" not in params
    with pytest.warns(FutureWarning, match="'time_unit' is deprecated and ignored"):
        params = validate({"time_unit": "months"})
    assert "time_unit" not in params
    with pytest.raises(ParameterError, match="'landmarks_months' and 'landmarks' both given"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            validate({"landmarks_months": [12], "landmarks": [24]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert validate({"landmarks": [365, 730]})["landmarks"] == [365, 730]


def test_published_figures_come_from_the_file_the_study_names(tmp_path):
    from helpers.config.reference import published_figures, published_value, study_figures
    from helpers.notebook.session import NotebookSession

    own = tmp_path / "published.yaml"
    own.write_text("sources: {main: 'A. Author, J Trials 2020'}\n"
                   "design:\n  power: {value: 0.9, source: main}\n"
                   "results:\n  os:\n    hazard_ratio: {value: 0.8, ci: [0.6, 1.1], ci_level: 0.95, source: main}\n")
    assert published_value("design.power") == 0.8  # the default study's file
    study = _study(tmp_path, lambda c: c["study"].update(reference="published.yaml"))
    session = NotebookSession(name="10_reproduction", params={"study": str(study)}, ctx=None)
    figures = session.figures
    assert figures == study_figures(session.study)
    assert published_value("design.power", figures) == 0.9
    assert [r["path"] for r in published_figures(figures=figures)] == [
        "design.power", "results.os.hazard_ratio", "results.os.hazard_ratio.ci_lower",
        "results.os.hazard_ratio.ci_upper"]
    assert published_value("results.os.hazard_ratio.ci_upper", figures) == 1.1


# --- end to end -----------------------------------------------------------------------------

@pytest.mark.slow
def test_pharmaverse_run_end_to_end_both_comparisons(adam, tmp_path, capsys):
    params = _params(tmp_path, STUDY, adam, rmst_horizon=5000)  # beyond every arm's follow-up
    code, err = _run_cli(params, capsys, "--notebooks", "03", "07")
    assert code == 0, err
    for slug in ("arm-a-vs-arm-b", "arm-c-vs-arm-b"):
        run = tmp_path / "run" / slug / "current"
        ard = pd.concat([pd.read_parquet(run / "ard" / f"{name}.parquet")
                         for name in ("03_overall_survival", "07_sensitivity")])
        assert set(ard["population"].dropna()) <= {"all", "SAFFL"}
        rmst = ard[(ard["analysis_id"] == "OS.rmst") & (ard["stat_name"] == "estimate")]
        assert rmst["stat"].isna().any()
        assert rmst.loc[rmst["stat"].isna(), "warning"].str.contains("beyond the last follow-up").all()
        table = pd.read_csv(run / "tables" / "07_sensitivity" / "rmst.csv")
        assert "RMST, days" in table.columns
        summary = pd.read_csv(run / "tables" / "03_overall_survival" / "os_summary.csv")
        assert any("days" in c for c in summary.columns)
        assert not any("month" in c.lower() for c in summary.columns)
