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
#
# The hazard ratio of resection for overall survival is estimated within the levels of each
# pre-specified baseline factor with a Cox model and a Wald confidence interval at the
# secondary level, the usual choice for exploratory analyses (the primary analysis of
# @sec-overall-survival uses the primary level). Heterogeneity is tested per factor with the
# likelihood-ratio test of the arm-by-subgroup interaction (a model with arm, subgroup and
# their interaction against one without the interaction). Subgroup analyses are exploratory:
# no p-value here is adjusted for multiplicity.

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = "studies/jcog1017.yaml"  # the study configuration (studies/README.md)
data_dir = "data"
data_format = "auto"
population = None  # None: the study's full analysis set flag
endpoint = None  # None: the study's primary endpoint (PARAMCD)
conf_level = 0.95
strata = None  # None: the study's stratification factors
subgroups = None  # None: the study's subgroups
ties = "efron"
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook import start
from helpers.plots import forest_plot
from helpers.subgroups_report import subgroup_report
from helpers.tables.formatting import format_hr, format_p
from helpers.textsafe import md_text  # data and configuration text, shown literally

nb = start("05_subgroups", globals())
p = nb.params
display(Markdown(nb.settings_text()))
frame = nb.frame(p["endpoint"])
subgroup_label = nb.study.variable_label
md_label = lambda variable: md_text(subgroup_label(variable))  # noqa: E731 (for Markdown)
report = subgroup_report(frame, p["subgroups"], strata=p["strata"],
                         conf_level=p["conf_level"], ties=p["ties"],
                         labels={v.name: v.label for v in nb.study.subgroups},
                         levels={v.name: v.levels for v in nb.study.subgroups if v.levels})
nb.write_results({"endpoint": p["endpoint"], **report.to_dict()})

# %%
overlap = [s for s in p["subgroups"] if s in p["strata"]]
display(Markdown(
    (f"Each model is stratified by the randomisation stratification factors "
     f"({', '.join(map(md_label, p['strata']))}) except the subgroup factor itself: "
     + (f"within the levels of {', '.join(map(md_label, overlap))} the other factors "
        f"stratify, and its interaction test has no main effect of the factor (the strata "
        f"absorb it). " if overlap else "no subgroup factor is a stratification factor. ")
     if p["strata"] else "The subgroup models are not stratified (the parameter file gives this "
     "notebook no strata: within a subgroup the randomisation strata are sparse). ")
    + f"The subgroup factors are {', '.join(map(md_label, p['subgroups']))}."
    + "".join(f" {md_label(v)} was {md_text(note)}." for v, note in report.notes.items())
))

# %%
#| label: fig-forest-os
#| fig-cap: "The primary endpoint by subgroup: hazard ratio of the experimental arm (B) vs the control arm (A) with CI (log scale), deaths/patients per arm and the likelihood-ratio p-value of the arm-by-subgroup interaction. Square area proportional to the subgroup size; the diamond is all patients."
nb.figure(forest_plot(report.table, conf_level=report.conf_level, strata=report.strata,
                      primary={"conf_level": p["primary_conf_level"]},
                      **report.forest_labels(dict(zip(frame["ARMCD"], frame["ARM"])))).figure,
          "forest_os")

# %%
overall = report.table.iloc[0]
benefit = report.beneficial()
inter = report.interaction.dropna(subset=["p"]).sort_values("p")
heterogeneous = inter[inter["p"] < 0.05]
display(Markdown(
    f"Over all {overall['n']} patients the hazard ratio was "
    f"{format_hr(overall['hr'], overall['lower'], overall['upper'], report.conf_level)}. "
    + (f"{md_text(nb.study.experimental.label)} appeared beneficial (upper {report.conf_level:.0%} confidence limit below 1) "
       f"in: " + "; ".join(f"{md_text(r.label)}: {md_text(r.level)} (HR "
                           f"{format_hr(r.hr, r.lower, r.upper, report.conf_level)}, "
                           f"{r.events} {md_text(nb.study.primary.events)} among {r.n} patients)"
                           for r in benefit.itertuples()) + ". "
       if len(benefit) else "In no subgroup did the confidence interval lie wholly below 1. ")
    + ("The interaction test was below 0.05 for "
       + "; ".join(f"{md_text(r.label)} (p = {format_p(r.p)})" for r in heterogeneous.itertuples())
       + f", without adjustment for the {len(inter)} factors tested."
       if len(heterogeneous) else
       f"No interaction test was below 0.05 among the {len(inter)} factors tested.")
))

# %%
#| label: tbl-subgroups
#| tbl-cap: "The primary endpoint by subgroup: events/patients per arm, hazard ratio of arm B vs arm A (CI) and the likelihood-ratio p-value of the arm-by-subgroup interaction."
table = report.display_table()
strata_note = (f"Stratified by {', '.join(map(subgroup_label, p['strata']))} (except the "
               f"subgroup factor itself)." if p["strata"] else "Unstratified.")
nb.table(table, "subgroups", note=f"Cox models, {p['ties'].capitalize()} ties. {strata_note}")
