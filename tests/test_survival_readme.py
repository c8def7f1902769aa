"""The README's "Python API quick start" runs as written and shows the analysis results."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def quick_start_code() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Python API quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "the quick start has one python code block"
    return blocks[0]


def test_readme_quick_start_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(quick_start_code(), "README.md quick start", "exec"), namespace)
    from helpers.survival import cox_hazard_ratio

    hr = namespace["hr"]
    assert hr.estimable and hr.n == 407 and hr.conf_level == 0.90
    assert hr.hr == cox_hazard_ratio(namespace["df"], "time", "event", "ARMCD", "B",
                                     strata=namespace["strata"], conf_level=0.90).hr
    out = capsys.readouterr().out
    assert f"stratified Cox HR {hr.hr:.2f}" in out and "one-sided p = " in out
    assert 0 < namespace["lr"].p_one_sided < 1
    assert sorted(namespace["km"]) == ["A", "B"]

