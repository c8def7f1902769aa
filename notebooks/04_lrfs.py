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

# %% [markdown]
# # Secondary endpoints {#sec-lrfs}

# %% tags=["parameters"]
run_label = None  # None: "interactive"
output_dir = None  # None: runs/interactive
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data/ (the bundled synthetic data)
data_format = None  # None: from the files' suffixes
population = None  # None: the study's full analysis set flag
conf_level = None  # None: 0.95, every CI of this chapter
strata = None  # None: the study's stratification factors
ties = None  # None: Efron
km_conf_type = None  # None: log-log
km_tail_min_at_risk = None  # None: curves stop where fewer than 10 patients remain at risk
km_median_lines = None  # None: no median reference lines (True: dashed lines at the medians)
landmarks = None  # None: the study's landmarks (in its display unit)
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.endpoint import endpoint_ard
from helpers.analyses.secondary import proportion_ard, proportion_by_arm
from helpers.notebook.session import start
from helpers.report.endpoint import (cox_table, km_annotation, median_annotation, secondary_table,
                                     summary_table)
from helpers.report.plots import km_plot
from helpers.report.plots.km_panels import km_panels
from helpers.report.tables.secondary import proportion_table
from helpers.report.text.endpoint import (endpoint_heading, missing_endpoints, proportion_results,
                                          results_paragraph, secondary_results)

nb = start("04_lrfs", globals())
settings, labels = nb.endpoint_settings(primary=False), nb.study.arm_labels
unit = settings.time_unit
display(Markdown(nb.settings_text()))

# secondary endpoints: CIs at conf_level, two-sided log-rank p (nb.analyse, primary=False)
endpoints = [e for e in nb.study.secondary if not nb.missing(f"ADTTE.PARAMCD={e.paramcd}")]
absent = [e.paramcd for e in nb.study.secondary if e not in endpoints]
analyses = {e.paramcd: nb.analyse(e.paramcd, primary=False) for e in endpoints}
for i, e in enumerate(endpoints):
    ids = ({"km": "tbl-lrfs-summary", "cox": "tbl-lrfs-cox", "logrank": "tbl-lrfs-cox"} if i == 0
           else {"km": "tbl-secondary", "cox": "tbl-secondary", "logrank": "tbl-secondary"})
    endpoint_ard(nb.ard, analyses[e.paramcd], cox_id="cox.primary", output_ids=ids,
                 compare=e.compare)
proportions = [v for v in nb.study.proportions if v.name in nb.data.adsl]
local = proportion_by_arm(nb.frame(nb.params["endpoint"]),
                          {v.name: v.label for v in proportions}) if proportions else []
proportion_ard(nb.ard, local, output_id="tbl-local-control")
nb.write_results({
    **{code.lower(): an.to_dict() for code, an in analyses.items()},
    "local_control": {r["column"]: r for r in local},
    **({"endpoints_not_in_data": absent} if absent else {}),
})
view = nb.ard_view()

# %%
#| echo: false
nb.intro("""
The secondary time-to-event endpoints are analysed as the primary endpoint
(@sec-overall-survival): Kaplan-Meier per arm, a Cox model stratified by the randomisation
stratification factors and the stratified log-rank test, but with the secondary confidence
level and a **two-sided** p-value (no direction is pre-specified and no alpha is spent).
Binary outcomes named by the study are compared between the arms with Fisher's exact test
(two-sided).
""")

# %% [markdown]
# ## The first secondary endpoint {#sec-first-secondary}

# %%
first = endpoints[0] if endpoints else None
if nb.section("First secondary endpoint",
              *([f"ADTTE.PARAMCD={nb.study.secondary[0].paramcd}"] if nb.study.secondary
                else ["study.secondary"]), label="sec-first-secondary") and first:
    lead = analyses[first.paramcd]
    display(Markdown(endpoint_heading(first)))

# %%
#| label: fig-km-lrfs
#| fig-cap: "The first secondary endpoint by arm (Kaplan-Meier), with numbers at risk. Censored patients are marked +. Hazard ratio from the stratified Cox model (CI at the secondary level), two-sided stratified log-rank p."
if first:
    annotation = (km_annotation(view, first.paramcd, arm_labels=labels, settings=settings)
                  if first.compare else
                  median_annotation(view, first.paramcd, arm_labels=labels, time_unit=unit))
    fig = km_plot(lead.curves(), labels=lead.curve_labels(), annotation=annotation,
                  ylabel=first.label, annotation_loc="upper right",
                  tail_min_at_risk=nb.params["km_tail_min_at_risk"],
                  median_lines=nb.params["km_median_lines"])
    if not nb.params["km_median_lines"]:  # the curves leave the lower left free (no medians)
        fig.axes[0].legend(loc="lower left", frameon=False)
    display(nb.figure(fig, "km_lrfs"))

# %%
if first:
    display(Markdown(results_paragraph(view, first.paramcd, settings=settings, arm_labels=labels,
                                       events=first.events, effect_label=first.label)))

# %%
#| label: tbl-lrfs-summary
#| tbl-cap: "The first secondary endpoint: medians (CI) and landmark rates by arm."
if first:
    nb.table(summary_table(view, first.paramcd, arm_labels=labels, time_unit=unit), "lrfs_summary")

# %%
#| label: tbl-lrfs-cox
#| tbl-cap: "Cox proportional hazards model of the first secondary endpoint: hazard ratio of the experimental arm vs the control arm (CI at the secondary level, two-sided log-rank p)."
if first and first.compare:
    nb.table(cox_table(view, first.paramcd, label="Stratified Cox", settings=settings), "lrfs_cox")

# %% [markdown]
# ## All time-to-event secondary endpoints

# %%
#| label: tbl-secondary
#| tbl-cap: "Secondary time-to-event endpoints by arm: events, medians (CI), stratified Cox hazard ratio (CI) and two-sided stratified log-rank p."
if nb.section("Secondary endpoints", *[f"ADTTE.PARAMCD={e.paramcd}" for e in nb.study.secondary]
              or ["study.secondary"]) or endpoints:
    nb.table(secondary_table(view, endpoints, settings=settings, time_unit=unit), "secondary")

# %%
#| label: fig-km-secondary
#| fig-cap: "The other secondary endpoints by arm (Kaplan-Meier), with numbers at risk. Censored patients are marked +."
others = endpoints[1:]
if others:
    display(nb.figure(km_panels(
        {e.paramcd: analyses[e.paramcd] for e in others}, titles={e.paramcd: e.label for e in others},
        annotations={e.paramcd: median_annotation(view, e.paramcd, arm_labels=labels, time_unit=unit)
                     for e in others}, tail_min_at_risk=nb.params["km_tail_min_at_risk"],
        median_lines=nb.params["km_median_lines"]), "km_secondary"))

# %%
if others:
    display(Markdown(secondary_results(view, others, settings=settings)))
if absent:
    display(Markdown(missing_endpoints(absent)))

# %% [markdown]
# ## Proportion endpoints {#sec-proportions}

# %%
#| label: tbl-local-control
#| tbl-cap: "Proportion endpoints by arm, with Fisher's exact test (two-sided)."
if nb.section("Proportion endpoints", *[f"ADSL.{v.name}" for v in nb.study.proportions]
              or ["study.proportions"], label="sec-proportions",
              why="" if nb.study.proportions else "the study names no binary outcomes") or local:
    nb.table(proportion_table(view, proportions, labels), "local_control")

# %%
if local:
    display(Markdown(proportion_results(view, proportions)))
