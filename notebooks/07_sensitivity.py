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
# # Sensitivity analyses {#sec-sensitivity}
#
# The primary hazard ratio of overall survival (@sec-overall-survival) is re-estimated under
# other reasonable analysis choices, each with the primary confidence level: without
# stratification; adjusted for baseline prognostic factors instead of stratified; with
# Breslow's instead of Efron's handling of tied death times; and in the per-protocol
# population. The proportional-hazards assumption behind a single hazard ratio is checked with
# the score test for a time-varying coefficient (Grambsch and Therneau; as R's `cox.zph`) on
# the Kaplan-Meier time scale, and the restricted
# mean survival time (RMST), which needs no such assumption, summarises the difference between
# the arms up to a fixed horizon.

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data
data_format = None  # None: auto
population = None  # None: the study's full analysis set flag
endpoint = None  # None: the study's primary endpoint (PARAMCD)
primary_conf_level = None  # None: 0.90, the hazard ratios' CI level
conf_level = None  # None: 0.95, the RMST CIs' level
sided = None  # None: one-sided log-rank p
strata = None  # None: the study's stratification factors
ties = None  # None: Efron; the other method is the ties sensitivity analysis
landmarks = None  # None: the study's landmarks, display unit (the last is the default RMST horizon)
rmst_horizon = None  # None: the study's RMST horizon (else the last landmark)
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.sensitivity import SensitivitySettings, sensitivity_analyses, sensitivity_ard
from helpers.notebook.session import POPULATION_LABELS, start
from helpers.report import sensitivity as report

nb = start("07_sensitivity", globals())
display(Markdown(nb.settings_text()))
frame = nb.frame()
settings = SensitivitySettings.from_params(
    nb.params, covariates=nb.study.covariates, columns=frame.columns,
    per_protocol=nb.study.populations["per_protocol"], time_unit=nb.study.display_unit)
results = sensitivity_analyses(
    frame, nb.frame(population=settings.per_protocol) if settings.per_protocol else None, settings)
sensitivity_ard(nb.ard, results)
nb.write_results(results.to_dict())
view = nb.ard_view()
arm_labels = dict(zip(frame["ARMCD"], frame["ARM"]))

# %% [markdown]
# ## Hazard ratio under other analysis choices

# %%
display(Markdown(report.adjusted_model_text(settings, nb.study.variable_label)))

# %%
#| label: tbl-sensitivity
#| tbl-cap: "Sensitivity analyses of the primary endpoint: hazard ratio of the experimental arm vs the control arm (CI at the primary level) under other analysis choices."
nb.table(report.sensitivity_table(view, settings), "sensitivity", population=(
    nb.population_label
    + (f"; the per-protocol row: {POPULATION_LABELS['per_protocol']}"
       if settings.per_protocol and settings.per_protocol != settings.population else "")))

# %%
display(Markdown(report.sensitivity_text(view, settings)))

# %% [markdown]
# ## Proportional hazards

# %%
#| label: tbl-ph-test
#| tbl-cap: "Test of proportional hazards (score test of the time-varying coefficient, Kaplan-Meier time scale) for the primary and the covariate-adjusted Cox models."
term_labels = {"ARMCD": f"Arm ({nb.study.experimental.label})",
               **{c: nb.study.variable_label(c) for c in settings.covariates}}
nb.table(report.ph_table(view, settings, term_labels), "ph_test")

# %%
display(Markdown(report.ph_text(view, settings, term_labels)))

# %% [markdown]
# ## Restricted mean survival time

# %%
#| label: tbl-rmst
#| tbl-cap: "Restricted mean survival time up to the horizon by arm and the difference (Wald CI)."
nb.table(report.rmst_table(view, settings, arm_labels), "rmst", note=report.rmst_note(view, settings))

# %%
display(Markdown(report.rmst_text(view, settings, arm_labels)))
