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
#
# Every numeric figure the trial's publications report, beside the value this run computes
# with the supplement's analyses: overall survival with the primary settings (stratified Cox
# model, primary CI level, one-sided stratified log-rank p), local relapse-free survival,
# median follow-up, the population counts, treatment-related deaths, and the sample size
# recomputed from the planning assumptions. Figures the reference file marks as uncertain
# are left out. On the bundled synthetic data the differences measure the calibration of the
# data, not a reproduction of the trial (@sec-design gives the sample size in detail).

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = "studies/jcog1017.yaml"  # the study configuration (studies/README.md)
data_dir = "data"
data_format = "auto"
population = None  # None: the study's full analysis set flag
endpoint = None  # None: the study's primary endpoint (PARAMCD)
primary_conf_level = 0.90
conf_level = 0.95
sided = "one-sided"
strata = None  # None: the study's stratification factors
ties = "efron"
km_conf_type = "log-log"
landmarks = None  # None: the study's landmarks (display unit)
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook.session import start
from helpers.analyses.populations import consort_counts
from helpers.analyses.reproduction import (LRFS, OS, key_results_table,
                                           planned_sample_size, reproduction_values, with_tolerances)
from helpers.analyses.safety import treatment_related_deaths
from helpers.report.tables import reproduction_table
from helpers.report.format import format_hr, format_median, format_p

nb = start("10_reproduction", globals())
has_reference = nb.section("Reproduction of the published results", "study.reference")
if has_reference:
    p = nb.params
    os_ = nb.analyse(OS, primary=True)
    lrfs = nb.analyse(LRFS, primary=False)
    counts = consort_counts(nb.data.adsl)
    design = planned_sample_size()
    computed = reproduction_values(os_, lrfs, counts, design, treatment_related_deaths(nb.data.adae))
    reproduction = with_tolerances(reproduction_table(computed))
    key_results = key_results_table(reproduction)


    def p_text(value):
        text = format_p(value)
        return f"p {text}" if text.startswith("<") else f"p = {text}"

# %% [markdown]
# ## Key results

# %%
#| label: key-results-summary
if has_reference:
    hr, lhr, fu = os_.hazard_ratio, lrfs.hazard_ratio, os_.follow_up
    med = os_.medians.set_index("group")
    lmed = lrfs.medians.set_index("group")
    display(Markdown(
        f"Of {counts['registered']} registered patients, {counts['randomised']} were randomised "
        f"({med.loc['A', 'n']} to systemic therapy alone, {med.loc['B', 'n']} to resection plus "
        f"systemic therapy). With {hr.events} deaths, the stratified hazard ratio of death with "
        f"resection was {format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)}, "
        f"{os_.sided} stratified log-rank {p_text(os_.p_logrank)}. Median overall survival "
        f"was {format_median(*med.loc['A', ['median', 'median_lower', 'median_upper']])} months "
        f"with systemic therapy alone and "
        f"{format_median(*med.loc['B', ['median', 'median_lower', 'median_upper']])} months with "
        f"resection ({os_.km_conf_level:.0%} CIs). For local relapse-free survival the hazard "
        f"ratio was {format_hr(lhr.hr, lhr.lower, lhr.upper, lhr.conf_level)} ({lrfs.sided} "
        f"log-rank {p_text(lrfs.p_logrank)}), with medians of {lmed.loc['A', 'median']:.1f} and "
        f"{lmed.loc['B', 'median']:.1f} months. Median follow-up was {fu.simple_median:.1f} "
        f"months. The design required {design.events} deaths and {design.patients} patients."
    ))

# %%
#| label: reproduction-summary
if has_reference:
    summary = key_results[["Figure", "Published", "This run", "Within tolerance"]].copy()
    summary["Published"] = summary["Published"].map("{:.4g}".format)
    summary["This run"] = summary["This run"].map("{:.4g}".format)
    summary

# %%
#| label: tbl-key-results
#| tbl-cap: "Key results: published figures and this run, with the difference (this run - published) and whether it lies within the tolerance of @tbl-reproduction."
if has_reference:
    nb.table(key_results.round(4), "key_results", note=(
        f"OS hazard ratio with {hr.conf_level:.0%} CI, stratified by "
        f"{', '.join(os_.strata) or 'nothing'}; LRFS hazard ratio with {lhr.conf_level:.0%} CI."))

# %% [markdown]
# ## Every published figure

# %%
if has_reference:
    n_judged = int(reproduction["within"].notna().sum())
    n_within = int((reproduction["within"] == True).sum())  # noqa: E712 (object column)
    outside = reproduction.loc[reproduction["within"] == False, "figure"].tolist()  # noqa: E712
    display(Markdown(
        f"The publications give {len(reproduction)} numeric figures (uncertain ones left out); "
        f"this run computes all {int(reproduction['computed'].notna().sum())}. Of the "
        f"{n_judged} with a tolerance, {n_within} lie within it"
        + (f"; outside: {', '.join(outside)}." if outside else ".")
        + " CI bounds and the p-value are shown without a tolerance."
    ))

# %%
#| label: tbl-reproduction
#| tbl-cap: "Every published figure of JCOG1017 (dotted path of the reference file and its source) beside the value computed by this run, the difference (computed - published), the tolerance and whether the difference lies within it."
if has_reference:
    nb.table(reproduction.round(4), "reproduction", note=(
        "Sources: paper = Shien et al., JCOG1017 abstract; asco2023 = J Clin Oncol 2023;41(16 "
        "suppl):523. Tolerances: for figures computed from patient data, the acceptance limits of "
        "the synthetic data's calibration (data/README.md); design figures to the rounding of the "
        "published figure; blank: none stated. Design: recomputed from the published assumptions "
        f"with an assumed (unpublished) {design.dropout:.0%} allowance for loss to follow-up."))

    nb.write_results({
        "computed": computed,
        "reproduction": reproduction.to_dict(orient="list"),
        "key_results": {
            "os_hazard_ratio": hr.hr, "os_lower": hr.lower, "os_upper": hr.upper,
            "os_conf_level": hr.conf_level, "os_deaths": hr.events, "os_p_logrank": os_.p_logrank,
            "os_sided": os_.sided,
            "os_median_a": float(med.loc["A", "median"]), "os_median_b": float(med.loc["B", "median"]),
            "lrfs_hazard_ratio": lhr.hr, "lrfs_lower": lhr.lower, "lrfs_upper": lhr.upper,
            "lrfs_conf_level": lhr.conf_level,
            "median_follow_up_months": fu.simple_median,
            "required_events": design.events, "planned_patients": design.patients,
        },
        "n_figures": len(reproduction), "n_within_tolerance": n_within, "n_judged": n_judged,
    })


# %%
if not has_reference:
    nb.write_results({})  # what was run (settings) and why nothing else (unavailable)
