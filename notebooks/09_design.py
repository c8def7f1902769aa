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
landmarks_months = None  # None: the study's landmarks
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.design import (implied_dropout, power_curve_plot, power_for_events,
                            required_events_alternatives)
from helpers.notebook import start
from helpers.reference import published_value
from helpers.reproduction import design_assumptions, planned_sample_size
from helpers.tables.formatting import format_hr

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
})
