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
# # Standard outputs {#sec-standard-outputs}
#
# The outputs a trial statistician expects beside the paper's, laid out as the pharmaverse
# TLG catalogue (R tern, rtables, chevron) lays them out; each footnote names the
# catalogue ID for orientation. Disposition (DST01) of the randomised patients; deaths by
# cause (DTHT01); for every compared time-to-event endpoint a summary (TTET01): patients with
# an event by the type of the first event, censored patients by the reason the data give,
# the time's median and quartiles with their CIs (Brookmeyer-Crowley, as R's
# `quantile(survfit)`) and range, the hazard ratio stratified and unstratified at both CI
# levels of the run, and landmark rates with their difference (experimental minus
# control; Greenwood variance of the difference, Wald CI, as the R package tern computes
# it); the multivariable Cox model with every covariate's hazard ratio
# (COXT02, as R's `coxph`); and the forest plot of the first compared secondary endpoint. The
# adverse-event catalogue outputs (AET01, AET02, AET04) are in the safety chapter (when the
# data have adverse events). What the study configuration and the data drive is listed
# below; an output whose data are absent says what it needs.

# %% tags=["parameters"]
run_label = None  # None: "interactive"
output_dir = None  # None: runs/interactive
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data/ (the bundled synthetic data)
data_format = None  # None: from the files' suffixes
population = None  # None: the study's full analysis set flag
conf_level = None  # None: 0.95
primary_conf_level = None  # None: 0.90, the primary endpoint's hazard ratio CI level
strata = None  # None: the study's stratification factors
subgroups = None  # None: the study's subgroups
ties = None  # None: Efron
km_conf_type = None  # None: log-log
landmarks = None  # None: the study's landmarks (in its display unit)
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.disposition import (deaths_ard, deaths_needs, disposition_ard,
                                          disposition_needs)
from helpers.analyses.subgroups import subgroup_ard, subgroup_median_ard, subgroup_report
from helpers.analyses.tte_summary import coxt02_ard, ttet01_ard
from helpers.core.textsafe import md_text
from helpers.notebook.session import needs_in_words, start
from helpers.report import standard_outputs as so
from helpers.report import subgroups as sg
from helpers.report.names import in_sentence, strata_words
from helpers.report.plots import forest_plot

nb = start("12_standard_outputs", globals())
p, outputs = nb.params, nb.study.outputs
unit = nb.study.display_unit
absent = {}  # output -> what it lacks (the preface line)


def needs(output: str, *what: str) -> bool:
    lacking = nb.missing(*what)
    if lacking:
        absent[output] = lacking
    return not lacking


# DST01: the row groups the configuration names and the data hold
dispo = outputs.disposition
groups = [g for g, what in disposition_needs(dispo).items() if needs(f"DST01 {g}", *what)]
disposition_ard(nb.ard, nb.data.adsl, nb.data.adtte, dispo, groups, nb.study.primary.paramcd)

# DTHT01: deaths of the configured endpoint, by cause, within days of the procedure
deaths = outputs.deaths
death_paramcd = deaths.paramcd or nb.study.primary.paramcd
procedure = dispo.procedure
death_groups = [g for g, what in deaths_needs(deaths, procedure, nb.study.primary.paramcd).items()
                if needs(f"DTHT01 {g}", *what)]
if "deaths" in death_groups:
    deaths_ard(nb.ard, nb.data.adsl, nb.data.adtte, deaths, death_groups, death_paramcd,
               procedure_date=procedure.date if procedure else None,
               procedure_arms={"control": ("A",), "experimental": ("B",)}.get(
                   procedure.arm, ("A", "B")) if procedure else ("A", "B"))

# TTET01 and COXT02 for every compared endpoint the data hold
endpoints = [e for e in nb.study.endpoints
             if e.compare and needs(f"TTET01 {e.paramcd}", f"ADTTE.PARAMCD={e.paramcd}")]
conf_levels = sorted({p["primary_conf_level"], p["conf_level"]})
covariates = [c for c in nb.study.covariates if c in nb.data.adsl]
for c in nb.study.covariates:
    if c not in nb.data.adsl:
        absent.setdefault("COXT02 covariates", []).append(f"ADSL.{c}")
frames = {e.paramcd: nb.frame(e.paramcd) for e in endpoints}
for e in endpoints:
    ttet01_ard(nb.ard, frames[e.paramcd], nb.data.adtte, e.paramcd, strata=p["strata"],
               conf_levels=conf_levels, km_conf_level=p["conf_level"],
               km_conf_type=p["km_conf_type"], ties=p["ties"], landmarks=p["landmarks"])
    if covariates:
        try:
            coxt02_ard(nb.ard, frames[e.paramcd], e.paramcd, covariates, nb.study.shown_levels(),
                       ties=p["ties"], conf_level=p["conf_level"])
        except ValueError as err:  # e.g. a singular information matrix: this model only
            nb.unavailable[f"COXT02 of {e.label}"] = {"reason": f"not estimable: {err}"}
if not nb.study.covariates:
    absent["COXT02"] = ["study.covariates"]

# the forest plot of the first compared secondary endpoint
secondary = next((e for e in endpoints if e.paramcd != nb.study.primary.paramcd), None)
if secondary is None:
    absent["Forest plot of a secondary endpoint"] = ["a compared secondary endpoint in ADTTE"]
elif not p["subgroups"]:
    absent["Forest plot of a secondary endpoint"] = ["study.subgroups"]
else:
    sec_id = f"{secondary.paramcd}.subgroup"
    sec_report = subgroup_report(
        frames[secondary.paramcd], p["subgroups"], strata=(),  # unstratified, as chapter 5
        conf_level=p["conf_level"], ties=p["ties"],
        labels={v.name: v.label for v in nb.study.subgroups},
        levels={v.name: v.levels for v in nb.study.subgroups if v.levels})
    subgroup_ard(nb.ard, sec_report, paramcd=secondary.paramcd,
                 output_id="fig-forest-secondary", prefix=sec_id)
    subgroup_median_ard(nb.ard, frames[secondary.paramcd], p["subgroups"],
                        analysis_id=f"{secondary.paramcd}.subgroup_median",
                        paramcd=secondary.paramcd, output_id="fig-forest-secondary",
                        conf_level=p["conf_level"], conf_type=p["km_conf_type"])
nb.unavailable.update({so.part_title(k): {"reason": needs_in_words(v)} for k, v in absent.items()})
nb.write_results({"endpoints": [e.paramcd for e in endpoints], "covariates": covariates,
                  "absent": absent})
view = nb.ard_view()

# %%
display(Markdown(
    "All outputs of this chapter are shown for this study." if not absent else
    "Not shown for this study, for lack of data or configuration: " + "; ".join(
        f"{md_text(so.part_title(k))} ({md_text(needs_in_words(v))})" for k, v in absent.items()) + "."))

# %% [markdown]
# ## Disposition

# %%
#| label: tbl-dst01
#| tbl-cap: "Disposition of the patients by arm and in total: registered, randomised, treatment and procedure as allocated, crossover, discontinuation, and the primary endpoint's events and censoring reasons."
dst_labels = {"crossover": dispo.crossover.label if dispo.crossover else "Crossover"}
if dispo.treated:
    dst_labels[dispo.treated] = "Treated as allocated"
if procedure:
    dst_labels[procedure.flag] = procedure.label
    if procedure.reason:
        dst_labels[procedure.reason] = f"{procedure.label} not done, by reason"
if dispo.discontinued:
    dst_labels[dispo.discontinued] = "Discontinued, by reason"
nb.table(so.dst01_table(view, dst_labels, nb.study.primary.label), "dst01", source="ADSL",
         note="Catalogue ID: DST01. Percentages of the arm's randomised patients"
              + (" (reasons: of the patients without the procedure)" if procedure else "")
              + ". Censored patients by the reason the data "
              "give (their censoring code where the data give no reason or one reason for "
              "several codes).",
         population="randomised patients of the compared arms")

# %% [markdown]
# ## Deaths

# %%
#| label: tbl-dtht01
#| tbl-cap: "Deaths by arm and in total, by cause, and, for a study with a protocol procedure, deaths soon after it."
if "deaths" in death_groups:
    nb.table(so.dtht01_table(view, f"Deaths within {{days}} days of {procedure.label.lower()}"
                             if procedure else "Deaths within {days} days of the procedure"),
             "dtht01",
             note=f"Catalogue ID: DTHT01. Deaths: events of "  # a note: plain text
                  f"{in_sentence(nb.study.endpoint(death_paramcd).label)}; "
                  + ("causes as the data record them" if deaths.cause else "no cause recorded")
                  + (". Deaths after the procedure: percentages of the patients with a "
                     "procedure date." if procedure else "."),
             population="randomised patients of the compared arms")

# %% [markdown]
# ## Time-to-event summary

# %%
#| label: tbl-ttet01
#| tbl-cap: "Time-to-event summary per endpoint: events by first event type, censoring by reason, quartiles of the time (CI) and range, hazard ratios stratified and unstratified, landmark rates and their difference."
if endpoints:
    nb.table(so.ttet01_table(view, {e.paramcd: e.label for e in endpoints}, conf_levels,
                             strata_words(p["strata"], nb.variable_labels), unit),
             "ttet01",
             note="Catalogue ID: TTET01. Hazard ratios from Cox models (Wald CI, "
                  f"{p['ties'].capitalize()} ties); log-rank p two-sided. Rates and their "
                  "difference in percent; the difference's variance is the sum of the arms' "
                  "Greenwood variances (Wald CI and p).")

# %% [markdown]
# ## Multivariable Cox model

# %%
#| label: tbl-coxt02
#| tbl-cap: "Multivariable Cox model per endpoint: hazard ratio (CI) and Wald p of every term."
if covariates and endpoints:
    nb.table(so.coxt02_table(view, {e.paramcd: e.label for e in endpoints},
                             {"ARMCD": "Arm", **{c: nb.study.variable_label(c) for c in covariates}}),
             "coxt02",
             note="Catalogue ID: COXT02. Unstratified Cox model of the arm and the study's "
                  f"covariates ({', '.join(nb.study.variable_label(c) for c in covariates)}), "
                  f"{p['ties'].capitalize()} ties, as the "
                  "covariate-adjusted sensitivity analysis; categorical covariates against their "
                  "first configured level; complete cases.")

# %% [markdown]
# ## Forest plot of the secondary endpoint

# %%
#| label: fig-forest-secondary
#| fig-cap: "The first compared secondary endpoint by subgroup: hazard ratio of the experimental vs the control arm with CI (log scale), events/patients and Kaplan-Meier median per arm, and the likelihood-ratio p-value of the arm-by-subgroup interaction."
if secondary is not None and p["subgroups"]:
    sec_labels = {v: nb.study.variable_label(v) for v in p["subgroups"]}
    forest = sg.forest_table(view, sec_labels, prefix=sec_id,
                             medians=f"{secondary.paramcd}.subgroup_median")
    display(Markdown(f"Endpoint: {md_text(secondary.label)}; medians in {md_text(unit)}. "
                     "Catalogue ID: the forest plot of the TLG catalogue (FSTG01)."))
    frame = frames[secondary.paramcd]
    display(nb.figure(forest_plot(forest, conf_level=sec_report.conf_level,
                                  strata=[in_sentence(nb.variable_labels.get(s, s))
                                          for s in sec_report.strata],
                                  **sg.forest_labels(nb.study.arm_names)).figure,
                      "forest_secondary"))
