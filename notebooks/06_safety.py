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

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data
data_format = None  # None: auto
data_cut = None  # None: all follow-up

# %%
from IPython.display import Markdown, display

from helpers.analyses.safety import safety_ard, safety_counts
from helpers.analyses.safety_tlg import aet01_ard, aet02_ard, aet04_ard
from helpers.notebook.session import POPULATION_LABELS, start
from helpers.report import safety as report
from helpers.report import safety_tlg as tlg
from helpers.report.names import arm_header

nb = start("06_safety", globals())
flag = nb.study.populations["safety"]
SAFETY = POPULATION_LABELS["safety"]  # the population of every safety table, in words
has_safety = nb.chapter("Safety", "ADAE", *([f"ADSL.{flag}"] if flag else
                                           ["study.populations.safety"]),
                        why="" if nb.data.adae is not None or flag else
                        "the data have no adverse events (no ADAE dataset) and the study names "
                        "no safety population")
procedure = nb.study.book.procedure
has_morbidity = has_safety and nb.section(
    "Operative morbidity", "study.book.procedure", "ADAE.AEPHASE",
    *([f"ADSL.{procedure.flag}"] if procedure else []), label="sec-operative-morbidity",
    why="" if procedure else "the study names no protocol procedure")
has_serious = has_safety and nb.section("Serious adverse events", "ADAE.AESER")
counts = {}
if has_safety:
    pflag = procedure.flag if procedure else None
    counts = safety_counts(nb.data.adae, nb.data.adsl, flag, procedure_flag=pflag)
    safety_ard(nb.ard, nb.data.adae, nb.data.adsl, counts, flag, procedure_flag=pflag)
    # the TLG catalogue's AET01, AET02, AET04 (studies/README.md: outputs.safety)
    tlg_config = nb.study.outputs.safety
    # AET01's rows of configured columns: absent (with a line) when not configured or not in ADAE
    related = [c for c in tlg_config.related
               if nb.section("AET01 treatment-related adverse events", f"ADAE.{c}")]
    if not tlg_config.related:
        nb.section("AET01 treatment-related adverse events", "study.outputs.safety.related")
    discontinuation = (
        (tlg_config.discontinuation_variable, tlg_config.discontinuation_value)
        if nb.section("AET01 adverse events leading to discontinuation",
                      f"ADAE.{tlg_config.discontinuation_variable}" if
                      tlg_config.discontinuation_variable else
                      "study.outputs.safety.discontinuation_variable") else None)
    aet01_ard(nb.ard, nb.data.adae, nb.data.adsl, flag, related=related,
              discontinuation=discontinuation)
    aet02_ard(nb.ard, nb.data.adae, nb.data.adsl, flag)
    aet04_ard(nb.ard, nb.data.adae, nb.data.adsl, flag)
    versions = tlg.versions_note(tlg_config.ctcae_version, tlg_config.meddra_version)
if has_safety:
    nb.write_results(counts)
view = nb.ard_view()

# %%
#| echo: false
nb.intro("""
Safety is analysed in the safety set (the patients the study configuration's safety
population holds), whichever analysis set the efficacy chapters use. Adverse events (AEs) are counted
once per patient and term, at the worst CTCAE grade reported. A treatment-related death is a
grade 5 AE related to protocol treatment.
""")

# %% [markdown]
# ## Operative morbidity {#sec-operative-morbidity}

# %%
if has_morbidity:
    display(Markdown(report.morbidity_text(view)))

# %%
#| label: tbl-operative-morbidity
#| tbl-cap: "Operative morbidity in the experimental arm (patients who had the protocol procedure): patients by term and worst CTCAE grade."
if has_morbidity:
    nb.table(report.grade_table(view, "safety.operative_worst_grade", report.WORST_HEADERS,
                                arm_header=arm_header("B", nb.study.arm_names) + ", operated (N={N})"),
             "operative_morbidity", population=SAFETY, source="ADSL, ADAE",
             note=report.morbidity_note(view))

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
             population=SAFETY, source="ADSL, ADAE")

# %%
#| label: tbl-ae-worst-grade
#| tbl-cap: "Adverse events by arm and worst CTCAE grade, by preferred term."
if has_safety:
    nb.table(report.grade_table(view, "safety.ae_worst_grade", report.WORST_HEADERS),
             "ae_worst_grade", population=SAFETY, source="ADSL, ADAE")

# %%
#| label: tbl-sae
#| tbl-cap: "Serious adverse events by arm: patients with any grade and with grade ≥3, by preferred term."
if has_serious:
    nb.table(report.grade_table(view, "safety.sae_summary", report.SUMMARY_HEADERS), "serious_ae",
             population=SAFETY, source="ADSL, ADAE",
             note=report.summary_note(view, "safety.sae_summary", "serious adverse event"))

# %% [markdown]
# ## Adverse events as the TLG catalogue lays them out
#
# The overview (AET01), adverse events by system organ class and preferred term sorted by
# frequency (AET02) and by worst grade, each grade apart, with a total column (AET04), in the
# safety set; a patient counts once per row.

# %%
#| label: tbl-aet01
#| tbl-cap: "Overview of adverse events by arm and in total: patients with any, serious, grade ≥3, grade 5, discontinuation-leading and treatment-related adverse events."
if has_safety:
    nb.table(tlg.aet01_table(view), "aet01", population=SAFETY, source="ADSL, ADAE",
             note=f"Catalogue ID: AET01. {versions} Treatment-related: "
                  + (f"adverse events the data flag as related to a protocol treatment "
                     f"({len(related)} relatedness {'variable' if len(related) == 1 else 'variables'})"
                     if related else "the data flag no relatedness") + ".")

# %%
#| label: tbl-aet02
#| tbl-cap: "Adverse events by system organ class and preferred term, by arm and in total, sorted by the number of patients."
if has_safety:
    nb.table(tlg.aet02_table(view), "aet02", population=SAFETY, source="ADSL, ADAE",
             note=f"Catalogue ID: AET02. {versions}")

# %%
#| label: tbl-aet04
#| tbl-cap: "Adverse events by preferred term and worst grade (each grade apart, and any grade), by arm and in total."
if has_safety:
    nb.table(tlg.aet04_table(view), "aet04", population=SAFETY, source="ADSL, ADAE",
             note=f"Catalogue ID: AET04. {versions}")
