"""Bit-exact fingerprint of the survival kernels' and the trial simulation's outputs.

Runs many Kaplan-Meier, log-rank and Cox analyses (frame-level and array-level, Efron and
Breslow, strata of integers / strings / several columns, covariates, near-equal times
merged as aeqSurv, missing values, not estimable cases) and simulated trials, and hashes
the ``repr`` of every float result (``repr`` of a Python float round-trips: equal reprs
are equal bits). A speed-up that changes any number in its last bit changes the hash.

    python -m tests.survival_fingerprint          # print the hash (and --dump the lines)

``tests/test_survival_fastpaths.py`` checks the hash recorded before the survival core was
reworked (issue 23); it depends on the numpy build (SIMD exp/log, BLAS), so that check runs
only on the platform it was recorded on.
"""
from __future__ import annotations

import hashlib
import sys

import numpy as np
import pandas as pd


def _fmt(v) -> str:
    if isinstance(v, pd.DataFrame):
        return "DF" + repr(list(v.columns)) + ";".join(_fmt(v[c].tolist()) for c in v.columns)
    if isinstance(v, np.ndarray):
        return _fmt(v.tolist())
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_fmt(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(f"{k!r}:{_fmt(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (np.floating, float)):
        return repr(float(v))
    if isinstance(v, np.integer):
        return repr(int(v))
    return repr(v)


def _data(rng: np.random.Generator, n: int, ties: bool, near: bool) -> pd.DataFrame:
    arm = rng.integers(0, 2, n)
    s1 = rng.integers(0, 3, n)
    s2 = rng.choice(["lo", "hi"], n)
    age = rng.normal(60, 10, n)
    cat = rng.choice(["a", "b", "c"], n)
    t_ev = rng.exponential(20 / np.exp(np.log(0.7) * arm + 0.3 * s1 + 0.01 * (age - 60)))
    t_c = rng.uniform(2, 60, n)
    t = np.minimum(t_ev, t_c)
    if ties:
        t = np.maximum(np.round(t, 0), 1.0)
    if near:  # days -> months in two ways: last-bit differences, merged as aeqSurv
        days = np.round(t * 30.4375)
        t = np.where(rng.random(n) < 0.5, days / 30.4375, days * (1 / 30.4375))
    ev = (t_ev <= t_c).astype(int)
    return pd.DataFrame({"time": t, "event": ev, "arm": np.where(arm == 1, "B", "A"),
                         "armnum": arm, "s1": s1, "s2": s2, "age": age, "cat": cat})


def lines():
    """Yield one string per result (deterministic)."""
    from helpers.survival import (km_arrays, km_by_group, kaplan_meier, logrank_arrays,
                                  logrank_components, logrank_test, median_follow_up, rmst,
                                  rmst_difference)
    from helpers.survival.cox import cox_fit, cox_hazard_ratio, cox_table
    from helpers.survival.ph import schoenfeld_test
    from helpers.survival.subgroups import subgroup_analysis

    rng = np.random.default_rng(20240523)
    for case in range(24):
        n = int(rng.choice([5, 12, 40, 150, 400, 2000]))
        d = _data(rng, n, ties=case % 3 != 0, near=case % 4 == 1)
        if case % 5 == 2:  # missing values
            d.loc[d.sample(frac=0.1, random_state=case).index, "s1"] = np.nan
            d.loc[d.sample(frac=0.05, random_state=case + 1).index, "time"] = np.nan
        tag = f"case{case} n={n}"
        for fn, args, kw in [
            (km_by_group, ("time", "event", "arm"), {}),
            (km_by_group, ("time", "event", "s2"), {"conf_type": "log", "conf_level": 0.9}),
            (kaplan_meier, ("time", "event"), {"conf_type": "plain"}),
            (logrank_test, ("time", "event", "arm"), {"experimental": "B"}),
            (logrank_test, ("time", "event", "arm"), {"strata": "s1", "experimental": "B"}),
            (logrank_test, ("time", "event", "arm"), {"strata": ["s1", "s2"]}),
            (logrank_test, ("time", "event", "cat"), {"strata": "s2"}),
            (median_follow_up, ("time", "event"), {}),
        ]:
            try:
                r = fn(d, *args, **kw)
            except Exception as err:  # noqa: BLE001 - errors are part of the fingerprint
                yield f"{tag} {fn.__name__} {kw} ERR {type(err).__name__} {err}"
                continue
            if isinstance(r, dict):
                body = {k: (v.table, v.median, v.median_lower, v.median_upper, v.n,
                            v.n_excluded) for k, v in r.items()}
                yield f"{tag} {fn.__name__} {kw} {_fmt(body)} {r.n_excluded}"
            else:
                yield f"{tag} {fn.__name__} {kw} {_fmt(r.to_dict())}"
        for ties in ("efron", "breslow"):
            for strata, cov in [(None, None), ("s1", None), (["s1", "s2"], None),
                                ("s2", ["age"]), ("s1", ["age", "cat"]), (None, ["cat"])]:
                try:
                    hr = cox_hazard_ratio(d, "time", "event", "arm", "B", strata=strata,
                                          covariates=cov, ties=ties, conf_level=0.9)
                except Exception as err:  # noqa: BLE001
                    yield f"{tag} cox {ties} {strata} {cov} ERR {type(err).__name__} {err}"
                    continue
                yield f"{tag} cox {ties} {strata} {cov} {_fmt(hr.to_dict())}"
                if hr.fit is not None:
                    f = hr.fit
                    yield f"{tag} coxfit {_fmt(f.var)} {_fmt(cox_table(hr))} {f.iterations}"
                    if hr.estimable and case % 2 == 0:
                        for tr in ("km", "identity", "rank"):
                            try:
                                yield f"{tag} zph {tr} {_fmt(schoenfeld_test(hr, tr).to_dict())}"
                            except Exception as err:  # noqa: BLE001
                                yield f"{tag} zph {tr} ERR {type(err).__name__} {err}"
        if n >= 40 and case % 3 == 0:
            try:
                yield f"{tag} rmst {_fmt(rmst(d, 'time', 'event', 10.0).to_dict())}"
                yield (f"{tag} rmstdiff "
                       f"{_fmt(rmst_difference(d, 'time', 'event', 'arm', 10.0, 'B').to_dict())}")
            except Exception as err:  # noqa: BLE001
                yield f"{tag} rmst ERR {type(err).__name__} {err}"
            try:
                sa = subgroup_analysis(d, "time", "event", "arm", "B", ["cat", "s2"], strata="s1")
                yield f"{tag} subgroups {_fmt(sa.table)} {_fmt(sa.interaction)}"
            except Exception as err:  # noqa: BLE001
                yield f"{tag} subgroups ERR {type(err).__name__} {err}"
        # array-level cores on the complete rows, times as given
        c = d.dropna()
        t, e = c.time.to_numpy(), c.event.to_numpy()
        if len(c) >= 2 and e.sum() > 0:
            km = km_arrays(t, e)
            yield f"{tag} km_arrays {_fmt(km.table)} {km.median!r}"
            s = c.s1.to_numpy().astype(np.int64)
            g = c.armnum.to_numpy()
            for st in (None, s, c.s2.to_numpy()):
                try:
                    yield f"{tag} lr_arrays {_fmt(logrank_arrays(t, e, g, st, 1).to_dict())}"
                except Exception as err:  # noqa: BLE001
                    yield f"{tag} lr_arrays ERR {type(err).__name__} {err}"
            yield f"{tag} lr_comp {_fmt(logrank_components(t, e, g, 2, s))}"
            x = np.c_[g, c.age.to_numpy()]
            for ties in ("efron", "breslow"):
                for st in (None, s, s + 1000, c.s2.to_numpy(), s.astype(float)):
                    for cols in (x[:, :1], x):
                        try:
                            f = cox_fit(t, e, cols, strata=st, ties=ties)
                            f0 = cox_fit(t, e, cols, strata=st, ties=ties,
                                         init=np.full(cols.shape[1], 0.1), max_iter=0)
                        except Exception as err:  # noqa: BLE001
                            yield f"{tag} cox_fit ERR {type(err).__name__} {err}"
                            continue
                        yield (f"{tag} cox_fit {ties} {_fmt(f.to_dict())} {_fmt(f.var)} "
                               f"{_fmt(f0.to_dict())}")
    # many strata (general paths), and a large data set as the benchmark's (rounded times)
    for n, n_strata, seed in ((3000, 250, 1), (200_000, 4, 2)):
        r = np.random.default_rng(seed)
        arm = r.integers(0, 2, n)
        st = r.integers(0, n_strata, n)
        t_ev = r.exponential(30 / np.exp(np.log(0.75) * arm + 0.25 * (st % 4)))
        t_c = r.uniform(6, 90, n)
        t = np.maximum(np.round(np.minimum(t_ev, t_c), 1), 0.1)
        d = pd.DataFrame({"time": t, "event": (t_ev <= t_c).astype(int), "arm": arm,
                          "stratum": st, "sname": np.char.add("s", st.astype(str))})
        tag = f"big n={n} strata={n_strata}"
        kms = km_by_group(d, "time", "event", "arm")
        yield f"{tag} km {_fmt({k: (v.table, v.median) for k, v in kms.items()})}"
        for col in ("stratum", "sname"):
            yield (f"{tag} lr {col} "
                   f"{_fmt(logrank_test(d, 'time', 'event', 'arm', col, 1).to_dict())}")
            for ties in ("efron", "breslow"):
                hr = cox_hazard_ratio(d, "time", "event", "arm", 1, strata=col, ties=ties)
                yield f"{tag} cox {col} {ties} {_fmt(hr.to_dict())} {_fmt(hr.fit.var)}"


def simulation_lines():
    """Statistics of simulated trials (several scenarios, 500 trials of the benchmark's)."""
    from helpers.design.simulation import (Accrual, Analysis, delayed_effect, proportional_hazards,
                                    simulate_batch)

    shares = (0.2, 0.1, 0.15, 0.05, 0.2, 0.1, 0.15, 0.05)
    bench = proportional_hazards("bench", 20, 20 / 26, 410, Accrual(84), shares,
                                 target_events=359)
    yield "bench " + _fmt(simulate_batch(bench, Analysis(), 1, 0, 500))
    small = proportional_hazards("small", 12, 0.7, 60, Accrual(24, ramp_up=6), (0.5, 0.5),
                                 calendar_cut=30.0, dropout_per_month=(0.01, 0.02),
                                 stratum_hazard_ratios=(1.0, 1.5), block_size=2)
    for analysis in (Analysis(), Analysis(ties="breslow", sided=2, conf_level=0.95),
                     Analysis(stratified=False)):
        yield f"small {analysis} " + _fmt(simulate_batch(small, analysis, 7, 0, 100))
    simple = proportional_hazards("simple", 10, 1.0, 25, Accrual(12), (0.3, 0.3, 0.4),
                                  target_events=10, block_size=6, allocation=2 / 3,
                                  weibull_shape=1.5)
    yield "simple " + _fmt(simulate_batch(simple, Analysis(), 3, 0, 200))
    delayed = delayed_effect(bench.replace(n_patients=120, target_events=80), 6.0, 0.6)
    yield "delayed " + _fmt(simulate_batch(delayed, Analysis(), 5, 0, 100))


def fingerprint(which: str = "all", dump=None) -> str:
    h = hashlib.sha256()
    gens = {"survival": [lines], "simulation": [simulation_lines],
            "all": [lines, simulation_lines]}[which]
    for gen in gens:
        for line in gen():
            h.update(line.encode() + b"\n")
            if dump is not None:
                dump.write(line + "\n")
    return h.hexdigest()


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    dump = open(sys.argv[2], "w") if len(sys.argv) > 2 and sys.argv[1] == "--dump" else None
    for which in ("survival", "simulation"):
        print(which, fingerprint(which, dump))
