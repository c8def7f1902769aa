"""A study that names a trial table of its own: the meta-analysis chapter reads only the
bundled study's table, so it is left out with the reason rather than pooling another study's
trials under this one's name."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import yaml

from conftest import ROOT, run_supplement
from study_paths import read_study


def test_a_study_with_its_own_trial_table_leaves_the_meta_analysis_out(tmp_path):
    own = tmp_path / "trials.yaml"
    shutil.copy(ROOT / "studies" / "jcog1017" / "trials.yaml", own)
    study = read_study(ROOT / "studies" / "jcog1017.yaml")
    study["study"]["trials"] = str(own)
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True))
    run_dir = tmp_path / "run"
    report = run_supplement(run_dir, {"study": str(tmp_path / "study.yaml")},
                            notebooks=["08_meta_analysis"])
    assert not report.failed, [f.error for f in report.failed]
    results = json.loads((run_dir / "results" / "08_meta_analysis.json").read_text())
    assert "own" in results["omitted"]["reason"] and "study.trials" in results["omitted"]["reason"]
    ard = pd.read_parquet(run_dir / "ard" / "08_meta_analysis.parquet")
    assert not ard["analysis_id"].str.startswith("meta.").any()


def test_the_bundled_study_pools_its_trials(supplement_run):
    results = json.loads((supplement_run / "results" / "08_meta_analysis.json").read_text())
    assert not results.get("omitted")
    assert "meta.os.pooled" in (supplement_run / "ard.csv").read_text()
