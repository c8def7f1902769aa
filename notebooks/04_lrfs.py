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
study = "studies/jcog1017.yaml"  # the study configuration (studies/README.md)
data_dir = "data"
data_format = "auto"
population = None  # None: the study's full analysis set flag
conf_level = 0.95
strata = None  # None: the study's stratification factors
ties = "efron"
km_conf_type = "log-log"
landmarks = None  # None: the study's landmarks (display unit)
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.analyses.secondary import proportion_by_arm
from helpers.notebook.session import start
from helpers.report.endpoint import km_annotation, results_text, summary_table
from helpers.report.format import format_hr, format_median, format_p
from helpers.report.plots import km_plot
from helpers.report.plots.km_panels import km_panels
from helpers.report.tables import hazard_ratio_table
from helpers.report.tables.secondary import proportion_table, secondary_table

nb = start("04_lrfs", globals())
p = nb.params
unit = nb.study.display_unit
display(Markdown(nb.settings_text()))

# secondary endpoints: CIs at conf_level, two-sided log-rank p (nb.analyse, primary=False)
endpoints = [e for e in nb.study.secondary if not nb.missing(f"ADTTE.PARAMCD={e.paramcd}")]
absent = [e.paramcd for e in nb.study.secondary if e not in endpoints]
analyses = {e.paramcd: nb.analyse(e.paramcd, primary=False) for e in endpoints}
flags = {v.name: v.label for v in nb.study.proportions if v.name in nb.data.adsl}
local = proportion_by_arm(nb.frame(p["endpoint"]), flags) if flags else []
nb.write_results({
    **{code.lower(): an.to_dict() for code, an in analyses.items()},
    "local_control": {r["column"]: r for r in local},
    **({"endpoints_not_in_data": absent} if absent else {}),
})

# %% [markdown]
# ## The first secondary endpoint
#
# For JCOG1017 local relapse-free survival: the time from randomisation to local relapse or
# progression or death, whichever came first.

# %%
first = endpoints[0] if endpoints else None
if nb.section("First secondary endpoint",
              *([f"ADTTE.PARAMCD={nb.study.secondary[0].paramcd}"] if nb.study.secondary
                else ["study.secondary"])) and first:
    lead = analyses[first.paramcd]
    display(Markdown(f"**{first.label}** (PARAMCD {first.paramcd})."))

# %%
#| label: fig-km-lrfs
#| fig-cap: "The first secondary endpoint by arm (Kaplan-Meier), with numbers at risk. Censored patients are marked +. Hazard ratio from the stratified Cox model (CI at the secondary level), two-sided stratified log-rank p."
if first:
    fig = km_plot(lead.curves(), labels=lead.curve_labels(), annotation=km_annotation(lead),
                  ylabel=first.label, annotation_loc="upper right")
    fig.axes[0].legend(loc="lower left", frameon=False)  # the curves leave the lower left free
    display(nb.figure(fig, "km_lrfs"))

# %%
if first:
    hr = lead.hazard_ratio
    display(Markdown(
        results_text(lead, first.paramcd, first.events) + f" {nb.study.experimental.label} "
        f"{'lowered' if hr.upper < 1 else 'raised' if hr.lower > 1 else 'did not clearly change'} "
        f"the hazard of {first.label.lower()} events."
    ))

# %%
#| label: tbl-lrfs-summary
#| tbl-cap: "The first secondary endpoint: medians (CI) and landmark rates by arm."
if first:
    nb.table(summary_table(lead), "lrfs_summary")

# %%
#| label: tbl-lrfs-cox
#| tbl-cap: "Cox proportional hazards model of the first secondary endpoint: hazard ratio of the experimental arm (B) vs the control arm (A) (CI at the secondary level, two-sided log-rank p)."
if first:
    nb.table(hazard_ratio_table([lead.hazard_ratio_row("Stratified Cox")]), "lrfs_cox")

# %% [markdown]
# ## All time-to-event secondary endpoints

# %%
#| label: tbl-secondary
#| tbl-cap: "Secondary time-to-event endpoints by arm: events, medians (CI), stratified Cox hazard ratio (CI) and two-sided stratified log-rank p."
if nb.section("Secondary endpoints", *[f"ADTTE.PARAMCD={e.paramcd}" for e in nb.study.secondary]
              or ["study.secondary"]) or endpoints:
    nb.table(secondary_table({e.label: analyses[e.paramcd] for e in endpoints},
                             no_comparison={e.label: e.note or "Not compared."
                                            for e in endpoints if not e.compare}),
             "secondary")

# %%
#| label: fig-km-secondary
#| fig-cap: "The other secondary endpoints by arm (Kaplan-Meier), with numbers at risk. Censored patients are marked +."
others = {e.paramcd: analyses[e.paramcd] for e in endpoints[1:]}
if others:
    display(nb.figure(km_panels(others, titles={e.paramcd: e.label for e in endpoints[1:]}),
                      "km_secondary"))

# %%
def endpoint_sentence(endpoint, an) -> str:
    med = an.medians.set_index("group")

    def median(code: str) -> str:
        return format_median(*med.loc[code, ["median", "median_lower", "median_upper"]])

    text = (f"{endpoint.label}: {med.loc['A', 'events']} events in arm A and "
            f"{med.loc['B', 'events']} in arm B (median {median('A')} and {median('B')} {unit})")
    if not endpoint.compare:
        return text + f"; {endpoint.note or 'not compared'}"
    hr = an.hazard_ratio
    return (text + f"; hazard ratio {format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)} "
            f"({an.sided} p = {format_p(an.p_logrank)})")


if others:
    display(Markdown(". ".join(endpoint_sentence(e, analyses[e.paramcd]) for e in endpoints[1:])
                     + "."))
if absent:
    display(Markdown(f"Secondary endpoints of the study configuration without ADTTE rows: "
                     f"{', '.join(absent)}."))

# %% [markdown]
# ## Proportion endpoints
#
# For JCOG1017 local control: local ulcer and local bleeding during follow-up.

# %%
#| label: tbl-local-control
#| tbl-cap: "Proportion endpoints by arm, with Fisher's exact test (two-sided)."
if nb.section("Proportion endpoints", *[f"ADSL.{v.name}" for v in nb.study.proportions]
              or ["study.proportions"]) or local:
    nb.table(proportion_table(local, nb.study.arm_labels), "local_control")

# %%
if local:
    display(Markdown(" ".join(
        f"{r['name']} occurred in {r['pct_A']:.1f}% of arm A and {r['pct_B']:.1f}% of arm B "
        f"patients (difference {r['difference']:+.1f} percentage points; Fisher's exact "
        f"p {'< 0.0001' if r['p_fisher'] < 0.0001 else '= ' + format_p(r['p_fisher'])})."
        for r in local
    )))
