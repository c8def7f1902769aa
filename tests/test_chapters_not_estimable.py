"""One chapter's gap must not lose the book: with data in which this run's OS hazard ratio is
not estimable (no deaths in arm B, made here from the bundled data), chapter 8 shows and pools
the other trials and says why JCOG1017 is missing, and chapter 10 states "not estimable" for
the rows it affects instead of a number."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import ROOT, read_results, run_supplement

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def no_deaths_in_b(tmp_path_factory):
    base = tmp_path_factory.mktemp("no-deaths-b")
    data = base / "data"
    data.mkdir()
    for name in ("adsl.csv", "adae.csv"):
        shutil.copy(ROOT / "data" / name, data / name)
    adtte = pd.read_csv(ROOT / "data" / "adtte.csv")
    adsl = pd.read_csv(ROOT / "data" / "adsl.csv")
    arm_b = set(adsl.loc[adsl["ARMCD"] == "B", "USUBJID"])
    censor = (adtte["PARAMCD"] == "OS") & adtte["USUBJID"].isin(arm_b)
    assert censor.any() and (adtte.loc[censor, "CNSR"] == 0).any()
    died = censor & (adtte["CNSR"] == 0)
    adtte.loc[died, "CNSR"] = 1  # every arm-B patient alive at the last contact
    for column, text in (("EVNTDESC", ""), ("CNSDTDSC", "Alive at last contact")):
        if column in adtte.columns:
            adtte[column] = adtte[column].astype(object)
            adtte.loc[died, column] = text
    adtte.to_csv(data / "adtte.csv", index=False)
    run_dir = base / "run"
    report = run_supplement(run_dir, extra={"data_dir": str(data)},
                            notebooks=["08_meta_analysis", "10_reproduction"])
    assert not report.failed, [f.error for f in report.failed]
    return run_dir


def _markdown(run_dir, notebook: str) -> str:
    import nbformat

    nb = nbformat.read(run_dir / "notebooks" / f"{notebook}.ipynb", as_version=4)
    return "\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells
                     if c.cell_type == "code" for o in c.get("outputs", []))


def test_meta_analysis_pools_the_other_trials_and_says_why_jcog1017_is_missing(no_deaths_in_b):
    meta = read_results(no_deaths_in_b, "08_meta_analysis")["os"]
    assert "jcog1017" not in meta["trials"]["trial"]
    assert meta["pooled_trials"] == ["tata_memorial", "mf07_01"]
    assert "not estimable" in meta["not_estimable"]["jcog1017"]
    text = _markdown(no_deaths_in_b, "08_meta_analysis")
    assert "JCOG1017 is not in this chapter's pooling: this run's hazard ratio is not estimable" in text
    trials = pd.read_csv(no_deaths_in_b / "tables" / "08_meta_analysis" / "trials_os.csv")
    row = trials[(trials["Trial"] == "JCOG1017") & (trials["Version"] == "this run")].iloc[0]
    assert row["HR"] == "not estimable" and row["Pooled"].startswith("No: this run's hazard ratio")
    assert {"Tata Memorial", "MF07-01"} <= set(trials["Trial"])


def test_reproduction_states_not_estimable_for_the_affected_rows(no_deaths_in_b):
    table = pd.read_csv(no_deaths_in_b / "tables" / "10_reproduction" / "reproduction.csv",
                        keep_default_na=False)
    hr = table[table["Figure"].str.startswith("OS hazard ratio")]
    assert len(hr) == 6 and (hr["This run"] == "not estimable").all()
    assert (hr["Difference"] == "—").all()
    deaths = table[table["Figure"] == "Deaths"].iloc[0]
    assert deaths["This run"] != "not estimable"  # the deaths are still counted
    assert "not estimable" in _markdown(no_deaths_in_b, "10_reproduction")
