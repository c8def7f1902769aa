"""Property: on any valid ADaM data set drawn by hypothesis (small n, tied times, heavy
censoring, missing or one-level strata, one-level subgroups, a constant covariate), every
notebook either completes, with its primary numbers equal to direct calls of the helpers and
no hazard ratio missing without a stated reason, or stops with a DataValidationError or a
ParameterError. Never another exception.

The notebooks run in this process (their code cells executed in order, the parameters cell
overridden as papermill would): kernels would make each example cost seconds."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import jupytext
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.core.errors import DataValidationError, ParameterError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
STUDY = {
    "study": {"id": "PROP"},
    "arms": {"variable": "ARMCD", "control": {"value": "A", "label": "Control"},
             "experimental": {"value": "B", "label": "Experimental"}},
    "populations": {"full_analysis": "ITTFL", "safety": "SAFFL"},
    "time": {"unit": "months"},
    "endpoints": {"primary": {"paramcd": "OS", "label": "Overall survival", "events": "deaths"},
                  "secondary": [{"paramcd": "PFS", "label": "Progression-free survival"}]},
    "strata": ["STRAT"],
    "subgroups": [{"variable": "SUBG", "label": "Subgroup", "levels": ["X", "Y"]}],
    "baseline": [{"variable": "AGE", "label": "Age", "type": "continuous"},
                 {"variable": "SUBG", "label": "Subgroup"}],
    "covariates": ["AGE", "SUBG"],
    "landmarks": [3, 6],
    "rmst_horizon": 6,
}


@st.composite
def trials(draw):
    n = draw(st.integers(6, 40))
    arms = draw(st.lists(st.sampled_from("AB"), min_size=n, max_size=n))
    strata = draw(st.lists(st.sampled_from(["S1", "S2", "S3", ""]), min_size=n, max_size=n))
    subgroup = draw(st.lists(st.sampled_from(["X", "Y"]), min_size=n, max_size=n))
    constant_age = draw(st.booleans())
    ages = [50] * n if constant_age else draw(st.lists(st.integers(30, 80), min_size=n, max_size=n))
    censoring = draw(st.floats(0.0, 0.95))
    times = {code: draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)) for code in ("OS", "PFS")}
    censored = {code: draw(st.lists(st.floats(0, 1), min_size=n, max_size=n)) for code in ("OS", "PFS")}
    ids = [f"P-{i:03d}" for i in range(n)]
    adsl = pd.DataFrame({"USUBJID": ids, "ARMCD": arms, "ITTFL": "Y", "SAFFL": "Y",
                         "STRAT": strata, "SUBG": subgroup, "AGE": ages})
    adtte = pd.concat([pd.DataFrame({
        "USUBJID": ids, "PARAMCD": code, "AVAL": [t / 2 for t in times[code]],
        "CNSR": [int(u < censoring) for u in censored[code]]}) for code in ("OS", "PFS")])
    return adsl, adtte


def notebook_code(path: Path) -> tuple[str, list[str]]:
    """(parameters cell, the other code cells in order) of a percent-format notebook."""
    cells = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
    params = next(c for c in cells if "parameters" in c.metadata.get("tags", []))
    return params.source, [c.source for c in cells if c is not params]


def run_in_process(path: Path, parameters: dict) -> None:
    params_cell, cells = notebook_code(path)
    namespace: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(params_cell, namespace)
        namespace.update(parameters)
        for source in cells:
            code = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
            exec(compile(code, str(path), "exec"), namespace)


def check_hazard_ratios(results, path="") -> None:
    """No hazard ratio is missing (null) without a note saying why."""
    if isinstance(results, dict):
        if "hr" in results and results["hr"] is None and "note" in results:
            assert results["note"], f"{path}: hr is null without a note"
        for key, value in results.items():
            check_hazard_ratios(value, f"{path}/{key}")
    elif isinstance(results, list):
        for i, value in enumerate(results):
            check_hazard_ratios(value, f"{path}[{i}]")


@pytest.mark.slow
@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=trials())
def test_every_notebook_succeeds_or_refuses_clearly(data, tmp_path_factory):
    import matplotlib

    matplotlib.use("Agg")
    adsl, adtte = data
    base = tmp_path_factory.mktemp("prop")
    (base / "data").mkdir()
    adsl.to_csv(base / "data" / "adsl.csv", index=False)
    adtte.to_csv(base / "data" / "adtte.csv", index=False)
    (base / "study.yaml").write_text(yaml.safe_dump(STUDY))
    parameters = {"study": str(base / "study.yaml"), "data_dir": str(base / "data"),
                  "output_dir": str(base / "run"), "run_label": "property"}
    outcomes = {}
    for path in NOTEBOOKS:
        try:
            run_in_process(path, parameters)
            outcomes[path.stem] = "ok"
        except (DataValidationError, ParameterError) as exc:
            assert str(exc), path.stem
            outcomes[path.stem] = "refused"
    results = {p.stem: json.loads(p.read_text()) for p in (base / "run" / "results").glob("*.json")}
    for name, res in results.items():
        check_hazard_ratios(res, name)
    if "09_design" in results:  # at most 40 patients, fewer than the deaths the design needs
        design = results["09_design"]
        sim = design["simulation"]
        assert sim["observed_accrual_patients"] == design["patients"]
        assert sim["observed_accrual_patients_source"].startswith(
            f"planned: the data have {len(adsl)} randomised patients")
    if outcomes.get("03_overall_survival") == "ok":
        from helpers.data.trial_data import analysis_frame, load_trial_data
        from helpers.survival.cox import cox_hazard_ratio

        frame = analysis_frame(load_trial_data(base / "data", study=base / "study.yaml"), "OS")
        direct = cox_hazard_ratio(frame, "time", "event", "ARMCD", "B", strata=["STRAT"],
                                  conf_level=0.90)
        hr = results["03_overall_survival"]["hazard_ratio"]
        if np.isfinite(direct.hr):
            assert hr["hr"] == pytest.approx(direct.hr, rel=1e-9)
        else:
            assert hr["hr"] is None and hr["note"]


HOSTILE = st.lists(st.sampled_from(
    list("<>&\"'#$%*\\@[]{}_`|~^!=:;/") + ["<script>", "<img src=x onerror=alert(1)>", "日本語",
                                            "\u202e", "\u200b", "عربي", " ", "a", "B"]),
    min_size=1, max_size=5).map(lambda parts: "".join(parts).strip()).filter(bool)


def _markdown_shown(captured: list) -> str:
    """The Markdown the notebooks displayed (HTML tables are escaped by pandas)."""
    from IPython.display import Markdown

    return "\n".join(obj.data for obj in captured
                     if isinstance(obj, Markdown) and isinstance(obj.data, str))


@pytest.mark.slow
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=trials(), labels=st.lists(HOSTILE, min_size=4, max_size=4, unique=True))
def test_hostile_labels_are_shown_literally_or_refused(data, labels, tmp_path_factory, monkeypatch):
    """Arm labels, subgroup levels and stratum values drawn from an alphabet of HTML, Markdown
    and Typst specials, CJK, right-to-left and zero-width characters: every notebook succeeds
    with no label displayed as raw Markdown/HTML (each appears only escaped), or stops with a
    clear DataValidationError/ParameterError."""
    import IPython.display
    import matplotlib

    from helpers.core.textsafe import md_text

    matplotlib.use("Agg")
    captured: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: captured.extend(objs))
    adsl, adtte = data
    control, experimental, level_x, level_y = labels
    adsl = adsl.assign(SUBG=adsl["SUBG"].map({"X": level_x, "Y": level_y}),
                       STRAT=adsl["STRAT"].map({"S1": level_x, "S2": level_y, "S3": "S3", "": ""}))
    study = {**STUDY,
             "arms": {"variable": "ARMCD", "control": {"value": "A", "label": control},
                      "experimental": {"value": "B", "label": experimental}},
             "subgroups": [{"variable": "SUBG", "label": "Subgroup", "levels": [level_x, level_y]}]}
    base = tmp_path_factory.mktemp("hostile")
    (base / "data").mkdir()
    adsl.to_csv(base / "data" / "adsl.csv", index=False)
    adtte.to_csv(base / "data" / "adtte.csv", index=False)
    (base / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True))
    parameters = {"study": str(base / "study.yaml"), "data_dir": str(base / "data"),
                  "output_dir": str(base / "run"), "run_label": "hostile"}
    for path in NOTEBOOKS:
        try:
            run_in_process(path, parameters)
        except (DataValidationError, ParameterError) as exc:
            assert str(exc), path.stem
    shown = _markdown_shown(captured)
    for label in labels:
        if md_text(label) != label and len(label) > 1:
            assert label not in shown.replace(md_text(label), ""), (
                f"label {label!r} displayed unescaped")
