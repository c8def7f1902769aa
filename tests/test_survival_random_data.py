"""Random small datasets (ties, heavy censoring, missing values, sparse strata, one-arm
strata): every frame-level survival function either gives numbers (a NaN only with a note
saying why) or stops with a ValueError naming the problem; never another exception.

Seeded numpy draws (deterministic); the issue-10 property test with hypothesis over whole
notebooks belongs to the run layer.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from helpers.survival import (cox_hazard_ratio, km_by_group, logrank_test, median_follow_up,
                              rmst_difference)
from helpers.survival.subgroups import subgroup_analysis


def random_trial(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 16))
    d = pd.DataFrame({
        "time": rng.choice([0.0, 1.0, 2.0, 3.0, 5.0, 8.0], n) if rng.random() < 0.5
        else rng.exponential(10, n).round(1),
        "event": (rng.random(n) < rng.choice([0.0, 0.2, 0.7, 1.0])).astype(int),
        "arm": rng.choice(["A", "B"], n),
        "s1": rng.choice(["x", "y", "z"], n),
        "s2": rng.choice([0, 1], n),
        "age": rng.normal(60, 10, n).round(),
    })
    if rng.random() < 0.3:
        d.loc[rng.random(n) < 0.2, "s1"] = None
    if rng.random() < 0.2:
        d["age"] = 50.0  # constant covariate
    return d


def finite_or_noted(value: float, note: str) -> None:
    assert math.isfinite(value) or note, (value, note)


CALLS = {
    "km": lambda d: km_by_group(d, "time", "event", "arm"),
    "logrank": lambda d: logrank_test(d, "time", "event", "arm", strata=["s1", "s2"],
                                      experimental="B"),
    "cox": lambda d: cox_hazard_ratio(d, "time", "event", "arm", "B", strata="s1",
                                      covariates=["age"]),
    "follow_up": lambda d: median_follow_up(d, "time", "event"),
    "rmst": lambda d: rmst_difference(d, "time", "event", "arm", tau=2.0, experimental="B"),
    "subgroups": lambda d: subgroup_analysis(d, "time", "event", "arm", "B", ["s2"]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_numbers_or_a_clear_error_on_random_small_data(name):
    outcomes = {"result": 0, "error": 0}
    for seed in range(60):
        d = random_trial(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # no silent 0/0
            try:
                res = CALLS[name](d)
            except ValueError as err:
                assert str(err), "an error says what is wrong"
                outcomes["error"] += 1
                continue
        outcomes["result"] += 1
        if name == "logrank":
            finite_or_noted(res.p_two_sided, res.note)
            assert res.n.sum() + res.n_excluded == len(d)
        elif name == "cox":
            finite_or_noted(res.hr, res.note)
            assert res.n + res.n_excluded == len(d) and res.estimable == (res.note == "")
        elif name == "rmst":  # a horizon beyond an arm's follow-up: not estimable, with why
            finite_or_noted(res.difference, getattr(res, "note", ""))
        elif name == "subgroups":
            for row in res.table.itertuples():
                finite_or_noted(row.hr, row.note)
    assert outcomes["result"] > 0  # the draws exercise both outcomes
    if name in ("logrank", "cox", "rmst"):
        assert outcomes["error"] > 0
