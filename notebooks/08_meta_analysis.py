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
# # JCOG1017 among the randomised trials of primary tumour resection {#sec-meta-analysis}
#
# Other randomised trials asked whether resecting the primary tumour helps patients with de
# novo stage IV breast cancer: Tata Memorial (India), MF07-01 (Turkey), ABCSG-28 POSYTIVE
# (Austria) and ECOG-ACRIN E2108 (USA/Canada). Their overall-survival hazard ratios (surgery vs
# systemic therapy alone) come from the published abstracts, each with its source and the
# confidence level it was published at; a CI is turned into the standard error of the log
# hazard ratio with the normal quantile of its own level, so every trial enters on the same
# footing and is shown at the chapter's level. JCOG1017's row is this run's primary result
# (@sec-overall-survival), with the published value beside it. Estimates whose direction or
# wording the sources leave unclear are flagged uncertain and left out unless the parameters
# say otherwise; which report of a trial is used is a parameter too. Pooling is by inverse
# variance on the log scale, as R's metafor computes it (the supplement's tests compare every
# method with metafor): a common-effect model and random-effects models with the
# between-trial variance tau² by DerSimonian-Laird, REML or Paule-Mandel, optionally with the
# Hartung-Knapp-Sidik-Jonkman adjustment. Heterogeneity is given by tau², I² with its
# Q-profile CI, and Cochran's Q; the prediction interval says where a new trial's effect would
# lie. Leave-one-out and cumulative (by year of publication) analyses follow.

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = "studies/jcog1017.yaml"  # the study configuration (studies/README.md)
data_dir = "data"
data_format = "auto"
population = None  # None: the study's full analysis set flag
primary_conf_level = 0.90
conf_level = 0.95
sided = "one-sided"
strata = None  # None: the study's stratification factors
ties = "efron"
km_conf_type = "log-log"
landmarks = None  # None: the study's landmarks (display unit)
data_cut = None
meta_method = "REML"  # FE | DL | REML | PM
meta_hksj = False  # Hartung-Knapp-Sidik-Jonkman CI and test
meta_include_uncertain = False  # pool trial versions flagged uncertain
meta_versions = {}  # trial id -> version (helpers/config/reference/ptr_trials.yaml), e.g. {"mf07_01": "ann_surg_oncol_2018"}

# %%
from dataclasses import asdict

from IPython.display import Markdown, display

from helpers.meta import local_control_reported, published_meta_analyses, trial_table
from helpers.report.plots.meta_forest import trial_forest_plot
from helpers.report.tables.meta import (forest_display, meta_analysis, methods_display,
                                        published_comparison, run_estimate, sequence_display)
from helpers.notebook.session import start
from helpers.analyses.reproduction import LRFS, OS
from helpers.report.format import format_ci, format_hr, format_p

nb = start("08_meta_analysis", globals())
p = nb.params
has_trials = nb.section("The randomised trials of primary tumour resection", "study.reference",
                        "ADTTE.PARAMCD=OS")
has_local = has_trials and nb.section("Local control", "ADTTE.PARAMCD=LRFS")
if has_trials:
    os_ = nb.analyse(OS, primary=True)
    meta = meta_analysis("os", p, {"jcog1017": run_estimate(os_.hazard_ratio)}, require_pooled=True)
    res = meta.result
    labels = dict(zip(meta.table["trial"], meta.table["label"]))
    excluded = ", ".join(f"{r.label} ({r.version.replace('_', ' ')}: {r.note})"
                         for r in meta.excluded.itertuples()) or "none"
    display(Markdown(
        f"Settings of this run: {res.label} at {meta.conf_level:.0%}; trial versions "
        + ", ".join(f"{r.label} {r.version.replace('_', ' ')}" for r in meta.table.itertuples())
        + f"; uncertain versions {'pooled' if p['meta_include_uncertain'] else 'left out'}. "
        f"Left out: {excluded}. JCOG1017: the stratified Cox hazard ratio of this run at "
        f"{os_.hazard_ratio.conf_level:.0%} in the {nb.population_label}."))

# %% [markdown]
# ## Overall survival

# %%
#| label: fig-meta-forest-os
#| fig-cap: "Overall survival hazard ratios (surgery vs systemic therapy alone) of the randomised trials of primary tumour resection, each with its CI rebuilt at the chapter's level from the published CI, square area proportional to the weight in the pooled estimate; hollow grey rows are shown but not pooled (uncertain versions, JCOG1017's published value). Diamond: pooled estimate and CI; bar beneath: prediction interval."
if has_trials:
    display(nb.figure(trial_forest_plot(meta.forest, res, conf_level=meta.conf_level).figure,
                      "forest_os"))

# %%
if has_trials:
    jcog = meta.forest.set_index(["trial", "status"]).loc[("jcog1017", "pooled")]
    fe = next(m for m in meta.methods if m.method == "FE")
    display(Markdown(
        f"Pooling {res.k} trials ({', '.join(meta.pooled_rows['label'])}; {res.label}), the "
        f"hazard ratio of death with surgery was {format_hr(res.hr, res.hr_lower, res.hr_upper, res.conf_level)} "
        f"(p = {format_p(res.p)}); the common-effect estimate was "
        f"{format_hr(fe.hr, fe.hr_lower, fe.hr_upper, fe.conf_level)}. Heterogeneity: tau² = "
        f"{res.tau2:.3f}, I² = {res.i2:.0f}% ({res.conf_level:.0%} CI {res.i2_lower:.0f}–{res.i2_upper:.0f}%, "
        f"Q-profile), Cochran's Q p = {format_p(res.q_p)}; the {res.conf_level:.0%} prediction "
        f"interval for the hazard ratio of a new trial is {format_ci(*res.pi_hr)}. "
        f"JCOG1017 weighs {jcog['weight']:.0f}% with this run's hazard ratio {jcog['hr']:.2f}."))

# %%
#| label: tbl-meta-trials-os
#| tbl-cap: "The trials of the forest plot: version used, year, hazard ratio with the CI at the chapter's level, the level each trial published, weight in the pooled estimate and whether it is pooled."
if has_trials:
    nb.table(forest_display(meta), "trials_os", population="the randomised trials' populations as published; JCOG1017: this run's analysis set",
             note="Sources: helpers/config/reference/ptr_trials.yaml (published abstracts; every figure with its source).")

# %%
#| label: tbl-meta-methods-os
#| tbl-cap: "Pooled overall-survival hazard ratio by method: common effect and random effects (DerSimonian-Laird, REML, Paule-Mandel), each with and without the Hartung-Knapp-Sidik-Jonkman (HKSJ) adjustment; tau², I² with its Q-profile CI, Cochran's Q p and the prediction interval (PI)."
if has_trials:
    nb.table(methods_display(meta), "methods_os", population="the pooled trials",
             note="Two-sided p. HKSJ: t with k-1 degrees of freedom, as metafor's test = \"knha\".")

# %% [markdown]
# ## Leave-one-out and cumulative analyses

# %%
#| label: tbl-meta-leave-one-out
#| tbl-cap: "Pooled overall-survival hazard ratio without each trial in turn (the chapter's pooling method)."
if has_trials:
    nb.table(sequence_display(meta.loo, "omitted", labels), "leave_one_out_os", population="the pooled trials")

# %%
#| label: tbl-meta-cumulative
#| tbl-cap: "Cumulative meta-analysis of overall survival: the pooled hazard ratio as the trials were published."
if has_trials:
    nb.table(sequence_display(meta.cumul, "added", labels), "cumulative_os", population="the pooled trials")

# %%
if has_trials:
    swing = meta.loo.loc[(meta.loo["hr"] - res.hr).abs().idxmax()]
    display(Markdown(
        f"Leaving out {labels[swing['omitted']]} moves the pooled hazard ratio most, to "
        f"{swing['hr']:.2f} ({format_ci(swing['hr_lower'], swing['hr_upper'])}). "
        f"The cumulative estimate went from {meta.cumul['hr'].iloc[0]:.2f} with "
        f"{labels[meta.cumul['added'].iloc[0]]} alone ({meta.cumul['year'].iloc[0]}) to "
        f"{meta.cumul['hr'].iloc[-1]:.2f} with all {len(meta.cumul)} pooled trials "
        f"({meta.cumul['year'].iloc[-1]})."))

# %% [markdown]
# ## Published meta-analyses

# %%
#| label: tbl-meta-published
#| tbl-cap: "Published pooled overall-survival hazard ratios (CIs as published) with the trial set and model each used, beside this run's pooling of the same trials where the publication names them (this run's versions and method, uncertain versions included), the same with ABCSG-28's hazard ratio inverted (its direction is not stated), and this run's own estimate."
if has_trials:
    comparison = published_comparison(meta, p)
    nb.table(comparison.drop(columns=["ours", "ours_inverted", "id", "published_hr"]), "published_os",
             population="as published")

# %%
if has_trials:
    published = comparison[comparison["id"] != "this_run"]
    low = published.loc[published["published_hr"].idxmin()]
    high = published.loc[published["published_hr"].idxmax()]
    mf_versions = {v: trial_table("os", versions={"jcog1017": "published", "mf07_01": v}).set_index("trial").loc["mf07_01"]
                   for v in ("ann_surg_oncol_2018", "update_10y")}
    mf, mf_update = mf_versions.values()
    abcsg = meta.table.set_index("trial").loc["abcsg_28"]
    without_jcog = published[~published["Trials"].str.contains("JCOG1017")]
    reanalysed = published[published["ours"].notna()]
    display(Markdown(
        f"The published pooled hazard ratios range from {low['published_hr']:.2f} ({low['Meta-analysis']}) "
        f"to {high['published_hr']:.2f} ({high['Meta-analysis']}). They differ, first, in "
        f"the trial sets: from {int(published['k'].min())} to {int(published['k'].max())} trials, "
        f"and {len(without_jcog)} of the {len(published)} meta-analyses do not include JCOG1017. "
        f"Second, in the versions: MF07-01's hazard ratio was {mf['hr']:.2f} in its "
        f"{mf['year']} report and {mf_update['hr']:.2f} in the {mf_update['year']} update. "
        f"Third, in reading ABCSG-28: the direction of its hazard ratio ({abcsg['hr']:.3f}) is not "
        f"stated in its abstract while its medians favour systemic therapy alone, so a meta-analysis taking it at "
        f"face value counts it as a benefit of surgery, one inverting it as {1 / abcsg['hr']:.2f}. "
        f"Fourth, in the model: with I² = {res.i2:.0f}% among the trials pooled here, the "
        f"random-effects CI ({format_ci(res.hr_lower, res.hr_upper)}) is wider than the "
        f"common-effect one ({format_ci(fe.hr_lower, fe.hr_upper)}). Pooling each named trial set "
        f"with this run's settings gives "
        + "; ".join(f"{r['ours'].hr:.2f} for {r['Meta-analysis']}'s (published {r['published_hr']:g}"
                    + (f"; {r['ours_inverted'].hr:.2f} with ABCSG-28 inverted" if r["ours_inverted"] else "")
                    + ")" for _, r in reanalysed.iterrows())
        + ". The remaining gaps come from the versions each used, the trials' published rounding "
        "and the model."))

# %% [markdown]
# ## Local control

# %%
if has_local:
    lrfs = nb.analyse(LRFS, primary=False)
    local = meta_analysis("local_control", p, {"jcog1017": run_estimate(lrfs.hazard_ratio)})
    reported = local_control_reported()
    pooled_local = published_meta_analyses("local_control")
    lhr = lrfs.hazard_ratio
    lpub = local.published_run_trial.iloc[0]
    display(Markdown(
        f"JCOG1017's local relapse-free survival hazard ratio in this run is "
        f"{format_hr(lhr.hr, lhr.lower, lhr.upper, lhr.conf_level)} (published "
        f"{format_hr(lpub['hr'], lpub['lower'], lpub['upper'], lpub['ci_level'])}). "
        f"{len(local.table)} of the trials report{'s' if len(local.table) == 1 else ''} a "
        f"local-control hazard ratio with a CI, so "
        + ("no pooled estimate is computed: " if local.result is None else
           f"the pooled hazard ratio is {format_hr(local.result.hr, local.result.hr_lower, local.result.hr_upper, local.result.conf_level)}; ")
        + "the other trials report local control as "
        + "; ".join(f"{r.label}: {r.measure}" + (f" {r.hr:g}" if r.hr == r.hr else f" {r.surgery:.1%} vs {r.control:.1%}")
                    + (f" ({r.note})" if isinstance(r.note, str) else "") for r in reported.itertuples())
        + ". Published meta-analyses pooled "
        + "; ".join(f"{r.label} {format_hr(r.hr, r.lower, r.upper, r.ci_level)}" for r in pooled_local.itertuples())
        + "."))

# %%
#| label: tbl-meta-local-control
#| tbl-cap: "Local control: JCOG1017's local relapse-free survival hazard ratio from this run and as published, the other trials' published local-control figures, and the published pooled estimates."
if has_local:
    import pandas as pd

    local_rows = pd.DataFrame(
        [{"Trial or meta-analysis": f"JCOG1017 ({v})", "Measure": "local relapse-free survival HR",
          "Value": f"{r.hr:.2f}", "CI": f"{format_ci(r.lower, r.upper)} ({r.ci_level:.0%})",
          "Source": "this run" if r.from_run else r.source}
         for v, r in (("this run", local.table.iloc[0]), ("published", lpub))]
        + [{"Trial or meta-analysis": r.label, "Measure": r.measure,
            "Value": f"{r.hr:g}" if r.hr == r.hr else f"{r.surgery:.1%} vs {r.control:.1%}",
            "CI": "not reported", "Source": r.source} for r in reported.itertuples()]
        + [{"Trial or meta-analysis": r.label, "Measure": "pooled HR", "Value": f"{r.hr:.2f}",
            "CI": f"{format_ci(r.lower, r.upper)} ({r.ci_level:.0%})", "Source": r.source}
           for r in pooled_local.itertuples()])
    nb.table(local_rows, "local_control",
             population="JCOG1017: this run's analysis set; others as published")

# %%
if has_trials:
    nb.write_results({
        "os": meta.to_dict(),
        "jcog1017_run": asdict(run_estimate(os_.hazard_ratio)),
        "published_comparison": {
            "id": list(comparison["id"]), "published_hr": list(comparison["published_hr"]),
            "same_trials_hr": [r.hr if r else None for r in comparison["ours"]],
            "same_trials_inverted_hr": [r.hr if r else None for r in comparison["ours_inverted"]]},
        "local_control": {**local.to_dict(), "jcog1017_lrfs_run": asdict(run_estimate(lhr)),
                          "n_reported_without_ci": len(reported)} if has_local else None,
    })
else:
    nb.write_results({})  # what was run (settings) and why nothing else (unavailable)
