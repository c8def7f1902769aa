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
landmarks = None  # None: the study's landmarks (display unit)
rmst_horizon = None  # None: the study's RMST horizon (else the last landmark)
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook.session import start
from helpers.analyses.sensitivity import sensitivity_analyses
from helpers.report.tables.sensitivity import ci_text, ph_table, rmst_table
from helpers.survival import rmst_difference
from helpers.survival.results import to_jsonable
from helpers.report.tables import hazard_ratio_table
from helpers.report.format import format_p

nb = start("07_sensitivity", globals())
p = nb.params
display(Markdown(nb.settings_text()))
frame = nb.frame(p["endpoint"])
unit = nb.study.display_unit
per_protocol = nb.study.populations["per_protocol"]
covariates = [c for c in nb.study.covariates if c in frame]  # absent ones are stated below
analyses, ph = sensitivity_analyses(
    frame, nb.frame(p["endpoint"], population=per_protocol) if per_protocol else None, p,
    covariates, per_protocol)
horizon = p["rmst_horizon"] or max(p["landmarks"])
rmst = rmst_difference(frame, "time", "event", "ARMCD", tau=horizon, experimental="B",
                       conf_level=p["conf_level"])
nb.write_results(to_jsonable({
    **analyses,
    "adjusted_covariates": covariates,
    "per_protocol_population": per_protocol,
    "ph_test": {"primary": ph["Primary (stratified)"], "adjusted": ph.get("Covariate-adjusted"),
                "transform": "km"},
    "rmst": rmst,
}))

# %% [markdown]
# ## Hazard ratio under other analysis choices

# %%
absent = [c for c in nb.study.covariates if c not in covariates]
display(Markdown(
    (f"The covariate-adjusted model is an unstratified Cox model of arm plus "
     f"{', '.join(nb.study.variable_label(c).lower() for c in covariates)}; it is not also "
     f"stratified, because stratification factors ({', '.join(p['strata']) or 'none'}) may "
     f"overlap the covariates. Its p-value is the one-sided Wald test of the arm coefficient. "
     if covariates else "No covariates are configured: there is no adjusted model. ")
    + (f"Covariates not in the data, left out: {', '.join(absent)}. " if absent else "")
    + f"The other rows give the {p['sided']} log-rank p of their (un)stratified test. "
    + (f"The per-protocol population is ADSL.{per_protocol} = Y." if per_protocol else
       "The study configuration names no per-protocol population: no per-protocol row.")
))

# %%
#| label: tbl-sensitivity
#| tbl-cap: "Sensitivity analyses of the primary endpoint: hazard ratio of the experimental arm (B) vs the control arm (A) (CI at the primary level) under other analysis choices."
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
labels = {"ARMCD": f"Arm ({nb.study.experimental.label})",
          **{c: nb.study.variable_label(c) for c in covariates}}
ph_tab = ph_table(ph, labels)
nb.table(ph_tab, "ph_test")

# %%
arm_p = ph["Primary (stratified)"].p[0]
adj = ph.get("Covariate-adjusted")
failing = [labels.get(t, t).lower() for t, pv in zip(adj.terms, adj.p) if pv < 0.05] if adj else []
no_test = ph["Primary (stratified)"].note  # the HR is not estimable: no PH test
display(Markdown(
    (f"Proportional hazards of the treatment effect: {no_test}. " if no_test else
     f"For the treatment effect in the primary model the test gave p = {format_p(arm_p)}: "
     + ("there is evidence that the hazard ratio changes over follow-up, so a single hazard "
        "ratio averages an effect that varies with time and the RMST below is the more direct "
        "summary. " if arm_p < 0.05 else
        "no evidence that the hazard ratio of resection changes over follow-up. "))
    + (f"In the adjusted model, p < 0.05 for {', '.join(failing)} (global p = "
       f"{format_p(adj.global_p)}): a prognostic factor whose effect changes over time does "
       f"not bias the randomised comparison, but its hazard ratio is an average over follow-up."
       if len(failing) else "No term of the adjusted model had p < 0.05." if adj else "")
))

# %% [markdown]
# ## Restricted mean survival time

# %%
#| label: tbl-rmst
#| tbl-cap: "Restricted mean survival time up to the horizon by arm and the difference (Wald CI)."
rmst_tab = rmst_table(rmst, dict(zip(frame["ARMCD"], frame["ARM"])), time_unit=unit)
nb.table(rmst_tab, "rmst", note=f"Horizon: {horizon:g} {unit} ("
         + ("the study configuration's rmst_horizon)." if p["rmst_horizon"] else
            "no rmst_horizon configured: the last landmark).") + f" RMST in {unit}.")

# %%
a, b = rmst.arms["A"], rmst.arms["B"]
display(Markdown(
    f"Up to {horizon:g} {unit}, patients lived on average {a.estimate:.1f} {unit} with "
    f"{nb.study.control.label.lower()} and {b.estimate:.1f} {unit} with "
    f"{nb.study.experimental.label.lower()}, a difference of "
    f"{rmst.difference:+.1f} {unit} ({rmst.conf_level:.0%} CI {ci_text(rmst.lower, rmst.upper)}; "
    f"two-sided p = {format_p(rmst.p_two_sided)})."
))
