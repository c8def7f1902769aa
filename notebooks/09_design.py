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
# # Trial design and sample size {#sec-design}
#
# The protocol planned the trial to detect an improvement of median overall survival with
# primary tumour resection, with a one-sided log-rank test (the planning assumptions are
# restated under @tbl-design). This chapter
# recomputes the required number of deaths and patients from those published assumptions
# (read from the project's reference file, not typed here), shows which conventions give the
# published numbers, and puts the observed result beside the power of the design.
# Sample size by Schoenfeld's formula for the log-rank test; expected deaths under
# exponential survival with uniform accrual.

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
sim_replicates = 200  # simulated trials per scenario (Monte-Carlo SE ~ sqrt(p (1 - p) / n))
sim_curve_replicates = 100  # simulated trials per point of the power curve
sim_seed = 20110
sim_dask_address = None  # a dask.distributed scheduler address; None: all local cores

# %%
import pandas as pd
from IPython.display import Markdown, display

from helpers.analyses.reproduction import design_assumptions, planned_sample_size
from helpers.config.reference import published_value
from helpers.design.sample_size import implied_dropout, power_for_events, required_events_alternatives
from helpers.notebook.session import start
from helpers.report.format import format_hr
from helpers.report.plots.power import power_curve_plot

nb = start("09_design", globals())
p = nb.params
assumptions = design_assumptions()
planning_hr = float(published_value("design.assumed_hazard_ratio"))
planned_patients = int(published_value("design.planned_randomised"))
published_events = int(published_value("design.required_events"))
design = planned_sample_size()
alternatives = required_events_alternatives(
    (assumptions["median_control"], assumptions["median_experimental"]), planning_hr,
    assumptions["alpha"], assumptions["power"])

# the observed primary result, computed here (notebooks run in parallel)
os_ = nb.analyse(p["endpoint"], primary=True)
observed_hr = os_.hazard_ratio
observed_deaths = observed_hr.events
power_design = power_for_events(planning_hr, design.events, assumptions["alpha"])
power_observed = power_for_events(planning_hr, observed_deaths, assumptions["alpha"])

# %% [markdown]
# ## Required events and patients

# %%
display(Markdown(
    f"Exponential survival with medians of {design.median_control:g} and "
    f"{design.median_experimental:g} months implies a hazard ratio of "
    f"{design.median_control:g}/{design.median_experimental:g} = {design.hazard_ratio:.4f} "
    f"(published rounded as {planning_hr:g}). Schoenfeld's formula with one-sided alpha "
    f"{design.alpha_one_sided:g} and power {design.power:.0%} gives {design.events_exact:.2f} "
    f"deaths, rounded to **{design.events}** (published: {published_events}). "
    f"Other conventions do not give the published number (@tbl-design): the rounded HR "
    f"{planning_hr:g} in the same formula needs "
    f"{alternatives.iloc[1]['events_exact']:.2f} deaths, rounding "
    f"{design.events_exact:.2f} up gives {alternatives.iloc[0]['events_ceil']}, and "
    f"Freedman's formula needs "
    f"{alternatives.iloc[2]['events_exact']:.2f}.\n\n"
    f"With uniform accrual over {design.accrual_months / 12:g} years and "
    f"{design.follow_up_months / 12:g} years of follow-up after the last patient, a patient "
    f"dies before the analysis with probability {design.p_event_control:.3f} in arm A and "
    f"{design.p_event_experimental:.3f} in arm B (mean {design.p_event:.3f}), so "
    f"{design.events} deaths need {design.patients_for_events} patients. The publications "
    f"do not state the allowance that turns {design.patients_for_events} into the planned "
    f"{planned_patients}: **we assume {design.dropout:.0%} lost to follow-up or ineligible**, "
    f"which gives {design.patients} patients (the implied allowance is "
    f"{implied_dropout(design.patients_for_events, planned_patients):.1%})."
))

# %%
#| label: tbl-design
#| tbl-cap: "Required number of deaths by formula, source of the hazard ratio and rounding (the published one-sided alpha and power, 1:1 allocation), beside the published number of deaths."
design_table = alternatives.rename(columns={
    "method": "Formula", "hr_source": "Hazard ratio from", "hazard_ratio": "Hazard ratio",
    "events_exact": "Deaths (exact)", "events_nearest": "Deaths (nearest)",
    "events_ceil": "Deaths (rounded up)"})
design_table["Formula"] = design_table["Formula"].str.capitalize()
design_table["Gives the published number"] = (
    (design_table["Deaths (nearest)"] == published_events)
    | (design_table["Deaths (rounded up)"] == published_events)).map({True: "yes", False: "no"})
nb.table(design_table.round(4), "design_events", note=(
    f"Planning assumptions (published): median OS {design.median_control:g} vs "
    f"{design.median_experimental:g} months, stated HR {planning_hr:g}, one-sided alpha "
    f"{design.alpha_one_sided:g}, power {design.power:.0%}, accrual "
    f"{design.accrual_months / 12:g} years, follow-up {design.follow_up_months / 12:g} years. "
    f"Patients: {design.events} deaths / {design.p_event:.3f} = {design.patients_for_events}, "
    f"/ (1 - {design.dropout:g}) = {design.patients} (allowance assumed, not published)."))

# %% [markdown]
# ## Power of the design and the observed result

# %%
#| label: fig-power-curve
#| fig-cap: "Power of the one-sided log-rank test (published alpha) against the true hazard ratio, with the deaths of the design (solid) and the number of deaths observed in this run (dashed); the dotted line marks the observed hazard ratio."
ax = power_curve_plot(design.events, observed_hr=observed_hr.hr, observed_events=observed_deaths,
                      alpha=assumptions["alpha"], planning_hr=planning_hr)
fig = ax.figure
nb.figure(fig, "power_curve")

# %%
display(Markdown(
    f"With {design.events} deaths the design has {power_design:.1%} power if the true hazard "
    f"ratio is {planning_hr:g}. This run observed {observed_deaths} deaths, which give "
    f"{power_observed:.1%} power at the same hazard ratio; the observed hazard ratio was "
    f"{format_hr(observed_hr.hr, observed_hr.lower, observed_hr.upper, observed_hr.conf_level)}, "
    f"a smaller effect than planned, at which the design's power is "
    f"{power_for_events(observed_hr.hr, design.events, assumptions['alpha']):.0%}."
))
display(Markdown(nb.footnote()))

# %% [markdown]
# ## Operating characteristics by simulation
#
# Schoenfeld's formula assumes proportional hazards. To see what the design could detect
# otherwise, we simulate the trial many times and analyse each simulated trial exactly as the
# real one: the stratified log-rank test (one-sided, the published alpha) and the stratified
# Cox model. Patients are randomised by stratified permuted blocks of four within the
# randomisation strata, in the proportions observed in this run's data; survival is
# exponential with the planning median in the control arm; the analysis is at the required
# number of deaths unless stated otherwise.

# %%
from helpers.analyses import design_scenarios as assumed
from helpers.analyses.design_simulation import (hazard_ratio_grid, operating_characteristics,
                                                simulated_power_curve)
from helpers.design.simulation import Analysis
from helpers.report.plots.power import add_simulated_power

frame = nb.frame(p["endpoint"])
shares = assumed.strata_shares(frame, p["strata"])
first_factor = p["strata"][0] if p["strata"] else None
responsive_level = frame[first_factor].astype(str).mode()[0] if first_factor else None
responsive = [first_factor is None or f"{first_factor}={responsive_level}" in label.split(", ")
              for label in shares.index]
subgroup_share = float(shares[responsive].sum())
subgroup_label = f"{first_factor}={responsive_level}" if first_factor else "all (no strata)"
randomised_on = pd.to_datetime(frame.get("RANDDT"), errors="coerce")  # optional in ADSL
has_dates = randomised_on is not None and randomised_on.notna().all()
observed_accrual_months = ((randomised_on.max() - randomised_on.min()).days / 30.4375
                           if has_dates else design.accrual_months)
accrual_source = ("first to last randomisation in the data" if has_dates
                  else "planned; the data have no randomisation dates")
# the randomised patients of the data, unless fewer than the deaths the analysis waits for
# (then the design's patients, and the table note says so)
enough_patients = len(frame) >= design.events
accrual_patients = len(frame) if enough_patients else design.patients
patients_source = ("randomised in the data" if enough_patients else
                   f"planned: the data have {len(frame)} randomised patients, fewer than the "
                   f"{design.events} deaths the analysis waits for")
scenarios = assumed.design_scenarios(
    shares, design.median_control, design.hazard_ratio, design.patients, design.events,
    design.accrual_months, design.follow_up_months, responsive, accrual_patients,
    observed_accrual_months)
analysis = Analysis(alpha=assumptions["alpha"], sided=1, ties=p["ties"],
                    conf_level=p["primary_conf_level"])
run_options = ({"backend": "dask", "address": p["sim_dask_address"]} if p["sim_dask_address"]
               else {"backend": "local"})
oc = operating_characteristics(scenarios, p["sim_replicates"], p["sim_seed"], analysis,
                               progress=False, **run_options)
curve = simulated_power_curve(scenarios["planning"], hazard_ratio_grid(design.hazard_ratio),
                              p["sim_curve_replicates"], p["sim_seed"] + len(scenarios),
                              analysis, progress=False, **run_options)
max_curve_z = float(curve["z_vs_analytic"].abs().max())

# %%
#| label: tbl-simulated-oc
#| tbl-cap: "Simulated operating characteristics of the design beside Schoenfeld's analytic values: share of simulated trials in which the one-sided stratified log-rank test rejects (power; type I error without an effect) with its Monte-Carlo standard error, mean Cox hazard ratio, deaths and month of the analysis."
oc_table = pd.DataFrame({
    "Scenario": oc["scenario"],
    "Simulated rejection rate": oc["rejection_rate"].round(3),
    "Monte-Carlo SE": oc["mc_se"].round(3),
    "Analytic (Schoenfeld)": oc["analytic"].round(3),
    "Mean Cox HR": oc["mean_hr"].round(3),
    "Mean deaths": oc["mean_events"].round(1),
    "Mean month of analysis": oc["mean_analysis_month"].round(1),
}).reset_index(drop=True)
nb.table(oc_table, "simulated_operating_characteristics", note=(
    f"{p['sim_replicates']} simulated trials per scenario (seed {p['sim_seed']}); "
    f"{design.patients} patients randomised by stratified permuted blocks of "
    f"{scenarios['planning'].block_size} within the strata {', '.join(p['strata']) or '(none)'}"
    f" in the observed proportions. Effect in subgroups only: the planning HR in the strata "
    f"{subgroup_label} ({subgroup_share:.0%} of patients), none "
    f"elsewhere. Delayed effect: no difference for {assumed.DELAY_MONTHS:g} months, then the "
    f"planning HR. Crossing hazards: HR {assumed.EARLY_HAZARD_RATIO:g} for "
    f"{assumed.EARLY_MONTHS:g} months, then the planning HR. Observed accrual: {accrual_patients} "
    f"patients ({patients_source}) over {observed_accrual_months:.1f} months "
    f"({accrual_source}) with a "
    f"{assumed.RAMP_UP_MONTHS:g}-month ramp-up and {assumed.LOST_SHARE:.0%} lost to "
    f"follow-up by {assumed.LOST_BY_MONTHS:g} months. Analytic values are blank where "
    f"Schoenfeld's formula does not apply (non-proportional hazards)."))

# %%
#| label: fig-simulated-power
#| fig-cap: "Power of the one-sided stratified log-rank test against the true hazard ratio: Schoenfeld's formula with the design's deaths (line) and simulated trials analysed as the real one (points with two Monte-Carlo standard errors)."
ax = power_curve_plot(design.events, alpha=assumptions["alpha"], planning_hr=planning_hr,
                      hr_range=(0.55, 1.02))
add_simulated_power(ax, curve)
nb.figure(ax.figure, "simulated_power_curve")

# %%
display(Markdown(
    f"Under the planning assumptions the simulated power was "
    f"{oc.at['planning', 'rejection_rate']:.1%} (Monte-Carlo SE "
    f"{oc.at['planning', 'mc_se']:.1%}) against {oc.at['planning', 'analytic']:.1%} from "
    f"Schoenfeld's formula, and without an effect the test rejected in "
    f"{oc.at['null', 'rejection_rate']:.1%} of trials (SE {oc.at['null', 'mc_se']:.1%}; "
    f"alpha {assumptions['alpha']:g}). If the benefit of resection were confined to the "
    f"subgroup {subgroup_label} ({subgroup_share:.0%} of patients), the power "
    f"would be {oc.at['subgroup', 'rejection_rate']:.0%}; with a delayed effect it was "
    f"{oc.at['delayed', 'rejection_rate']:.0%}, and with early harm followed by benefit "
    f"(crossing hazards) {oc.at['crossing', 'rejection_rate']:.0%} (@tbl-simulated-oc). Over "
    f"the effect sizes of @fig-simulated-power the simulated power lies within "
    f"{max_curve_z:.1f} Monte-Carlo standard errors of the formula. The numbers of simulated "
    f"trials are run parameters (`sim_replicates`, `sim_curve_replicates`), small by default "
    f"so that the supplement stays fast; larger runs can use a Dask cluster "
    f"(`sim_dask_address`)."
))
display(Markdown(nb.footnote()))

nb.write_results({
    "events": design.events,
    "patients": design.patients,
    "patients_for_events": design.patients_for_events,
    "dropout": design.dropout,
    "implied_dropout": implied_dropout(design.patients_for_events, planned_patients),
    "planning_hr": planning_hr,
    "power_at_design_events": power_design,
    "power_at_observed_deaths": power_observed,
    "observed_deaths": observed_deaths,
    "observed_hr": observed_hr.hr,
    "sample_size": design.to_dict(),
    "alternatives": alternatives.to_dict(orient="list"),
    "simulation": {
        "replicates": p["sim_replicates"],
        "curve_replicates": p["sim_curve_replicates"],
        "seed": p["sim_seed"],
        "strata_shares": shares.to_dict(),
        "observed_accrual_months": observed_accrual_months,
        "observed_accrual_months_source": accrual_source,
        "observed_accrual_patients": accrual_patients,
        "observed_accrual_patients_source": patients_source,
        "operating_characteristics": oc.to_dict(orient="index"),
        "power_curve": curve.to_dict(orient="list"),
    },
})
