# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %%

# %% [markdown]
# # Reproduction of the published results {#sec-reproduction}

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: the bundled data
data_format = None  # None: by file extension
population = None  # None: the study's full analysis set flag
primary_conf_level = None  # None: 0.90, the protocol's
conf_level = None  # None: 0.95
sided = None  # None: one-sided, the protocol's
strata = None  # None: the study's stratification factors
ties = None  # None: Efron
km_conf_type = None  # None: log-log
landmarks = None  # None: the study's landmarks (in its display unit)
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.notebook.session import start
from helpers.analyses.populations import consort_counts
from helpers.analyses.reproduction import (KEY_RESULTS, LRFS, OS, planned_sample_size,
                                           reproduction_values, with_tolerances)
from helpers.analyses.reproduction_ard import SOURCE_LABELS, reproduction_ard
from helpers.analyses.safety import treatment_related_deaths
from helpers.config.reference import published_figures, study_figures
from helpers.report import reproduction as report
from helpers.report.names import bare
from helpers.report.tables import reproduction_table

nb = start("10_reproduction", globals())
has_reference = nb.chapter("Reproduction of the published results", "study.reference",
                           why="the study names no published figures of the trial")
if has_reference:
    os_ = nb.analyse(OS, primary=True)
    lrfs = nb.analyse(LRFS, primary=False)
    counts = consort_counts(nb.data.adsl)
    figures = study_figures(nb.study)  # the published figures the study names
    design = planned_sample_size(figures=figures)
    computed = reproduction_values(os_, lrfs, counts, design, treatment_related_deaths(nb.data.adae))
    published = published_figures(figures=figures)
    reproduction = with_tolerances(reproduction_table(computed, published))
    events = nb.study.endpoint(OS).events  # the words of the study's endpoints
    design_events = nb.study.primary.events
    reproduction_ard(nb.ard, reproduction, published, os_, lrfs, events=design_events,
                     arm_names={code: bare(name) for code, name in nb.study.arm_names.items()})
    view = nb.ard_view()

# %%
#| echo: false
if has_reference:
    nb.intro("""
Every numeric figure the study's publications report (its file of published figures), beside
the value this run computes with the supplement's analyses, with the difference and the
tolerance. Figures the file marks as uncertain are left out.
""")

# %% [markdown]
# ## Key results

# %%
#| label: key-results-summary
if has_reference:
    display(Markdown(report.key_results_text(view, OS, LRFS, os_.sided, lrfs.sided,
                                             nb.study.display_unit, nb.study.arm_labels,
                                             events=events, design_events=design_events)))

# %%
#| label: reproduction-summary
if has_reference:
    nb.show_table(report.key_results_summary(view, KEY_RESULTS))

# %%
#| label: tbl-key-results
#| tbl-cap: "Key results: published figures and this run, with the difference (this run - published) and whether it lies within the tolerance of @tbl-reproduction."
if has_reference:
    nb.table(report.key_results_display(view, KEY_RESULTS), "key_results",
             source="ADSL, ADTTE, ADAE; the published reports", note=report.key_results_note(view, OS, LRFS, os_.strata))

# %% [markdown]
# ## Every published figure

# %%
if has_reference:
    display(Markdown(report.figures_text(view)))

# %%
#| label: tbl-reproduction
#| tbl-cap: "Every published figure of the trial and its source beside the value computed by this run, the difference (this run - published), the tolerance and whether the difference lies within it; published figures as published, this run's by the supplement's formatting rules."
if has_reference:
    nb.table(report.reproduction_display(view, {r["path"]: r["source"] for r in published},
                                         SOURCE_LABELS), "reproduction",
             source="ADSL, ADTTE, ADAE; the published reports", note=(
        "Sources: as the study's file of published figures states them. Tolerances: for figures computed from patient data, the "
        "acceptance limits of the synthetic data's calibration; design "
        "figures to the rounding of the published figure; —: none stated. Design: recomputed "
        "from the published assumptions with an assumed (unpublished) allowance for loss to "
        "follow-up (the design chapter)."))

    nb.write_results({
        "computed": computed,
        "reproduction": reproduction.to_dict(orient="list"),
        "key_results": {
            "os_hazard_ratio": os_.hazard_ratio.hr, "os_lower": os_.hazard_ratio.lower,
            "os_upper": os_.hazard_ratio.upper, "os_conf_level": os_.hazard_ratio.conf_level,
            "os_deaths": os_.hazard_ratio.events, "os_p_logrank": os_.p_logrank,
            "os_sided": os_.sided,
            "os_median_a": float(os_.medians.set_index("group").loc["A", "median"]),
            "os_median_b": float(os_.medians.set_index("group").loc["B", "median"]),
            "lrfs_hazard_ratio": lrfs.hazard_ratio.hr, "lrfs_lower": lrfs.hazard_ratio.lower,
            "lrfs_upper": lrfs.hazard_ratio.upper, "lrfs_conf_level": lrfs.hazard_ratio.conf_level,
            "median_follow_up_months": os_.follow_up.simple_median,
            "required_events": design.events, "planned_patients": design.patients,
        },
        "n_figures": len(reproduction),
        "n_within_tolerance": int((reproduction["within"] == True).sum()),  # noqa: E712
        "n_judged": int(reproduction["within"].notna().sum()),
    })


# %%
if not has_reference:
    nb.write_results({})  # what was run (settings) and why nothing else (unavailable)
