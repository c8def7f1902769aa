"""Chapters 8-10's tables and sentences are built from ARD rows: published figures print as
published, counts as integers, "within tolerance" as Yes/No/—, a figure this run cannot
compute as "not estimable"; a trial whose run estimate is not estimable is left out of the
meta-analysis with the reason."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from helpers.analyses.meta_analysis import MetaSettings, meta_analysis
from helpers.analyses.reproduction import with_tolerances
from helpers.ard import ArdBuilder, ArdView
from helpers.meta.trials import RunEstimate
from helpers.report.format import fill_stat_fmt, format_stat
from helpers.report.reproduction import key_results_display, reproduction_display
from helpers.report.tables.reproduction import reproduction_table


def test_published_figures_print_as_published_and_differences_of_p_keep_their_sign():
    assert format_stat("published", "estimate", 0.415) == "0.415"
    assert format_stat("published", "n.event", 221.0) == "221"
    assert format_stat("published", "power", 0.8) == "80"
    assert format_stat("survdiff", "p.value.one.sided", -0.0213) == "-0.0213"
    assert format_stat("design", "hr", 20 / 26) == "0.7692"
    assert format_stat("rma", "weight", 29.634) == "29.6"
    assert format_stat("rma", "year", 2015) == "2015"


def _view(computed: dict) -> ArdView:
    from helpers.analyses.reproduction_ard import FIGURES, figure_of

    published = [{"path": "results.os.deaths", "value": 221, "source": "asco2023", "ci_level": None},
                 {"path": "results.os.hazard_ratio", "value": 0.857, "source": "asco2023", "ci_level": 0.9},
                 {"path": "results.os.hazard_ratio.ci_lower", "value": 0.686, "source": "asco2023", "ci_level": 0.9},
                 {"path": "results.os.p_one_sided", "value": 0.1283, "source": "asco2023", "ci_level": None}]
    table = with_tolerances(reproduction_table(computed, published))
    b = ArdBuilder("10_reproduction", population="ITTFL")
    analyses = {n: b.analysis(f"reproduction.{n}", "published", "published")
                for n in ("published", "computed", "difference", "tolerance", "within")}
    for r in table.itertuples(index=False):
        level = 0.9 if r.figure.endswith("ci_lower") else None
        fig = figure_of(r.figure, level)
        where = {"variable": r.figure, "conf_level": level}
        run = {**where, "context": fig.context}
        analyses["published"].add(fig.stat_name, r.published, fig.label, **where)
        analyses["computed"].add(fig.stat_name, r.computed, fig.label, **run)
        analyses["difference"].add(fig.stat_name, r.difference, fig.label, **run)
        analyses["tolerance"].add(fig.stat_name, r.tolerance, fig.label,
                                  warning="" if r.tolerance == r.tolerance else "none", **run)
        within = math.nan if r.within is None else float(r.within)
        analyses["within"].add("within", within, fig.label, warning="" if within == within else "none",
                               **where)
    assert set(FIGURES) >= {"results.os.deaths", "results.os.hazard_ratio"}
    return ArdView(fill_stat_fmt(b.frame()))


def test_reproduction_tables_use_labels_integers_yes_no_and_dashes():
    view = _view({"results.os.deaths": 218.0, "results.os.hazard_ratio": 0.8712,
                  "results.os.hazard_ratio.ci_lower": 0.6932, "results.os.p_one_sided": 0.1496})
    table = reproduction_display(view, {"results.os.deaths": "asco2023"}, {"asco2023": "ASCO abstract"})
    assert list(table["Figure"]) == ["Deaths", "OS hazard ratio", "OS hazard ratio, lower 90% CI bound",
                                     "OS log-rank p (one-sided)"]
    deaths = table.iloc[0]
    assert (deaths["Published"], deaths["This run"], deaths["Difference"], deaths["Within tolerance"]) == (
        "221", "218", "-3", "Yes")
    assert table.iloc[1]["Published"] == "0.857" and table.iloc[1]["This run"] == "0.87"
    assert table.iloc[2]["Tolerance"] == "—" and table.iloc[2]["Within tolerance"] == "—"
    text = table.to_csv()
    assert "True" not in text and "None" not in text and "results." not in text
    key = key_results_display(view, {"results.os.hazard_ratio": "OS hazard ratio"})
    assert list(key.columns) == ["Figure", "Published", "This run", "Difference", "Within tolerance"]


def test_a_figure_this_run_cannot_compute_says_not_estimable():
    view = _view({"results.os.deaths": 221.0, "results.os.hazard_ratio": np.nan,
                  "results.os.hazard_ratio.ci_lower": np.nan, "results.os.p_one_sided": 0.5})
    table = reproduction_display(view, {}, {})
    hr = table.set_index("Figure").loc["OS hazard ratio"]
    assert hr["This run"] == "not estimable" and hr["Difference"] == "—"


def test_a_run_estimate_that_is_not_estimable_leaves_its_trial_out_with_the_reason():
    nan = RunEstimate(math.nan, math.nan, math.nan, 0.9)
    from meta_cases import jcog_table

    meta = meta_analysis("os", MetaSettings(), {"jcog1017": nan},
                         reasons={"jcog1017": "not estimable (no events in arm B)"}, data=jcog_table())
    assert "jcog1017" not in set(meta.table["trial"]) and meta.result is not None
    assert meta.missing["jcog1017"] == "this run's hazard ratio is not estimable (no events in arm B)"
    assert meta.to_dict()["not_estimable"] == meta.missing
    ok = meta_analysis("os", MetaSettings(), {"jcog1017": RunEstimate(0.84, 0.69, 1.03, 0.9)},
                       data=jcog_table())
    assert "not_estimable" not in ok.to_dict() and "jcog1017" in set(ok.pooled_rows["trial"])
    assert isinstance(ok.table, pd.DataFrame)


def test_meta_settings_are_typed_and_frozen():
    from helpers.config.params import validate

    s = MetaSettings.from_params(validate({"meta_method": "PM", "meta_versions": {"mf07_01": "ann_surg_oncol_2018"}}))
    assert (s.method, s.hksj, s.conf_level, s.version_map) == ("PM", False, 0.95,
                                                                {"mf07_01": "ann_surg_oncol_2018"})
    try:
        s.method = "FE"
    except AttributeError:
        pass
    else:
        raise AssertionError("MetaSettings is not frozen")
