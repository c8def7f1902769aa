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
# # Overall survival (primary endpoint) {#sec-overall-survival}
#
# Overall survival (OS) is the time from randomisation to death from any cause, censored at
# the last date known alive. The primary analysis compares the arms with a Cox proportional
# hazards model stratified by the randomisation stratification factors, reporting the hazard
# ratio of the experimental arm with the primary confidence level and a log-rank p-value as
# the protocol specifies. Kaplan-Meier medians carry Brookmeyer-Crowley CIs. The population,
# confidence levels, strata and data cut of this run are stated in the settings below.

# %% tags=["parameters"]
run_label = None  # None: "interactive"
output_dir = None  # None: runs/interactive
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data/ (the bundled synthetic data)
data_format = None  # None: from the files' suffixes
population = None  # None: the study's full analysis set flag
endpoint = None  # None: the study's primary endpoint (PARAMCD)
primary_conf_level = None  # None: 0.90, the hazard ratio's CI level
conf_level = None  # None: 0.95, the Kaplan-Meier CIs' level
sided = None  # None: one-sided log-rank p (experimental arm better)
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
from helpers.notebook.session import start
from helpers.report.endpoint import cox_table, km_annotation, summary_table
from helpers.report.plots import km_plot
from helpers.report.text.endpoint import results_paragraph

nb = start("03_overall_survival", globals())
paramcd, settings, labels = nb.params["endpoint"], nb.endpoint_settings(primary=True), nb.study.arm_labels
os_ = nb.analyse(paramcd, primary=True)
endpoint_ard(nb.ard, os_, cox_id="cox.primary",
             output_ids={"km": "tbl-os-summary", "cox": "tbl-os-cox", "logrank": "tbl-os-cox"})
nb.write_results(os_.to_dict())
view = nb.ard_view()
display(Markdown(nb.settings_text()))

# %% [markdown]
# ## Kaplan-Meier curves

# %%
#| label: fig-km-os
#| fig-cap: "Overall survival by arm (Kaplan-Meier) with pointwise CIs and numbers at risk; censored patients marked +."
nb.figure(km_plot(os_.curves(), labels=os_.curve_labels(),
                  annotation=km_annotation(view, paramcd, arm_labels=labels, settings=settings),
                  ylabel="Overall survival", tail_min_at_risk=nb.params["km_tail_min_at_risk"],
                  median_lines=nb.params["km_median_lines"]), "km_os")

# %%
display(Markdown(results_paragraph(view, paramcd, settings=settings, arm_labels=labels,
                                   events=nb.study.endpoint(paramcd).events, follow_up=True)))

# %%
#| label: tbl-os-summary
#| tbl-cap: "Overall survival: medians (CI) and landmark survival rates by arm."
nb.table(summary_table(view, paramcd, arm_labels=labels, time_unit=settings.time_unit), "os_summary")

# %%
#| label: tbl-os-cox
#| tbl-cap: "Cox proportional hazards model of overall survival: hazard ratio of the experimental arm vs the control arm."
nb.table(cox_table(view, paramcd, label="Stratified Cox (primary)", settings=settings), "os_cox")
