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
# the last date known alive. The primary analysis compares the arms in the full analysis set
# with a Cox proportional hazards model stratified by the randomisation stratification
# factors, reporting the hazard ratio of resection with the primary confidence level and a
# one-sided stratified log-rank p-value, as the protocol specifies. Kaplan-Meier medians carry
# Brookmeyer-Crowley CIs. The settings of this run are stated below the code.

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
data_dir = "data"
data_format = "auto"
population = "ITTFL"
endpoint = "OS"
primary_conf_level = 0.90
conf_level = 0.95
sided = "one-sided"
strata = None  # None: the randomisation stratification factors (helpers.dataset.DEFAULT_STRATA)
ties = "efron"
km_conf_type = "log-log"
landmarks_months = [36, 60]
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook import start
from helpers.plots import km_plot
from helpers.tables.formatting import format_median

nb = start("03_overall_survival", globals())
p = nb.params
os_ = nb.analyse(p["endpoint"], primary=True)
nb.ctx.write_results(os_.to_dict())
display(Markdown(nb.settings_text()))

# %% [markdown]
# ## Kaplan-Meier curves

# %%
#| label: fig-km-os
#| fig-cap: "Overall survival by arm (Kaplan-Meier) with pointwise CIs and numbers at risk; censored patients marked +. Arm A: systemic therapy alone; arm B: primary tumour resection plus systemic therapy."
nb.figure(km_plot(os_.curves(), labels=os_.curve_labels(), annotation=os_.annotation(),
                  ylabel="Overall survival"), "km_os")

# %%
fu = os_.follow_up
display(Markdown(
    os_.results_text("OS", "deaths")
    + f" Median follow-up was {fu.simple_median:.1f} months (median observed time of all "
    f"patients; reverse Kaplan-Meier {format_median(fu.median, fu.lower, fu.upper)} months)."
))

# %%
#| label: tbl-os-summary
#| tbl-cap: "Overall survival: medians (CI) and landmark survival rates by arm."
summary = os_.summary_table()
nb.table(summary, "os_summary")

# %%
#| label: tbl-os-cox
#| tbl-cap: "Cox proportional hazards model of overall survival: hazard ratio of resection vs systemic therapy alone."
from helpers.tables import hazard_ratio_table

cox = hazard_ratio_table([os_.hazard_ratio_row("Stratified Cox (primary)")])
nb.table(cox, "os_cox")
