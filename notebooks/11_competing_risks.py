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
# # Competing risks {#sec-competing-risks}
#
# A composite endpoint such as local relapse-free survival counts local relapse and death
# alike. When the question is how often the event of interest itself occurs, death without it
# is a competing event: it removes the patient from the risk of the event of interest, and a
# Kaplan-Meier estimate that censors such deaths overstates the incidence. This chapter
# separates the first events of the endpoint named by the study configuration (its
# competing-risks setting) by their type: the cumulative incidence of each event type by arm
# (Aalen-Johansen [@aalen1978], as R's `cmprsk::cuminc`, with pointwise log(-log) CIs),
# Gray's test of equal cumulative incidence between the arms [@gray1988] (stratified by the
# randomisation stratification factors, as `cuminc(strata =)`), and the Fine-Gray
# subdistribution hazard ratio of the experimental arm [@fine1999] (`cmprsk::crr`, robust
# standard error, Wald CI; the arm is the only covariate). The statistics equal R's cmprsk (checked by the project's R reference script). CIs at
# the secondary confidence level, p-values two-sided.

# %% tags=["parameters"]
run_label = None  # None: "interactive"
output_dir = None  # None: runs/interactive
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data/ (the bundled synthetic data)
data_format = None  # None: from the files' suffixes
population = None  # None: the study's full analysis set flag
conf_level = None  # None: 0.95, every CI of this chapter
strata = None  # None: the study's stratification factors (Gray's test)
landmarks = None  # None: the study's landmarks
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.competing import (CompetingSettings, analyse_competing, competing_ard,
                                        competing_frame)
from helpers.notebook.session import start
from helpers.report.competing import (comparison_table, competing_annotation, competing_methods,
                                      competing_text, cuminc_table, no_competing_risks_text,
                                      risk_table)
from helpers.report.plots.cuminc import cuminc_plot
from helpers.report.names import strata_words

nb = start("11_competing_risks", globals())
p, spec, an = nb.params, nb.study.competing_risks, None
if spec is None:
    nb.section("Competing risks", "study.competing_risks")
    display(Markdown(no_competing_risks_text()))
elif nb.section("Competing risks", f"ADTTE.PARAMCD={spec.paramcd}"):
    settings = CompetingSettings(spec=spec, population=p["population"],
                                 strata=tuple(p["strata"]),
                                 landmarks=tuple(p["landmarks"]),
                                 conf_level=p["conf_level"], time_unit=nb.study.display_unit)
    an = analyse_competing(competing_frame(nb.data, spec, p["population"]), settings)
    for test in an.gray.values():
        nb.exclude(test.n_excluded, f"with a missing {strata_words(settings.strata, nb.variable_labels)} in Gray's test")
    competing_ard(nb.ard, an, output_ids={"cuminc": "tbl-cuminc", "risk": "fig-cuminc",
                                          "gray": "tbl-competing-tests",
                                          "finegray": "tbl-competing-tests"})
nb.write_results(an.to_dict() if an else {"competing_risks": spec.paramcd if spec else None})
view = nb.ard_view()
if an:
    display(Markdown(competing_methods(
        view, spec.paramcd, nb.population_label, settings.strata,
        settings.landmarks, settings.time_unit, nb.data_cut_words)))

# %%
#| label: fig-cuminc
#| fig-cap: "Cumulative incidence of each event type by arm (Aalen-Johansen), with numbers at risk: the event of interest solid, the competing events dashed. Above the plot: the subdistribution hazard ratio (Fine-Gray) of the experimental arm with its CI and Gray's p for each event type."
if an:
    fig = cuminc_plot(an.curves(), risk_table(view, spec.paramcd), labels=nb.study.arm_labels,
                      annotation=competing_annotation(view, spec.paramcd, spec.codes,
                                                      spec.event_type, settings.strata),
                      xlabel=f"{nb.study.display_unit.capitalize()} since randomisation",
                      ylabel=f"Cumulative incidence ({spec.label})")
    display(nb.figure(fig, "cuminc"))

# %%
if an:
    display(Markdown(competing_text(view, spec.paramcd, spec.label, spec.codes, spec.event_type,
                                    nb.study.arm_labels, settings.landmarks[-1],
                                    settings.time_unit, settings.strata)))

# %%
#| label: tbl-cuminc
#| tbl-cap: "Competing risks: first events by type and arm, and the cumulative incidence of each event type at the landmarks (Aalen-Johansen, log(-log) CIs)."
if an:
    nb.table(cuminc_table(view, spec.paramcd, spec.codes, spec.event_type,
                          nb.study.arm_labels, settings.landmarks, settings.time_unit),
             "cuminc")

# %%
#| label: tbl-competing-tests
#| tbl-cap: "Comparison of the arms by event type: Gray's test of equal cumulative incidence and the Fine-Gray subdistribution hazard ratio of the experimental arm vs the control arm."
if an:
    nb.table(comparison_table(view, spec.paramcd, spec.codes, spec.event_type,
                              settings.strata), "competing_tests")
