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

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: the bundled data
data_format = None  # None: by file extension
population = None  # None: the study's full analysis set flag
endpoint = None  # None: the study's primary endpoint (PARAMCD)
primary_conf_level = None  # None: 0.90, the protocol's
strata = None  # None: the study's stratification factors
ties = None  # None: Efron
data_cut = None  # None: all follow-up
sim_replicates = None  # None: 200 simulated trials per scenario (Monte-Carlo SE ~ sqrt(p (1 - p) / n))
sim_curve_replicates = None  # None: 100 simulated trials per point of the power curve
sim_seed = None  # None: 20110
sim_dask_address = None  # a dask.distributed scheduler address; None: all local cores

# %%
from IPython.display import Markdown, display

from helpers.analyses import design_scenarios as assumed
from helpers.analyses.design_ard import SimulationSettings, design_ard, simulation_ard
from helpers.analyses.design_simulation import (hazard_ratio_grid, operating_characteristics,
                                                simulated_power_curve)
from helpers.analyses.reproduction import design_assumptions, planned_sample_size
from helpers.config.reference import published_value, study_figures
from helpers.design.sample_size import implied_dropout, power_for_events, required_events_alternatives
from helpers.design.simulation import Analysis
from helpers.notebook.session import start
from helpers.report import design as report
from helpers.report.plots.power import add_simulated_power, power_curve_plot

nb = start("09_design", globals())
p = nb.params
figures = study_figures(nb.study)  # the study's published figures: its planning assumptions
planned = nb.chapter("Trial design and sample size",
                     *([] if figures and "design" in figures else ["study.reference"]),
                     why="the study gives no planning assumptions (its published figures have "
                         "no design section)")
if planned:
    sim = SimulationSettings.from_params(p)
    assumptions = design_assumptions(figures)
    planning_hr = float(published_value("design.assumed_hazard_ratio", figures))
    planned_patients = int(published_value("design.planned_randomised", figures))
    design = planned_sample_size(figures=figures)
    HR_AXIS_LABEL = (f"Hazard ratio assumed true ({nb.study.experimental.label} vs "
                     f"{nb.study.control.label})")
    alternatives = required_events_alternatives(
        (assumptions["median_control"], assumptions["median_experimental"]), planning_hr,
        assumptions["alpha"], assumptions["power"])

    # the observed primary result, computed here (notebooks run in parallel)
    os_ = nb.analyse(p["endpoint"], primary=True)
    observed_hr = os_.hazard_ratio
    power_design = power_for_events(planning_hr, design.events, assumptions["alpha"])
    power_observed = power_for_events(planning_hr, observed_hr.events, assumptions["alpha"])
    design_ard(nb.ard, design, alternatives, stated_hr=planning_hr,
               published_events=int(published_value("design.required_events", figures)),
               planned_patients=planned_patients,
               power_design=power_for_events(design.hazard_ratio, design.events, assumptions["alpha"]),
               power_observed=power_for_events(design.hazard_ratio, observed_hr.events, assumptions["alpha"]),
               observed_hr=observed_hr, paramcd=p["endpoint"])
    view = nb.ard_view()
    primary = nb.study.endpoint(p["endpoint"])  # the study's words for its primary endpoint
    EVENTS = primary.events

# %%
#| echo: false
if planned:
    nb.intro("""
The planned sample size is recomputed from the study's planning assumptions (its published
figures, restated under @tbl-design, not typed here): the required number of events by
Schoenfeld's formula for the one-sided log-rank test and the patients for them under
exponential survival with uniform accrual. The chapter shows which conventions give the
published numbers and puts the observed events beside those of the design.
""")

# %% [markdown]
# ## Required events and patients

# %%
if planned:
    display(Markdown(report.sample_size_text(view, EVENTS)))

# %%
#| label: tbl-design
#| tbl-cap: "Required number of events of the primary endpoint by formula, source of the hazard ratio and rounding (the published one-sided alpha and power, 1:1 allocation), beside the published number."
if planned:
    nb.table(report.design_table(view, EVENTS), "design_events", source="the published design assumptions",
             note=report.design_note(view, EVENTS, primary.label))

# %% [markdown]
# ## Power of the design and the observed events

# %%
#| label: fig-power-curve
#| fig-cap: "Power of the one-sided log-rank test (published alpha) against the true hazard ratio, with the events of the design (solid) and the number of events observed in this run (dashed), each marked at the hazard ratio of the planning medians; the dotted line marks the observed hazard ratio."
if planned:
    display(nb.figure(power_curve_plot(design.events, observed_hr=observed_hr.hr,
                                       observed_events=observed_hr.events,
                                       alpha=assumptions["alpha"], planning_hr=design.hazard_ratio,
                                       labels=report.power_labels(view, p["endpoint"], EVENTS),
                                       xlabel=HR_AXIS_LABEL, events_word=EVENTS).figure,
                      "power_curve"))

# %%
if planned:
    display(Markdown(report.power_text(view, p["endpoint"], EVENTS)))
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
# number of events unless stated otherwise. The numbers of simulated trials are settings of
# the run, small by default so that the supplement stays fast; larger runs can use a Dask
# cluster.

# %%
if planned:
    setup = assumed.scenario_setup(nb.frame(p["endpoint"]), p["strata"], design)
    analysis = Analysis(alpha=assumptions["alpha"], sided=1, ties=p["ties"],
                        conf_level=p["primary_conf_level"])
    oc = operating_characteristics(setup.scenarios, sim.replicates, sim.seed, analysis,
                                   progress=False, **sim.run_options())
    curve = simulated_power_curve(setup.scenarios["planning"], hazard_ratio_grid(design.hazard_ratio),
                                  sim.curve_replicates, sim.seed + len(setup.scenarios),
                                  analysis, progress=False, **sim.run_options())
    simulation_ard(nb.ard, oc, curve, setup, sim)
    view = nb.ard_view()

# %%
#| label: tbl-simulated-oc
#| tbl-cap: "Simulated operating characteristics of the design beside Schoenfeld's analytic values: share of simulated trials in which the one-sided stratified log-rank test rejects (power; type I error without an effect) with its Monte-Carlo standard error, mean Cox hazard ratio, events and month of the analysis."
if planned:
    nb.table(report.oc_table(view, EVENTS), "simulated_operating_characteristics",
             source="trials simulated under the published design assumptions", note=report.oc_note(
        view, seed=sim.seed, strata=p["strata"], subgroup_label=setup.subgroup_label,
        patients_source=setup.patients_source, accrual_source=setup.accrual_source,
        variable_label=nb.study.variable_label))

# %%
#| label: fig-simulated-power
#| fig-cap: "Power of the one-sided stratified log-rank test against the true hazard ratio: Schoenfeld's formula with the design's events (line) and simulated trials analysed as the real one (points with two Monte-Carlo standard errors)."
if planned:
    ax = power_curve_plot(design.events, alpha=assumptions["alpha"], planning_hr=design.hazard_ratio,
                          hr_range=(0.55, 1.02), labels=report.power_labels(view, p["endpoint"], EVENTS),
                          xlabel=HR_AXIS_LABEL, events_word=EVENTS)
    add_simulated_power(ax, curve)
    display(nb.figure(ax.figure, "simulated_power_curve"))

# %%
if planned:
    display(Markdown(report.simulation_text(view, setup.subgroup_label, nb.study.variable_label)))
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
        "observed_deaths": observed_hr.events,
        "observed_hr": observed_hr.hr,
        "sample_size": design.to_dict(),
        "alternatives": alternatives.to_dict(orient="list"),
        "simulation": {
            "replicates": sim.replicates,
            "curve_replicates": sim.curve_replicates,
            "seed": sim.seed,
            "strata_shares": setup.shares.to_dict(),
            "observed_accrual_months": setup.accrual_months,
            "observed_accrual_months_source": setup.accrual_source,
            "observed_accrual_patients": setup.accrual_patients,
            "observed_accrual_patients_source": setup.patients_source,
            "operating_characteristics": oc.to_dict(orient="index"),
            "power_curve": curve.to_dict(orient="list"),
        },
    })
