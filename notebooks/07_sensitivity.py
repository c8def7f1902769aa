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
data_dir = "data"
data_format = "auto"
population = "ITTFL"
endpoint = "OS"
primary_conf_level = 0.90
conf_level = 0.95
sided = "one-sided"
strata = None  # None: the randomisation stratification factors (helpers.dataset.DEFAULT_STRATA)
ties = "efron"
landmarks_months = [36, 60]
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook import start
from helpers.sensitivity import (ADJUSTMENT_COVARIATES, PER_PROTOCOL, ci_text, ph_table,
                                 rmst_table, sensitivity_analyses)
from helpers.survival import rmst_difference
from helpers.survival.results import to_jsonable
from helpers.tables import hazard_ratio_table
from helpers.tables.formatting import format_p

nb = start("07_sensitivity", globals())
p = nb.params
display(Markdown(nb.settings_text()))
frame = nb.frame(p["endpoint"])
analyses, ph = sensitivity_analyses(frame, nb.frame(p["endpoint"], population=PER_PROTOCOL), p)
horizon = max(p["landmarks_months"])
rmst = rmst_difference(frame, "time", "event", "ARMCD", tau=horizon, experimental="B",
                       conf_level=p["conf_level"])
nb.ctx.write_results(to_jsonable({
    **analyses,
    "adjusted_covariates": list(ADJUSTMENT_COVARIATES),
    "per_protocol_population": PER_PROTOCOL,
    "ph_test": {"primary": ph["Primary (stratified)"], "adjusted": ph["Covariate-adjusted"],
                "transform": "km"},
    "rmst": rmst,
}))

# %% [markdown]
# ## Hazard ratio under other analysis choices

# %%
covariates = ", ".join(ADJUSTMENT_COVARIATES.values())
display(Markdown(
    f"The covariate-adjusted model is an unstratified Cox model of arm plus {covariates}; it "
    f"is not also stratified, because the stratification factors "
    f"({', '.join(p['strata']) or 'none'}) overlap the covariates (subtype, metastatic organs). "
    f"Its p-value is the one-sided Wald test of the arm coefficient; the other rows give the "
    f"{p['sided']} log-rank p of their (un)stratified test. The per-protocol population "
    f"({PER_PROTOCOL}) excludes arm B patients who were not resected and arm A patients whose "
    f"primary tumour was resected within 12 months."
))

# %%
#| label: tbl-sensitivity
#| tbl-cap: "Sensitivity analyses of overall survival: hazard ratio of resection vs systemic therapy alone (CI at the primary level) under other analysis choices."
table = hazard_ratio_table(analyses.values())
table.insert(1, "Patients (deaths)", [f"{r['n']} ({r['events']})" for r in analyses.values()])
nb.table(table, "sensitivity")

# %%
hrs = {key: row["hr"] for key, row in analyses.items()}
lo, hi = min(hrs, key=hrs.get), max(hrs, key=hrs.get)
crosses = [analyses[k]["label"] for k, r in analyses.items() if r["lower"] < 1 < r["upper"]]
display(Markdown(
    f"The hazard ratio ranged from {hrs[lo]:.2f} ({analyses[lo]['label']}) to "
    f"{hrs[hi]:.2f} ({analyses[hi]['label']}), against "
    f"{analyses['primary']['hr']:.2f} in the primary analysis; the "
    f"{p['primary_conf_level']:.0%} confidence interval included 1 in "
    f"{len(crosses)} of the {len(analyses)} analyses."
))

# %% [markdown]
# ## Proportional hazards

# %%
#| label: tbl-ph-test
#| tbl-cap: "Test of proportional hazards (score test of the time-varying coefficient, Kaplan-Meier time scale) for the primary and the covariate-adjusted Cox models."
labels = {"ARMCD": "Arm (resection)", **{k: v[0].upper() + v[1:] for k, v in ADJUSTMENT_COVARIATES.items()}}
ph_tab = ph_table(ph, labels)
nb.table(ph_tab, "ph_test")

# %%
arm_p = ph["Primary (stratified)"].p[0]
adj = ph["Covariate-adjusted"]
failing = [labels.get(t, t).lower() for t, pv in zip(adj.terms, adj.p) if pv < 0.05]
display(Markdown(
    f"For the treatment effect in the primary model the test gave p = {format_p(arm_p)}: "
    + ("there is evidence that the hazard ratio changes over follow-up, so a single hazard "
       "ratio averages an effect that varies with time and the RMST below is the more direct "
       "summary. " if arm_p < 0.05 else
       "no evidence that the hazard ratio of resection changes over follow-up. ")
    + (f"In the adjusted model, p < 0.05 for {', '.join(failing)} (global p = "
       f"{format_p(adj.global_p)}): a prognostic factor whose effect changes over time does "
       f"not bias the randomised comparison, but its hazard ratio is an average over follow-up."
       if len(failing) else "No term of the adjusted model had p < 0.05.")
))

# %% [markdown]
# ## Restricted mean survival time

# %%
#| label: tbl-rmst
#| tbl-cap: "Restricted mean survival time (months) up to the horizon by arm and the difference (Wald CI)."
rmst_tab = rmst_table(rmst, dict(zip(frame["ARMCD"], frame["ARM"])))
nb.table(rmst_tab, "rmst", note=f"Horizon: {horizon:g} months (the last landmark).")

# %%
a, b = rmst.arms["A"], rmst.arms["B"]
display(Markdown(
    f"Up to {horizon:g} months, patients lived on average {a.estimate:.1f} months with "
    f"systemic therapy alone and {b.estimate:.1f} months with resection, a difference of "
    f"{rmst.difference:+.1f} months ({rmst.conf_level:.0%} CI {ci_text(rmst.lower, rmst.upper)}; "
    f"two-sided p = {format_p(rmst.p_two_sided)})."
))
