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
# # Local relapse-free survival and other secondary endpoints {#sec-lrfs}
#
# Local relapse-free survival (LRFS) is the time from randomisation to local relapse or
# progression of the primary tumour or death from any cause, whichever comes first; patients
# alive without a local event are censored at the last assessment. It is analysed as overall
# survival (@sec-overall-survival): Kaplan-Meier per arm, a Cox model stratified by the
# randomisation stratification factors (Efron ties) and the stratified log-rank test, but as a
# secondary endpoint with the secondary confidence level and a **two-sided** p-value (no
# direction is pre-specified and no alpha is spent). The other time-to-event secondary
# endpoints are analysed the same way: primary tumour resection-free survival (PTRFS: resection
# of the primary tumour or death; meaningful in arm A, since in arm B the event is the
# protocol resection itself) and progression-free survival at metastatic sites (MPFS). Local
# ulcer and local bleeding during follow-up are proportions, compared between the arms with
# Fisher's exact test (two-sided).

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
data_dir = "data"
data_format = "auto"
population = "ITTFL"
conf_level = 0.95
strata = None  # None: the randomisation stratification factors (helpers.dataset.DEFAULT_STRATA)
ties = "efron"
km_conf_type = "log-log"
landmarks_months = [36, 60]
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook import start
from helpers.plots import km_plot
from helpers.secondary import (LOCAL_CONTROL_FLAGS, km_panels, proportion_by_arm,
                               proportion_table, secondary_table)
from helpers.tables import hazard_ratio_table
from helpers.tables.formatting import format_hr, format_median, format_p

nb = start("04_lrfs", globals())
p = nb.params
display(Markdown(nb.settings_text()))

# secondary endpoints: CIs at conf_level, two-sided log-rank p (nb.analyse, primary=False)
lrfs = nb.analyse("LRFS", primary=False)
others = {code: nb.analyse(code, primary=False) for code in ("PTRFS", "MPFS")}
local = proportion_by_arm(nb.frame("OS"), LOCAL_CONTROL_FLAGS)
nb.ctx.write_results({
    "lrfs": lrfs.to_dict(),
    "ptrfs": others["PTRFS"].to_dict(),
    "mpfs": others["MPFS"].to_dict(),
    "local_control": {r["column"]: r for r in local},
})

# %% [markdown]
# ## Local relapse-free survival

# %%
#| label: fig-km-lrfs
#| fig-cap: "Local relapse-free survival by arm (Kaplan-Meier), with numbers at risk. Censored patients are marked +. Hazard ratio from the stratified Cox model (CI at the secondary level), two-sided stratified log-rank p."
fig = km_plot(lrfs.curves(), labels=lrfs.curve_labels(), annotation=lrfs.annotation(),
              ylabel="Local relapse-free survival",
              annotation_loc="upper right")
fig.axes[0].legend(loc="lower left", frameon=False)  # the curves leave the lower left free
nb.figure(fig, "km_lrfs")

# %%
hr = lrfs.hazard_ratio
display(Markdown(
    lrfs.results_text("LRFS", "LRFS events") + " Resection of the primary tumour "
    f"{'lowered' if hr.upper < 1 else 'raised' if hr.lower > 1 else 'did not clearly change'} "
    "the hazard of local relapse or death."
))

# %%
#| label: tbl-lrfs-summary
#| tbl-cap: "Local relapse-free survival: medians (CI) and landmark rates by arm."
summary = lrfs.summary_table()
nb.table(summary, "lrfs_summary")

# %%
#| label: tbl-lrfs-cox
#| tbl-cap: "Cox proportional hazards model of local relapse-free survival: hazard ratio of resection vs systemic therapy alone (CI at the secondary level, two-sided log-rank p)."
cox = hazard_ratio_table([lrfs.hazard_ratio_row("Stratified Cox")])
nb.table(cox, "lrfs_cox")

# %% [markdown]
# ## Other time-to-event secondary endpoints

# %%
#| label: tbl-secondary
#| tbl-cap: "Secondary time-to-event endpoints by arm: events, medians (CI), stratified Cox hazard ratio (CI) and two-sided stratified log-rank p."
secondary = secondary_table(
    {"Local relapse-free survival": lrfs,
     "Primary tumour resection-free survival": others["PTRFS"],
     "Progression-free survival at metastatic sites": others["MPFS"]},
    no_comparison={"Primary tumour resection-free survival":
                   "Not compared: in arm B the event is the protocol resection itself."},
)
nb.table(secondary, "secondary")

# %%
#| label: fig-km-secondary
#| fig-cap: "Primary tumour resection-free survival (left) and progression-free survival at metastatic sites (right) by arm (Kaplan-Meier), with numbers at risk. Censored patients are marked +."
fig = km_panels(others, titles={"PTRFS": "Primary tumour resection-free survival",
                                "MPFS": "Progression-free survival at metastatic sites"})
nb.figure(fig, "km_secondary")

# %%
pt, mp = others["PTRFS"], others["MPFS"]
pt_a = pt.landmarks[pt.landmarks["group"] == "A"].set_index("time")
pt_med = pt.medians.set_index("group")
mp_hr = mp.hazard_ratio
mp_med = mp.medians.set_index("group")
display(Markdown(
    f"In arm A, {pt_med.loc['A', 'events']} of {pt_med.loc['A', 'n']} patients had the primary "
    f"tumour resected or died; "
    + " and ".join(f"{100 * row.surv:.0f}% ({100 * row.lower:.0f}–{100 * row.upper:.0f}%) "
                   f"were alive without resection at {t:g} months" for t, row in pt_a.iterrows())
    + f" (median {format_median(*pt_med.loc['A', ['median', 'median_lower', 'median_upper']])} "
    f"months). Progression at metastatic sites or death occurred in "
    f"{mp_med.loc['A', 'events']} patients in arm A and {mp_med.loc['B', 'events']} in arm B "
    f"(median {format_median(*mp_med.loc['A', ['median', 'median_lower', 'median_upper']])} and "
    f"{format_median(*mp_med.loc['B', ['median', 'median_lower', 'median_upper']])} months); "
    f"the hazard ratio was {format_hr(mp_hr.hr, mp_hr.lower, mp_hr.upper, mp_hr.conf_level)} "
    f"({mp.sided} p = {format_p(mp.p_logrank)})."
))

# %% [markdown]
# ## Local control: ulcer and bleeding

# %%
#| label: tbl-local-control
#| tbl-cap: "Local ulcer and local bleeding during follow-up by arm, with Fisher's exact test (two-sided)."
local_table = proportion_table(local, lrfs.arm_labels)
nb.table(local_table, "local_control")

# %%
display(Markdown(" ".join(
    f"{r['name']} occurred in {r['pct_A']:.1f}% of arm A and {r['pct_B']:.1f}% of arm B "
    f"patients (difference {r['difference']:+.1f} percentage points; Fisher's exact "
    f"p {'< 0.0001' if r['p_fisher'] < 0.0001 else '= ' + format_p(r['p_fisher'])})."
    for r in local
)))
