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
study = "studies/jcog1017.yaml"  # the study configuration (studies/README.md)
data_dir = "data"
data_format = "auto"
population = None  # None: the study's full analysis set flag
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook.session import POPULATION_LABELS, start
from helpers.analyses.safety import safety_counts
from helpers.report.format import format_n_pct
from helpers.report.tables import ae_table, operative_morbidity_table

nb = start("06_safety", globals())
flag = nb.study.populations["safety"]
SAFETY = f"{POPULATION_LABELS['safety']} ({flag})"  # the population of every safety table
has_safety = nb.section("Safety", "ADAE", *([f"ADSL.{flag}"] if flag else
                                           ["study.populations.safety"]))
has_morbidity = has_safety and nb.section("Operative morbidity", "ADAE.AEPHASE", "ADSL.SURGFL")
has_serious = has_safety and nb.section("Serious adverse events", "ADAE.AESER")
counts = {}
if has_safety:
    adsl, adae = nb.data.adsl, nb.data.adae
    safety = adsl[(adsl[flag] == "Y") & adsl["ARMCD"].notna()].assign(ARMLBL=lambda d: "Arm " + d["ARMCD"])
    counts = safety_counts(adae, adsl, flag)
nb.write_results(counts)

# %% [markdown]
# ## Operative morbidity

# %%
if has_morbidity:
    n_operated = counts["operative_morbidity"]["operated"]
    morbidity_counts = counts["operative_morbidity"]
    display(Markdown(
        f"Of {n_operated} arm B patients of the safety set who had the primary tumour resected, "
        f"{format_n_pct(morbidity_counts['any_grade'], n_operated)} had operative morbidity of any "
        f"grade and {format_n_pct(morbidity_counts['grade3_or_worse'], n_operated)} of grade 3 or "
        "worse (@tbl-operative-morbidity)."
    ))

# %%
#| label: tbl-operative-morbidity
#| tbl-cap: "Operative morbidity in arm B (patients who underwent resection): patients by term and worst CTCAE grade."
if has_morbidity:
    morbidity = (operative_morbidity_table(adae, safety, flag=flag).rename_axis("Preferred term")
                 .rename(columns=lambda arm: arm.replace("B (", "Arm B, resected ("), level=0))
    nb.table(morbidity, "operative_morbidity", population=SAFETY,
             note=f"Percentages of the {n_operated} resected arm B patients of the safety set.")

# %% [markdown]
# ## Adverse events

# %%
if has_safety:
    n_safety, any_ae, grade3 = counts["safety_n"], counts["patients_any_ae"], counts["patients_grade3_or_worse"]
    grade5, trd = counts["patients_grade5"], counts.get("treatment_related_deaths")
    serious = counts.get("patients_serious_ae")
    arms = list(n_safety)
    display(Markdown(
        "Adverse events of any grade were reported in "
        + " and ".join(f"{format_n_pct(any_ae[c], n_safety[c])} of patients in arm {c}" for c in arms)
        + "; grade 3 or worse in "
        + " and ".join(f"{format_n_pct(grade3[c], n_safety[c])} in arm {c}" for c in arms)
        + " (@tbl-ae, @tbl-ae-worst-grade)."
        + (" Serious adverse events occurred in "
           + " and ".join(f"{format_n_pct(serious[c], n_safety[c])} in arm {c}" for c in arms)
           + " (@tbl-sae)." if serious else "")
        + " Grade 5 events were reported in "
        + " and ".join(f"{grade5[c]} patient{'' if grade5[c] == 1 else 's'} in arm {c}" for c in arms)
        + ("" if trd is None else "; " + (
            "none was related to surgery or systemic therapy: there were no treatment-related "
            "deaths." if trd == 0 else
            f"{trd} {'was' if trd == 1 else 'were'} related to treatment (treatment-related deaths)."))
        + "."
    ))

# %%
#| label: tbl-ae
#| tbl-cap: "Adverse events by arm: patients with any grade and with grade ≥3, by preferred term."
if has_safety:
    ae = ae_table(adae, safety, by="ARMLBL", bands="summary", flag=flag).rename_axis("Preferred term")
    nb.table(ae, "ae_summary", population=SAFETY)

# %%
#| label: tbl-ae-worst-grade
#| tbl-cap: "Adverse events by arm and worst CTCAE grade, by preferred term."
if has_safety:
    ae_worst = ae_table(adae, safety, by="ARMLBL", bands="worst", flag=flag).rename_axis("Preferred term")
    nb.table(ae_worst, "ae_worst_grade", population=SAFETY)

# %%
#| label: tbl-sae
#| tbl-cap: "Serious adverse events by arm: patients with any grade and with grade ≥3, by preferred term."
if has_serious:
    sae = (ae_table(adae[adae["AESER"] == "Y"], safety, by="ARMLBL", bands="summary", flag=flag)
           .rename_axis("Preferred term"))
    nb.table(sae, "serious_ae", population=SAFETY)
