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
# # Study population {#sec-population}

# %% tags=["parameters"]
run_label = None  # None: "interactive"
output_dir = None  # None: runs/interactive
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data/ (the bundled synthetic data)
data_format = None  # None: from the files' suffixes
population = None  # None: the study's full analysis set flag
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.populations import (analysis_set_counts, analysis_sets, consort_counts,
                                          flow_ard, populations_ard, surgery_counts)
from helpers.data.source import data_source
from helpers.notebook.session import POPULATION_LABELS, start
from helpers.report.plots import consort_diagram
from helpers.report.plots.consort import consort_flow
from helpers.report.tables.populations import analysis_sets_table, arm_b_surgery_table, consort_table
from helpers.report.text import population as text

nb = start("01_population", globals())
flags = {"itt": nb.study.populations["full_analysis"], **{
    key: nb.study.populations[role] for key, role in (("per_protocol", "per_protocol"),
                                                      ("safety", "safety"))}}
procedure = nb.study.book.procedure  # the experimental arm's protocol procedure, if the study names one
columns = procedure.columns if procedure else None
counts = consort_counts(nb.data.adsl, nb.data.adtte, flags, strata=nb.params["strata"],
                        procedure=columns, pp_reasons=procedure.reasons if procedure else None)
analysis_sets_counts, surgery = analysis_set_counts(counts, flags), surgery_counts(counts)
source = data_source(nb.data.paths)  # the files read, and whether they are the synthetic data
flow_ard(nb.ard, counts, output_id="tbl-consort", procedure=columns)
populations_ard(nb.ard, counts, flags, output_id="tbl-analysis-sets")
nb.write_results({**counts, "analysis_sets": analysis_sets_counts,
                  **({"surgery": surgery} if procedure and procedure.flag in nb.data.adsl else {}),
                  "synthetic_data": source.synthetic})
view = nb.ard_view()
set_labels = {flag: label for flag, (label, _) in analysis_sets(flags).items()}
population_sets = text.analysis_sets_sentence(nb.study.populations, POPULATION_LABELS)
others = nb.study.arm_value_labels  # the labels of the arms not compared

# %%
#| echo: false
nb.intro(f"""
The flow of patients from registration through randomisation to the analysis sets follows the
CONSORT statement. {population_sets}
""")

# %%
#| label: data-source
display(Markdown(source.note))

# %% [markdown]
# ## Patient flow

# %%
display(Markdown(text.flow_results(view, nb.study.arm_labels, others)))

# %%
#| label: fig-consort
#| fig-cap: "CONSORT flow diagram: enrolment (registration, reasons for not being randomised, randomisation), allocation, follow-up (overall survival) and analysis sets, with the reasons for exclusion where a set excludes patients."
nb.figure(consort_diagram(consort_flow(view, nb.study.arm_labels, flags,
                                       procedure.label if procedure else None,
                                       columns, others)).figure, "consort")

# %%
#| label: tbl-consort
#| tbl-cap: "Patient flow: registered, not randomised by reason, randomised by arm."
nb.table(consort_table(view, nb.study.arm_labels, others), "consort", population="all registered patients")

# %% [markdown]
# ## Analysis sets

# %%
display(Markdown(text.analysis_sets_results(view, set_labels)))

# %%
#| label: tbl-analysis-sets
#| tbl-cap: "Analysis sets by arm: patients, n (% of randomised)."
nb.table(analysis_sets_table(view, set_labels), "analysis_sets",
         population="all randomised patients of the compared arms")

# %% [markdown]
# ## The protocol procedure of the experimental arm {#sec-procedure}

# %%
has_surgery = nb.section("The protocol procedure of the experimental arm", "study.book.procedure",
                         *([f"ADSL.{procedure.flag}"] if procedure else []), label="sec-procedure",
                         why="" if procedure else "the study names no protocol procedure of the "
                         "experimental arm")
if has_surgery:
    display(Markdown(text.surgery_results(view, procedure.label, procedure.columns)))

# %%
#| label: tbl-arm-b-surgery
#| tbl-cap: "The experimental arm: the protocol procedure performed, and its detail."
if has_surgery:
    nb.table(arm_b_surgery_table(view, procedure.label, procedure.columns), "arm_b_surgery",
             population=f"all patients randomised to {nb.study.arm_names['B']}")
