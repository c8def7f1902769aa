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
# # Safety {#sec-safety}
#
# Safety is analysed in the safety set (the study configuration's safety flag, for JCOG1017
# ADSL `SAFFL`: randomised patients who received protocol treatment), whatever the
# `population` parameter of the run.
# Adverse events (AEs) were graded with CTCAE; each patient counts once per term, at the
# worst grade reported. Operative morbidity comprises the AEs of the operative phase in
# arm B patients whose primary tumour was resected. A treatment-related death is a grade 5
# AE related to surgery or to systemic therapy.

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = None  # None: studies/jcog1017.yaml (studies/README.md)
data_dir = None  # None: data
data_format = None  # None: auto
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.safety import safety_ard, safety_counts
from helpers.notebook.session import POPULATION_LABELS, start
from helpers.report import safety as report

nb = start("06_safety", globals())
flag = nb.study.populations["safety"]
SAFETY = f"{POPULATION_LABELS['safety']} ({flag})"  # the population of every safety table
has_safety = nb.section("Safety", "ADAE", *([f"ADSL.{flag}"] if flag else
                                           ["study.populations.safety"]))
has_morbidity = has_safety and nb.section("Operative morbidity", "ADAE.AEPHASE", "ADSL.SURGFL")
has_serious = has_safety and nb.section("Serious adverse events", "ADAE.AESER")
counts = {}
if has_safety:
    counts = safety_counts(nb.data.adae, nb.data.adsl, flag)
    safety_ard(nb.ard, nb.data.adae, nb.data.adsl, counts, flag)
nb.write_results(counts)
view = nb.ard_view()

# %% [markdown]
# ## Operative morbidity

# %%
if has_morbidity:
    display(Markdown(report.morbidity_text(view)))

# %%
#| label: tbl-operative-morbidity
#| tbl-cap: "Operative morbidity in arm B (patients who underwent resection): patients by term and worst CTCAE grade."
if has_morbidity:
    nb.table(report.grade_table(view, "safety.operative_worst_grade", report.WORST_HEADERS,
                                arm_header="Arm B, resected (N={N})"),
             "operative_morbidity", population=SAFETY, note=report.morbidity_note(view))

# %% [markdown]
# ## Adverse events

# %%
if has_safety:
    display(Markdown(report.safety_text(view)))

# %%
#| label: tbl-ae
#| tbl-cap: "Adverse events by arm: patients with any grade and with grade ≥3, by preferred term."
if has_safety:
    nb.table(report.grade_table(view, "safety.ae_summary", report.SUMMARY_HEADERS), "ae_summary",
             population=SAFETY)

# %%
#| label: tbl-ae-worst-grade
#| tbl-cap: "Adverse events by arm and worst CTCAE grade, by preferred term."
if has_safety:
    nb.table(report.grade_table(view, "safety.ae_worst_grade", report.WORST_HEADERS),
             "ae_worst_grade", population=SAFETY)

# %%
#| label: tbl-sae
#| tbl-cap: "Serious adverse events by arm: patients with any grade and with grade ≥3, by preferred term."
if has_serious:
    nb.table(report.grade_table(view, "safety.sae_summary", report.SUMMARY_HEADERS), "serious_ae",
             population=SAFETY)
