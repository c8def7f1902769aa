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
run_label = "interactive"
output_dir = "runs/interactive"
study = "studies/jcog1017.yaml"  # the study configuration (studies/README.md)
data_dir = "data"
data_format = "auto"
population = None  # None: the study's full analysis set flag
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.data.source import data_source
from helpers.notebook.session import start
from helpers.report.plots import consort_diagram
from helpers.analyses.populations import analysis_sets as analysis_sets_labels
from helpers.analyses.populations import analysis_set_counts, consort_counts, surgery_counts
from helpers.report.format import format_n_pct
from helpers.report.tables.populations import analysis_sets_table, arm_b_surgery_table, consort_table

nb = start("01_population", globals())
flags = {"itt": nb.study.populations["full_analysis"], **{
    key: nb.study.populations[role] for key, role in (("per_protocol", "per_protocol"),
                                                      ("safety", "safety"))}}
counts = consort_counts(nb.data.adsl, nb.data.adtte, flags, strata=nb.params["strata"])
arms = counts["arms"]
analysis_sets, surgery = analysis_set_counts(counts, flags), surgery_counts(counts)
source = data_source(nb.data.paths)  # the files read, and whether they are the synthetic data
nb.write_results({**counts, "analysis_sets": analysis_sets,
                  **({"surgery": surgery} if "SURGFL" in nb.data.adsl else {}),
                  "synthetic_data": source.synthetic})

# %%
#| label: data-source
display(Markdown(source.note))

# %% [markdown]
# ## Patient flow

# %%
reasons = counts["not_randomised_reasons"]
top_reason, top_n = next(iter(reasons.items()), ("none", 0))
display(Markdown(
    f"Of {counts['registered']} registered patients, {counts['not_randomised']} were not "
    f"randomised, most often because of {top_reason.lower()} (n = {top_n}, "
    f"{100 * top_n / max(counts['not_randomised'], 1):.1f}% of those not randomised). "
    f"{counts['randomised']} patients were randomised: "
    + ", ".join(f"{arm['randomised']} to arm {code} ({arm['label'].lower()})"
                for code, arm in arms.items())
    + "".join(f"; {n} randomised to arm {value} were not compared and are excluded"
              for value, n in counts.get("other_arms", {}).items())
    + " (@fig-consort, @tbl-consort)."
))

# %%
#| label: fig-consort
#| fig-cap: "CONSORT flow diagram: enrolment (registration, reasons for not being randomised, randomisation), allocation, follow-up (overall survival) and analysis sets with the reasons for exclusion from the per-protocol set."
fig = consort_diagram(counts).figure
nb.figure(fig, "consort")

# %%
#| label: tbl-consort
#| tbl-cap: "Patient flow: registered, not randomised by reason, randomised by arm."
nb.table(consort_table(counts), "consort", population="all registered patients")

# %% [markdown]
# ## Analysis sets

# %%
set_names = {flag: label[0].lower() for flag, label in analysis_sets_labels(flags).items()}
sets_text = "; ".join(
    f"the {set_names[flag]} comprised {n['total']} patients "
    f"({', '.join(f'{n[c]} in arm {c}' for c in arms)})" for flag, n in analysis_sets.items())
display(Markdown(sets_text[0].upper() + sets_text[1:] + " (@tbl-analysis-sets)."))

# %%
#| label: tbl-analysis-sets
#| tbl-cap: "Analysis sets by arm: patients, n (% of randomised)."
nb.table(analysis_sets_table(counts, flags), "analysis_sets",
         population="all randomised patients of the compared arms")

# %% [markdown]
# ## Primary tumour resection in arm B

# %%
has_surgery = nb.section("Primary tumour resection in arm B", "ADSL.SURGFL")
resection = surgery["resection"]
if has_surgery:
    display(Markdown(
        f"Of {surgery['randomised']} patients allocated to resection, "
        f"{format_n_pct(surgery['performed'], surgery['randomised'])} had the primary tumour "
        f"resected and {surgery['not_performed']} did not. "
        + "; ".join(f"{level}: {format_n_pct(n, surgery['performed'])} of resected patients"
                    for level, n in resection.items())
        + " (@tbl-arm-b-surgery)."
    ))

# %%
#| label: tbl-arm-b-surgery
#| tbl-cap: "Arm B: primary tumour resection performed and completeness of resection."
if has_surgery:
    nb.table(arm_b_surgery_table(counts), "arm_b_surgery", population="all patients randomised to arm B")
