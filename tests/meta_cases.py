"""The trial sets that validation/r/reference_meta.R pools with metafor: chosen from the trial
table by the same calls the chapter uses (JCOG1017 at its published value, since R has no run),
plus two hand-made sets: homogeneous trials (Q < k-1, tau² = 0 for every estimator) and k = 2.
``tests/fixtures/r/meta_trials.json`` is ``fixture_input()``; test_meta_r.py checks they agree.
"""

from __future__ import annotations

from functools import lru_cache

from helpers.meta import select_trials, trial_table

PUBLISHED_JCOG = {"jcog1017": "published"}
TABLE_CASES = {
    # the chapter's default set: uncertain versions left out
    "default": {"versions": PUBLISHED_JCOG, "include_uncertain": False},
    # every trial at its default version, uncertain ones included
    "all_trials": {"versions": PUBLISHED_JCOG, "include_uncertain": True},
    # first reports: MF07-01 2018, E2108 at ASCO 2020
    "first_reports": {"versions": {**PUBLISHED_JCOG, "mf07_01": "ann_surg_oncol_2018",
                                   "e2108": "asco_2020"}, "include_uncertain": True},
}
HAND_MADE = {
    "homogeneous": [
        {"trial": "h1", "year": 2001, "hr": 0.80, "lower": 0.60, "upper": 1.07, "ci_level": 0.95},
        {"trial": "h2", "year": 2002, "hr": 0.82, "lower": 0.66, "upper": 1.02, "ci_level": 0.90},
        {"trial": "h3", "year": 2003, "hr": 0.79, "lower": 0.55, "upper": 1.13, "ci_level": 0.95},
    ],
    "two_trials": [
        {"trial": "a", "year": 2010, "hr": 0.60, "lower": 0.45, "upper": 0.80, "ci_level": 0.95},
        {"trial": "b", "year": 2012, "hr": 1.10, "lower": 0.85, "upper": 1.42, "ci_level": 0.90},
    ],
}
FIELDS = ["trial", "year", "hr", "lower", "upper", "ci_level"]


@lru_cache(maxsize=1)
def jcog_table():
    """The bundled study's trial table (studies/jcog1017/trials.yaml), read as a run reads it."""
    from helpers.config.study import load_study
    from helpers.meta import read_study_trials

    return read_study_trials(load_study("studies/jcog1017.yaml"))


def case_table(name: str):
    """The trial table of a case (pooled rows only), as the chapter builds it."""
    import pandas as pd

    from helpers.meta import se_from_ci

    if name in HAND_MADE:
        table = pd.DataFrame(HAND_MADE[name])
        table["log_hr"] = table["hr"].map(__import__("math").log)
        table["se"] = [se_from_ci(r.lower, r.upper, r.ci_level) for r in table.itertuples()]
        return table
    spec = TABLE_CASES[name]
    pooled, _ = select_trials(trial_table("os", versions=spec["versions"], data=jcog_table()),
                              include_uncertain=spec["include_uncertain"])
    return pooled


def fixture_input() -> dict:
    return {name: case_table(name)[FIELDS].to_dict(orient="records")
            for name in [*TABLE_CASES, *HAND_MADE]}


if __name__ == "__main__":  # python tests/meta_cases.py > tests/fixtures/r/meta_trials.json
    import json

    print(json.dumps(fixture_input(), indent=2))
