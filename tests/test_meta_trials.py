"""helpers.meta.trials: the trial table, CI -> SE conversion, refusal of bad entries, version
choice; helpers.report.plots.meta_forest's table; pooling cross-checked against statsmodels."""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest

from helpers.core.errors import DataValidationError, ParameterError
from helpers.meta import (METHODS, RunEstimate, load_trials, pool, published_meta_analyses,
                          se_from_ci, select_trials, trial_table)
from helpers.report.plots.meta_forest import forest_table, trial_forest_plot
from meta_cases import jcog_table

JCOG = jcog_table()


def _packaged() -> dict:
    return JCOG.data

RUN = {"jcog1017": RunEstimate(hr=0.84, lower=0.69, upper=1.03, conf_level=0.90)}


def test_90_percent_ci_converts_with_qnorm_095():
    # hand-made: HR 0.80 (90% CI 0.65-0.98); qnorm(0.95) = 1.6448536269514722 (R)
    se = (math.log(0.98) - math.log(0.65)) / (2 * 1.6448536269514722)
    assert se_from_ci(0.65, 0.98, 0.90) == pytest.approx(se, abs=1e-12)
    assert se == pytest.approx(0.124808, abs=1e-6)  # 0.410580 / 3.289707, by hand
    # the same SE gives a wider 95% CI: 0.80 x exp(-/+ 1.959964 x 0.124808) = 0.6264-1.0217
    lower95 = math.exp(math.log(0.80) - 1.959963984540054 * se)
    assert lower95 == pytest.approx(0.6264, abs=1e-4) and lower95 < 0.65
    # a 95% CI divides by 2 x 1.96 instead
    assert se_from_ci(0.65, 0.98, 0.95) == pytest.approx(0.410580 / 3.919928, abs=1e-6)


def test_trial_table_defaults_and_a_90_percent_trial():
    table = trial_table("os", run_estimates=RUN, data=JCOG)
    assert list(table["year"]) == sorted(table["year"])  # publication-year order
    assert set(table["trial"]) == {"tata_memorial", "mf07_01", "abcsg_28", "e2108", "jcog1017"}
    e2108 = table.set_index("trial").loc["e2108"]
    assert e2108["ci_level"] == 0.90 and e2108["version"] == "jco_2022"
    assert e2108["se"] == pytest.approx(
        (math.log(1.52) - math.log(0.82)) / (2 * 1.6448536269514722), abs=1e-12)
    jcog = table.set_index("trial").loc["jcog1017"]
    assert jcog["from_run"] and (jcog["hr"], jcog["ci_level"]) == (0.84, 0.90)


def test_uncertain_trials_are_excluded_by_default_and_named():
    table = trial_table("os", run_estimates=RUN, data=JCOG)
    pooled, excluded = select_trials(table)
    assert set(excluded["trial"]) == {"abcsg_28", "e2108"} and excluded["uncertain"].all()
    assert not pooled["uncertain"].any()
    pooled_all, none = select_trials(table, include_uncertain=True)
    assert len(pooled_all) == len(table) and none.empty


def test_version_is_a_parameter():
    table = trial_table("os", versions={"mf07_01": "ann_surg_oncol_2018", "e2108": "asco_2020"},
                        run_estimates=RUN, data=JCOG).set_index("trial")
    assert (table.loc["mf07_01", "hr"], table.loc["mf07_01", "year"]) == (0.66, 2018)
    assert not table.loc["e2108", "uncertain"]
    published = trial_table("os", versions={"jcog1017": "published"}, data=JCOG).set_index("trial")
    assert published.loc["jcog1017", "hr"] == 0.857  # jcog1017_published.yaml, ASCO 2023


@pytest.mark.parametrize("versions, fragment", [
    ({"mf07_01": "2019_update"}, "trial 'mf07_01' has no os version '2019_update'"),
    ({"nosuch": "x"}, "unknown trial(s) nosuch"),
])
def test_unknown_version_or_trial_is_a_parameter_error(versions, fragment):
    with pytest.raises(ParameterError, match="meta_versions") as err:
        trial_table("os", versions=versions, run_estimates=RUN, data=JCOG)
    assert fragment in str(err.value)


def test_run_version_without_run_estimate_is_refused():
    with pytest.raises(ParameterError, match="trial 'jcog1017'.*no run estimate"):
        trial_table("os", data=JCOG)


def _broken(change) -> dict:
    data = copy.deepcopy(_packaged())
    tata = next(t for t in data["trials"] if t["id"] == "tata_memorial")
    change(tata["os"]["versions"]["lancet_oncol_2015"], tata["os"])
    return data


@pytest.mark.parametrize("change, field, fragment", [
    (lambda e, o: e.pop("ci"), ".ci'", "missing CI"),
    (lambda e, o: e.update(ci=[1.34, 0.81]), ".ci'", "lower 1.34 >= upper 0.81"),
    (lambda e, o: e.update(hr=0), ".hr'", "must be > 0"),
    (lambda e, o: e.update(hr=-1.04), ".hr'", "must be > 0"),
    (lambda e, o: e.update(hr=None), ".hr'", "missing or not a number"),
    (lambda e, o: e.update(ci_level=95), ".ci_level'", "unknown CI level 95"),
    (lambda e, o: e.pop("ci_level"), ".ci_level'", "missing CI level"),
    (lambda e, o: e.update(ci=[0.81, None]), ".ci'", "expected [lower, upper] numbers"),
    (lambda e, o: e.update(hr=1.5), ".ci'", "outside its CI"),
    (lambda e, o: e.update(source="nosuch"), ".source'", "unknown source 'nosuch'"),
    (lambda e, o: o.update(default_version="nosuch"), "os.default_version'", "not one of its versions"),
])
def test_bad_trial_entries_are_refused_naming_trial_and_field(change, field, fragment):
    with pytest.raises(DataValidationError) as err:
        load_trials(_broken(change), source="trials.yaml", figures=JCOG.figures)
    message = str(err.value)
    assert message.startswith("trials.yaml: trial 'tata_memorial', field 'os.")
    assert field in message and fragment in message


def test_bad_run_estimate_is_refused():
    with pytest.raises(DataValidationError, match="trial 'jcog1017'.*lower"):
        trial_table("os", run_estimates={"jcog1017": RunEstimate(0.8, 0.9, 0.7, 0.9)}, data=JCOG)


def test_published_meta_analyses_have_sources_and_sets():
    meta = published_meta_analyses("os", JCOG)
    assert {"cochrane2018", "reinhorn2021", "villacampa2024", "ren2024"} <= set(meta["id"])
    sources = JCOG.data["sources"]
    assert all(s in sources for s in meta["source"])
    known = {t["id"] for t in JCOG.trials}
    for trials in meta["trials"].dropna():
        assert set(trials) <= known


def test_forest_table_weights_and_ci_level():
    table = trial_table("os", run_estimates=RUN, data=JCOG)
    pooled, excluded = select_trials(table)
    published = trial_table("os", versions={"jcog1017": "published"}, data=JCOG).query("trial == 'jcog1017'")
    result = pool(pooled, method="DL")
    rows = forest_table(pooled, result, pd.concat([excluded, published]))
    assert rows.loc[rows["status"] == "pooled", "weight"].sum() == pytest.approx(100)
    jcog = rows.index[rows["trial"] == "jcog1017"].tolist()
    assert jcog == [jcog[0], jcog[0] + 1]  # the published value right below the run's
    assert list(rows.loc[jcog, "status"]) == ["pooled", "not pooled"]
    # every CI at 95%: JCOG1017's published 90% CI 0.686-1.072 widens
    pub = rows.loc[jcog[1]]
    assert pub["lower"] < 0.686 and pub["upper"] > 1.072 and pub["published_ci_level"] == 0.90
    ax = trial_forest_plot(rows, result)
    assert ax.get_label() == "meta forest"
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


@pytest.mark.parametrize("method_re", ["dl", "pm"])
def test_pooled_mean_equals_statsmodels_combine_effects(method_re):
    from statsmodels.stats.meta_analysis import combine_effects

    table, _ = select_trials(trial_table("os", run_estimates=RUN, data=JCOG), include_uncertain=True)
    y, v = table["log_hr"].to_numpy(), table["se"].to_numpy() ** 2
    sm = combine_effects(y, v, method_re=method_re)
    assert sm.tau2 > 0
    ours = pool(table, method=method_re.upper())
    assert ours.tau2 == pytest.approx(sm.tau2, abs=1e-6)  # statsmodels' PM stops at 1e-5 on Q
    assert ours.estimate == pytest.approx(sm.mean_effect_re, abs=1e-6)
    assert ours.se == pytest.approx(sm.sd_eff_w_re, abs=1e-6)
    hksj = pool(table, method=method_re.upper(), hksj=True)
    assert hksj.se == pytest.approx(math.sqrt(sm.var_hksj_re), abs=1e-6)


def test_pool_refuses_bad_options():
    table = trial_table("os", run_estimates=RUN, data=JCOG)
    with pytest.raises(ParameterError, match="meta_hksj"):
        pool(table, method="FE", hksj=True)
    with pytest.raises(ParameterError, match="meta_method"):
        pool(table, method="SJ")
    with pytest.raises(ParameterError, match="at least 1 trial"):
        pool(table.iloc[0:0])


def test_parameter_choices_are_the_pooling_methods():
    from helpers.config.params import SPECS, validate

    for method in METHODS:
        assert validate({"meta_method": method})["meta_method"] == method
    for bad in ({"meta_method": "reml"}, {"meta_hksj": "yes"}, {"meta_versions": ["mf07_01"]},
                {"meta_include_uncertain": 1}):
        with pytest.raises(ParameterError, match=next(iter(bad))):
            validate(bad)
    assert SPECS["meta_versions"].default_value() == {}


def test_chapter_refuses_too_few_trials_naming_the_parameters():
    from helpers.analyses.meta_analysis import MetaSettings, meta_analysis
    from helpers.config.params import validate

    params = MetaSettings.from_params(validate({"meta_versions": {"tata_memorial": "lancet_oncol_2015"}}))
    data = copy.deepcopy(_packaged())
    assert meta_analysis("os", params, RUN, data=JCOG).result is not None
    with pytest.raises(ParameterError, match="meta_include_uncertain"):
        meta_analysis("local_control", params, RUN, require_pooled=True, data=JCOG)
    local = meta_analysis("local_control", params, RUN, data=JCOG)
    assert local.result is None and list(local.pooled_rows["trial"]) == ["jcog1017"]
    assert data == _packaged()  # nothing mutated the packaged table


def test_every_problem_of_a_table_is_named_in_one_error():
    data = copy.deepcopy(_packaged())
    tata = next(t for t in data["trials"] if t["id"] == "tata_memorial")
    tata["os"]["versions"]["lancet_oncol_2015"].update(hr=0, direction_unclear=False)
    tata["os"]["versions"]["lancet_oncol_2015"]["directon_unclear"] = "typo"
    data["local_control"] = {"paramcd": "LCTRL"}
    data["extra"] = 1
    data["meta_analyses"][0]["trials"] = ["tata_memorial", "nosuch"]
    data["meta_analyses"][1]["os"]["ci"] = [0.9, 0.5]
    with pytest.raises(DataValidationError) as err:
        load_trials(data, source="own/trials.yaml", figures=None,
                    endpoints={"OS": "Overall survival", "LRFS": "Local relapse-free survival"})
    message = str(err.value)
    assert message.startswith("own/trials.yaml: ")
    for fragment in ("key 'extra': unknown", "'local_control.paramcd': 'LCTRL' is not an endpoint",
                     "trial 'tata_memorial', field 'os.versions.lancet_oncol_2015.hr'",
                     "field 'os.versions.lancet_oncol_2015.directon_unclear': unknown",
                     "field 'os.versions.lancet_oncol_2015.direction_unclear': say why",
                     "meta-analysis 'cochrane2018', field 'trials': unknown trial(s) nosuch",
                     "meta-analysis 'gera2020', field 'os.ci': lower 0.9 >= upper 0.5",
                     # JCOG1017's published version names a published figure: none given here
                     "trial 'jcog1017', field 'os.versions.published.reference'"):
        assert fragment in message, (fragment, message)


def test_roles_of_single_trials_come_from_the_table():
    from helpers.meta.trials import (comparison_words, direction_unclear, local_control_endpoint,
                                     multi_version_trials, run_trial)

    assert set(direction_unclear(JCOG, "os")) == {("abcsg_28", "ann_surg_2019")}
    assert multi_version_trials(JCOG, "os") == ["mf07_01", "e2108"]  # versions with a published HR
    assert run_trial(JCOG) == ("jcog1017", "JCOG1017")
    assert local_control_endpoint(JCOG) == "LRFS"
    assert comparison_words(JCOG)["experimental"] == "surgery"
    bare = load_trials({"sources": {"s": {}}, "trials": [
        {"id": "a", "os": {"default_version": "v", "versions": {"v": {
            "hr": 0.8, "ci": [0.6, 1.1], "ci_level": 0.95, "year": 2001, "source": "s"}}}}]},
        source="bare.yaml")
    assert direction_unclear(bare, "os") == {} and multi_version_trials(bare, "os") == []
    assert local_control_endpoint(bare) is None
    assert comparison_words(bare) == {"experimental": "the experimental arm",
                                      "control": "the control arm"}
    with pytest.raises(ParameterError, match="bare.yaml: the trial table names no trial"):
        run_trial(bare)
