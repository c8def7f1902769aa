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
# # Subgroup analyses {#sec-subgroups}

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data
data_format = None  # None: auto
population = None  # None: the study's full analysis set flag
endpoint = None  # None: the study's primary endpoint (PARAMCD)
conf_level = None  # None: 0.95, the subgroup hazard ratios' CI level
primary_conf_level = None  # None: 0.90, the primary analysis' level (named beside the forest)
strata = None  # None: the study's stratification factors (params/default.yaml: none here)
subgroups = None  # None: the study's subgroups
ties = None  # None: Efron
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.subgroups import subgroup_ard, subgroup_median_ard, subgroup_report
from helpers.notebook.session import start
from helpers.report import subgroups as text
from helpers.report.names import in_sentence
from helpers.report.plots import forest_plot

nb = start("05_subgroups", globals())
p = nb.params
frame = nb.frame()
display(Markdown(text.subgroup_settings_text(
    nb.population_label, p["ties"], p["strata"], p["conf_level"], nb.data_cut_words,
    nb.variable_labels)))
labels = {v.name: v.label for v in nb.study.subgroups}
report = subgroup_report(frame, p["subgroups"], strata=p["strata"], conf_level=p["conf_level"],
                         ties=p["ties"], labels=labels,
                         levels={v.name: v.levels for v in nb.study.subgroups if v.levels})
subgroup_ard(nb.ard, report, paramcd=p["endpoint"])
subgroup_median_ard(nb.ard, frame, p["subgroups"], paramcd=p["endpoint"],
                    conf_level=p["conf_level"], conf_type=p["km_conf_type"])
nb.write_results({"endpoint": p["endpoint"], **report.to_dict()})
view = nb.ard_view()
labels = {v: nb.study.variable_label(v) for v in p["subgroups"]}

# %%
#| echo: false
nb.intro("""
The hazard ratio of the experimental arm for the primary endpoint is estimated within the
levels of each pre-specified baseline factor with a Cox model and a Wald confidence interval
at the secondary level, the usual choice for exploratory analyses (the primary analysis of
@sec-overall-survival uses the primary level). Heterogeneity is tested per factor with the
likelihood-ratio test of the arm-by-subgroup interaction (a model with arm, subgroup and
their interaction against one without the interaction). Subgroup analyses are exploratory:
no p-value here is adjusted for multiplicity.
""")

# %%
display(Markdown(text.subgroup_methods_text(p["strata"], p["subgroups"], report.notes,
                                            nb.study.variable_label)))

# %%
#| label: fig-forest-os
#| fig-cap: "The primary endpoint by subgroup: hazard ratio of the experimental arm vs the control arm with CI (log scale), deaths/patients and the Kaplan-Meier median (in the study's time unit) per arm, and the likelihood-ratio p-value of the arm-by-subgroup interaction. Square area proportional to the subgroup size; the diamond is all patients in the subgroups' model (its row names the model; the primary analysis is in @sec-overall-survival)."
nb.figure(forest_plot(text.forest_table(view, labels, medians="subgroup_median"), conf_level=report.conf_level,
                      strata=[in_sentence(nb.variable_labels.get(s, s)) for s in report.strata],
                      primary={"conf_level": p["primary_conf_level"]},
                      **text.forest_labels(nb.study.arm_names)).figure,
          "forest_os")

# %%
display(Markdown(text.subgroup_results_text(view, labels, nb.study.primary.events,
                                            nb.study.experimental.label)))

# %%
#| label: tbl-subgroups
#| tbl-cap: "The primary endpoint by subgroup: events/patients per arm, hazard ratio of the experimental vs the control arm (CI) and the likelihood-ratio p-value of the arm-by-subgroup interaction."
nb.table(text.subgroup_table(view, labels), "subgroups",
         note=text.subgroup_table_note(p["ties"], p["strata"], nb.study.variable_label))
