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
# confidence levels, strata and data cut of this run are stated below the code.

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

from helpers.analyses.endpoint import endpoint_ard
from helpers.notebook.session import start
from helpers.report.endpoint import km_annotation, results_text, summary_table
from helpers.report.format import format_median
from helpers.report.plots import km_plot

nb = start("03_overall_survival", globals())
p = nb.params
os_ = nb.analyse(p["endpoint"], primary=True)
unit = nb.study.display_unit
endpoint_ard(nb.ard, os_, cox_id="cox.primary",
             output_ids={"km": "tbl-os-summary", "cox": "tbl-os-cox", "logrank": "tbl-os-cox"})
nb.write_results(os_.to_dict())
display(Markdown(nb.settings_text()))

# %% [markdown]
# ## Kaplan-Meier curves

# %%
#| label: fig-km-os
#| fig-cap: "Overall survival by arm (Kaplan-Meier) with pointwise CIs and numbers at risk; censored patients marked +."
nb.figure(km_plot(os_.curves(), labels=os_.curve_labels(), annotation=km_annotation(os_),
                  ylabel="Overall survival"), "km_os")

# %%
fu = os_.follow_up
display(Markdown(
    results_text(os_, p["endpoint"], nb.study.endpoint(p["endpoint"]).events)
    + f" Median follow-up was {fu.simple_median:.1f} {unit} (median observed time of all "
    f"patients; reverse Kaplan-Meier {format_median(fu.median, fu.lower, fu.upper)} {unit})."
))

# %%
#| label: tbl-os-summary
#| tbl-cap: "Overall survival: medians (CI) and landmark survival rates by arm."
summary = summary_table(os_)
nb.table(summary, "os_summary")

# %%
#| label: tbl-os-cox
#| tbl-cap: "Cox proportional hazards model of overall survival: hazard ratio of the experimental arm (B) vs the control arm (A)."
from helpers.report.tables import hazard_ratio_table

cox = hazard_ratio_table([os_.hazard_ratio_row("Stratified Cox (primary)")])
nb.table(cox, "os_cox")
