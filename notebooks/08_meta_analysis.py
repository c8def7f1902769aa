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
# # Meta-analysis of the randomised trials {#sec-meta-analysis}

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: the bundled data
data_format = None  # None: by file extension
population = None  # None: the study's full analysis set flag
primary_conf_level = None  # None: 0.90, the protocol's (this trial's hazard ratio)
conf_level = None  # None: 0.95 (the chapter's CIs)
sided = None  # None: one-sided, the protocol's
strata = None  # None: the study's stratification factors
ties = None  # None: Efron
data_cut = None  # None: all follow-up
meta_method = None  # None: REML (FE | DL | REML | PM)
meta_hksj = None  # None: False (Hartung-Knapp-Sidik-Jonkman CI and test)
meta_include_uncertain = None  # None: False (pool trial versions flagged uncertain)
meta_versions = None  # None: each trial's default version in the study's trial table (study.trials); a mapping trial id -> version chooses others

# %%
from dataclasses import asdict

from IPython.display import Markdown, display

from helpers.analyses.meta_analysis import (MetaSettings, inverted_trials, meta_analysis,
                                            published_comparison, run_estimate)
from helpers.analyses.meta_ard import meta_ard
from helpers.meta.trials import (comparison_words, local_control_endpoint,
                                 local_control_reported, multi_version_trials, read_study_trials,
                                 run_trial, trial_info, version_labels)
from helpers.notebook.session import start
from helpers.report import meta_text as text
from helpers.report.plots.meta_forest import trial_forest_plot
from helpers.report.tables import meta as tables

nb = start("08_meta_analysis", globals())
SOURCES = "ADSL, ADTTE (this trial); the published reports (the other trials)"  # of its tables
settings = MetaSettings.from_params(nb.params)
has_trials = nb.chapter("Meta-analysis of the randomised trials", "study.book.trials",
                        f"ADTTE.PARAMCD={nb.params['endpoint']}",
                        why="the study names no table of the randomised trials of the same question")
trials = read_study_trials(nb.study) if has_trials else None  # read and validated once
local_paramcd = local_control_endpoint(trials) if has_trials else None
if has_trials and not local_paramcd:  # the section is left out, and the preface says why
    nb.unavailable["Local control"] = {"label": "sec-meta-local", "reason": "the trial table "
                                       "names no local-control endpoint"}
    has_local = False
else:
    has_local = has_trials and nb.section("Local control", f"ADTTE.PARAMCD={local_paramcd}",
                                          label="sec-meta-local")
if has_trials:
    labels = dict(zip(trial_info(trials)["trial"], trial_info(trials)["label"]))
    run_id, run_label = run_trial(trials)  # this run's trial in the study's trial table
    arms, versions_said = comparison_words(trials), version_labels(trials)
    os_ = nb.analyse(primary=True)  # the study's primary endpoint (parameter endpoint)
    meta = meta_analysis("os", settings, {run_id: run_estimate(os_.hazard_ratio)},
                         require_pooled=True, reasons={run_id: os_.hazard_ratio.note}, data=trials)
    res = meta.result
    comparison = published_comparison(meta, settings, data=trials)
    published = [c for c in comparison if c.id != "this_run"]
    inverted = inverted_trials(meta, trials)
    meta_ard(nb.ard, meta, comparison, data=trials, output_ids={
        "trials": "tbl-meta-trials-os", "methods": "tbl-meta-methods-os",
        "loo": "tbl-meta-leave-one-out", "cumulative": "tbl-meta-cumulative",
        "published": "tbl-meta-published"})
    view = nb.ard_view()
    common = next(m.label for m in meta.methods if m.method == "FE")
    meta_labels = {c.id: c.label for c in comparison}
    display(Markdown(text.settings_text(
        view, "os", method_label=res.label, versions=dict(zip(meta.table["trial"], meta.table["version"])),
        excluded=dict(zip(meta.excluded["trial"], meta.excluded["note"])), missing=meta.missing,
        labels=labels, include_uncertain=settings.include_uncertain,
        population_label=nb.population_label, run_trial=run_id, version_words=versions_said)))
has_published = has_trials and bool(published)
if has_trials and not published:
    nb.unavailable["Published meta-analyses"] = {
        "label": "sec-meta-published",
        "reason": "the trial table names no published meta-analysis"}

# %%
#| echo: false
if has_trials:
    nb.intro("""
The trial's overall-survival hazard ratio from this run (@sec-overall-survival) is set among
the other randomised trials of the same question named by the study, each from its published
report with the confidence level it was published at; a CI is turned into the standard error
of the log hazard ratio with the normal quantile of its own level. Pooling is by inverse
variance on the log scale, as R's metafor computes it: a common-effect model and
random-effects models (DerSimonian-Laird, REML or Paule-Mandel, optionally with the
Hartung-Knapp-Sidik-Jonkman adjustment), heterogeneity, the prediction interval, and
leave-one-out and cumulative analyses.
""")

# %% [markdown]
# ## Overall survival

# %%
#| label: fig-meta-forest-os
#| fig-cap: "Overall survival hazard ratios (experimental vs control) of the randomised trials of the same question, each with its CI rebuilt at the chapter's level from the published CI, square area proportional to the weight in the pooled estimate; hollow grey rows are shown but not pooled (uncertain versions, this trial's published value). Diamond: pooled estimate and CI; bar beneath: prediction interval."
if has_trials:
    display(nb.figure(trial_forest_plot(meta.forest, res, conf_level=meta.conf_level, data=trials).figure,
                      "forest_os"))

# %%
if has_trials:
    display(Markdown(text.pooled_text(view, "os", labels, res.label, common, run_id, arms)))

# %%
#| label: tbl-meta-trials-os
#| tbl-cap: "The trials of the forest plot: version used, year, hazard ratio with the CI at the chapter's level, the level each trial published, weight in the pooled estimate and whether it is pooled."
if has_trials:
    nb.table(tables.forest_display(view, "os", labels, trials), "trials_os", source=SOURCES,
             population=f"the randomised trials' populations as published; {run_label}: this run's analysis set",
             note=tables.sources_note(((f"{labels[r.trial]} ({tables.version_label(r.version, trials)})", r.source)
                                       for r in meta.table.itertuples()), trials))

# %%
#| label: tbl-meta-methods-os
#| tbl-cap: "Pooled overall-survival hazard ratio by method: common effect and random effects (DerSimonian-Laird, REML, Paule-Mandel), each with and without the Hartung-Knapp-Sidik-Jonkman (HKSJ) adjustment; τ², I² with its Q-profile CI, Cochran's Q p and the prediction interval."
if has_trials:
    nb.table(tables.methods_display(view, "os"), "methods_os",
             source=SOURCES, population="the pooled trials",
             note="Two-sided p. HKSJ: t with k-1 degrees of freedom, as metafor's test = \"knha\".")

# %% [markdown]
# ## Leave-one-out and cumulative analyses

# %%
#| label: tbl-meta-leave-one-out
#| tbl-cap: "Pooled overall-survival hazard ratio without each trial in turn (the chapter's pooling method)."
if has_trials:
    nb.table(tables.sequence_display(view, "os", "loo", labels), "leave_one_out_os",
             source=SOURCES,
             population="the pooled trials")

# %%
#| label: tbl-meta-cumulative
#| tbl-cap: "Cumulative meta-analysis of overall survival: the pooled hazard ratio as the trials were published."
if has_trials:
    nb.table(tables.sequence_display(view, "os", "cumulative", labels), "cumulative_os",
             source=SOURCES,
             population="the pooled trials")

# %%
if has_trials:
    display(Markdown(text.sequence_text(view, "os", labels)))

# %% [markdown]
# ## Published meta-analyses {#sec-meta-published}

# %%
#| label: tbl-meta-published
#| tbl-cap: "Published pooled overall-survival hazard ratios (CIs as published) with the trials each names (trial sets and models in the note), beside this run's pooling of the same trials where the publication names them (this run's versions and method, uncertain versions included), the same with the hazard ratios inverted whose direction the sources do not state (where the trial table marks any), and this run's own estimate."
if has_published:
    nb.table(tables.published_display(
        view, "os", meta_labels, {c.id: c.named for c in published}, {c.id: c.model for c in published},
        labels, res.label, " and ".join(labels[t] for t in inverted) or None), "published_os",
        source=SOURCES, population="as published",
        note=tables.published_note(meta_labels, {c.id: c.trial_set for c in published},
                                   {c.id: c.model for c in published}, res.label) + " "
        + tables.sources_note(((c.label, c.source) for c in published), trials))

# %%
if has_published:
    display(Markdown(text.published_text(
        view, "os", meta_labels, {c.id: c.includes_run_trial for c in published},
        multi_version_trials(trials, "os"), inverted, labels, common, run_id, arms,
        versions_said)))

# %% [markdown]
# ## Local control {#sec-meta-local}

# %%
if has_local:
    local_endpoint = next(e for e in (nb.study.primary, *nb.study.secondary)
                          if e.paramcd == local_paramcd)
    local_words = text.in_sentence(local_endpoint.label)
    local_run = nb.analyse(local_paramcd, primary=local_paramcd == nb.params["endpoint"])
    local = meta_analysis("local_control", settings, {run_id: run_estimate(local_run.hazard_ratio)},
                          reasons={run_id: local_run.hazard_ratio.note}, data=trials)
    reported = local_control_reported(trials)
    local_comparison = published_comparison(local, settings, data=trials)
    meta_ard(nb.ard, local, local_comparison, data=trials,
             output_ids={"trials": "tbl-meta-local-control", "published": "tbl-meta-local-control"})
    view = nb.ard_view()
    local_labels = {c.id: c.label for c in local_comparison}
    display(Markdown(text.local_control_text(view, labels, local_labels,
                                             dict(zip(reported["trial"], reported["measure"])),
                                             run_id, local_words)))

# %%
#| label: tbl-meta-local-control
#| tbl-cap: "Local control: this trial's hazard ratio of its local-control endpoint from this run and as published, the other trials' published local-control figures, and the published pooled estimates."
if has_local:
    nb.table(tables.local_control_display(view, labels, local_labels, (run_id, run_label),
                                          local_words, arms), "local_control", source=SOURCES,
             population=f"{run_label}: this run's analysis set; others as published",
             note=" ".join(f"{r.label}: {r.measure}." for r in reported.itertuples()) + " "
             + tables.sources_note([(f"{run_label} (as published)", local.published_run_trial["source"].iloc[0]
                                     if len(local.published_run_trial) else "")]
                                   + [(r.label, r.source) for r in reported.itertuples()], trials))

# %%
if has_trials:
    nb.write_results({
        "os": meta.to_dict(),
        f"{run_id}_run": asdict(run_estimate(os_.hazard_ratio)),
        "published_comparison": {
            "id": [c.id for c in comparison], "published_hr": [c.hr for c in comparison],
            "same_trials_hr": [c.ours.hr if c.ours else None for c in comparison],
            "same_trials_inverted_hr": [c.ours_inverted.hr if c.ours_inverted else None
                                        for c in comparison]},
        "local_control": {**local.to_dict(),
                          f"{run_id}_{local_paramcd.lower()}_run": asdict(run_estimate(local_run.hazard_ratio)),
                          "n_reported_without_ci": len(reported)} if has_local else None,
    })
else:
    nb.write_results({})  # what was run (settings) and why nothing else (unavailable)
