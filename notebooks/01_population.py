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
#
# Patients with de novo stage IV breast cancer were registered before primary systemic
# therapy; those without progression after three months of it were randomised to systemic
# therapy alone (arm A) or to primary tumour resection followed by systemic therapy (arm B).
# The flow of patients follows the CONSORT statement. The full analysis set (FAS, ADSL
# `ITTFL`) holds every randomised patient in the arm assigned; the per-protocol set
# (`PPROTFL`) holds arm B patients whose primary tumour was resected and arm A patients
# without resection within 12 months; the safety set (`SAFFL`) holds randomised patients who
# received protocol treatment.

# %% tags=["parameters"]
run_label = None  # None: "interactive"
output_dir = None  # None: runs/interactive
study = None  # None: studies/jcog1017.yaml (studies/README.md)
data_dir = None  # None: data/ (the bundled synthetic data)
data_format = None  # None: from the files' suffixes
population = None  # None: the study's full analysis set flag
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.populations import (analysis_set_counts, analysis_sets, consort_counts,
                                          flow_ard, populations_ard, surgery_counts)
from helpers.data.source import data_source
from helpers.notebook.session import start
from helpers.report.plots import consort_diagram
from helpers.report.plots.consort import consort_flow
from helpers.report.tables.populations import analysis_sets_table, arm_b_surgery_table, consort_table
from helpers.report.text import population as text

nb = start("01_population", globals())
flags = {"itt": nb.study.populations["full_analysis"], **{
    key: nb.study.populations[role] for key, role in (("per_protocol", "per_protocol"),
                                                      ("safety", "safety"))}}
counts = consort_counts(nb.data.adsl, nb.data.adtte, flags, strata=nb.params["strata"])
analysis_sets_counts, surgery = analysis_set_counts(counts, flags), surgery_counts(counts)
source = data_source(nb.data.paths)  # the files read, and whether they are the synthetic data
flow_ard(nb.ard, counts, output_id="tbl-consort")
populations_ard(nb.ard, counts, flags, output_id="tbl-analysis-sets")
nb.write_results({**counts, "analysis_sets": analysis_sets_counts,
                  **({"surgery": surgery} if "SURGFL" in nb.data.adsl else {}),
                  "synthetic_data": source.synthetic})
view = nb.ard_view()
set_labels = {flag: label for flag, (label, _) in analysis_sets(flags).items()}

# %%
#| label: data-source
display(Markdown(source.note))

# %% [markdown]
# ## Patient flow

# %%
display(Markdown(text.flow_results(view, nb.study.arm_labels)))

# %%
#| label: fig-consort
#| fig-cap: "CONSORT flow diagram: enrolment (registration, reasons for not being randomised, randomisation), allocation, follow-up (overall survival) and analysis sets with the reasons for exclusion from the per-protocol set."
nb.figure(consort_diagram(consort_flow(view, nb.study.arm_labels, flags)).figure, "consort")

# %%
#| label: tbl-consort
#| tbl-cap: "Patient flow: registered, not randomised by reason, randomised by arm."
nb.table(consort_table(view, nb.study.arm_labels), "consort", population="all registered patients")

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
# ## Primary tumour resection in arm B

# %%
has_surgery = nb.section("Primary tumour resection in arm B", "ADSL.SURGFL")
if has_surgery:
    display(Markdown(text.surgery_results(view)))

# %%
#| label: tbl-arm-b-surgery
#| tbl-cap: "Arm B: primary tumour resection performed and completeness of resection."
if has_surgery:
    nb.table(arm_b_surgery_table(view), "arm_b_surgery", population="all patients randomised to arm B")
