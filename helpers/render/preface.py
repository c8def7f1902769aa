"""The preface of a run's book (``index.qmd``): the study's words, the key results of the run
from its analysis results data, what the book leaves out and how the supplement is made.

Nothing trial-specific is written here: the opening and "The trial" are the study's
``preface.md`` and ``trial.md`` (``study.text``), else sentences built from its configuration;
every number is an ARD row's ``stat_fmt`` (``RUN/ard.parquet``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from helpers.ard import ArdView
from helpers.core.textsafe import md_text
from helpers.report.names import bare, in_sentence
from helpers.report.stats import estimate_ci, p_phrase, said

from .book_plan import BookPlan

HOW = """Every number is computed by the project's tested Python package and read by the notebooks;
the notebooks are executed with papermill for one parameter file into a run directory, and the
book is rendered from those executed notebooks without running them again, so what you read is
exactly what the run computed. Each chapter is one notebook, numbered in reading order; the
HTML edition shows the code of each output, folded, above it (the PDF and Word editions do
not). Methods: Kaplan-Meier estimates [@kaplan1958] with
Greenwood variances [@greenwood1926] and Brookmeyer-Crowley confidence intervals for medians
[@brookmeyer1982], Cox regression [@cox1972] with Efron's handling of ties [@efron1977], the
score test of proportional hazards on scaled Schoenfeld residuals [@grambsch1994] as R's
`cox.zph` computes it, follow-up by the reverse Kaplan-Meier method [@schemper1996], restricted
mean survival time [@royston2013], and Schoenfeld's sample size for the log-rank test
[@schoenfeld1981; @schoenfeld1983]. Results are checked against R's survival package
[@therneau2024survival] (and, where it applies, lifelines [@davidsonpilon2019]) to numerical
precision."""


def _general_opening(study) -> str:
    return (f"This is the reproducible analysis supplement of **{md_text(study.title)}**.")


def _general_trial(study) -> str:
    arms, names = study.arm_labels, study.arm_names
    secondary = [e.label for e in study.secondary]
    role = {"A": "control", "B": "experimental"}
    text = "Patients were randomised to " + " or ".join(
        f"{md_text(arms[c])} ({md_text(bare(names[c]))}" + (
            f", {role[c]})" if role[c] not in bare(names[c]) else ")") for c in "AB")
    text += (f". The primary endpoint is {md_text(in_sentence(study.primary.label))}")
    if secondary:
        text += "; secondary endpoints are " + ", ".join(md_text(in_sentence(s)) for s in secondary)
    return text + ". The populations are in @sec-population."


def _median(view: ArdView, analysis_id: str, arm: str, unit: str) -> str:
    where = {"group1_level": arm, "variable": "prob", "variable_level": 0.5}
    shown = said(view, analysis_id, "estimate", missing="", **where)
    return f"{shown} {unit}" if shown else "not reached"


def key_results(ard: pd.DataFrame, study, parameters: dict) -> str:
    """The key results of the run: patients per arm, the primary endpoint's events, hazard
    ratio and log-rank p, medians per arm, the first compared secondary endpoint's hazard
    ratio; every number from the ARD of the endpoint chapters."""
    p = parameters.get("03_overall_survival", {})
    primary = p.get("endpoint") or study.primary.paramcd
    unit = md_text(study.display_unit)
    arms, names = study.arm_labels, {c: md_text(n) for c, n in study.arm_names.items()}
    view = ArdView(ard[ard["notebook"] == "03_overall_survival"])
    km, cox, lr = f"{primary}.km", f"{primary}.cox.primary", f"{primary}.logrank"
    if not view.has(cox, stat_name="estimate"):
        return ""
    label = md_text(study.endpoint(primary).label)
    sided = p.get("sided", "two-sided")
    stat = "p.value.one.sided" if sided == "one-sided" else "p.value"
    text = (f"{said(view, km, 'n', group1_level='A')} patients allocated to "
            f"{md_text(in_sentence(arms['A']))} ({bare(names['A'])}) and "
            f"{said(view, km, 'n', group1_level='B')} to {md_text(in_sentence(arms['B']))} "
            f"({bare(names['B'])}) were analysed. {label}: with "
            f"{said(view, cox, 'n.event')} {md_text(study.endpoint(primary).events)}, the hazard "
            f"ratio of {names['B']} against {names['A']} was {estimate_ci(view, cox)}, {sided} "
            f"log-rank {p_phrase(view.fmt(lr, stat))}; the median was "
            f"{_median(view, km, 'A', unit)} in {names['A']} and {_median(view, km, 'B', unit)} in "
            f"{names['B']}.")
    secondary = ArdView(ard[ard["notebook"] == "04_lrfs"])
    for endpoint in study.secondary:
        sid = f"{endpoint.paramcd}.cox.primary"
        if endpoint.compare and secondary.has(sid, stat_name="estimate"):
            text += (f" {md_text(endpoint.label)}: hazard ratio {estimate_ci(secondary, sid)}, "
                     f"two-sided log-rank "
                     f"{p_phrase(secondary.fmt(f'{endpoint.paramcd}.logrank', 'p.value'))}.")
            break
    return text


def _left_out(plan: BookPlan) -> str:
    """The omitted chapters, then the omitted sections grouped under their chapter's title
    (one line per chapter, its sections nested), each with its reason."""
    if not plan.omitted:
        return ""
    lines = [f"- Chapter *{md_text(o.title)}*: {md_text(o.reason)}."
             for o in plan.omitted if o.chapter]
    by_chapter: dict[str, list] = {}
    for o in plan.omitted:
        if not o.chapter:
            by_chapter.setdefault(o.chapter_title, []).append(o)
    for title, sections in by_chapter.items():
        lines.append(f"- In chapter *{title}*:" if title else "- Sections:")  # title: Markdown as written
        lines += [f"    - *{md_text(o.title)}*: {md_text(o.reason)}." for o in sections]
    return ("## What this book leaves out {#sec-left-out}\n\nThe book shows what the study and "
            "its data give. Left out of this run's book:\n\n" + "\n".join(lines))


def preface_markdown(plan: BookPlan, ard: pd.DataFrame | None) -> str:
    """The preface (``index.qmd``) of the book ``plan``; ``ard``: the run's ARD."""
    study, book = plan.study, plan.study.book
    parts = ["# Preface {.unnumbered}", book.snippet("preface") or _general_opening(study)]
    if book.publication or book.registrations:
        facts = []
        if book.publication:
            facts.append(f"Main publication: {md_text(book.publication)}.")
        if book.registrations:
            facts.append(f"Registration: {md_text(', '.join(book.registrations))}.")
        parts.append(" ".join(facts))
    parts += ["## The trial {#sec-trial}", book.snippet("trial") or _general_trial(study),
              "{{< embed notebooks/01_population.ipynb#data-source >}}"]
    results = key_results(ard, study, plan.parameters) if ard is not None else ""
    if results:
        refs = ["@fig-km-os", "@tbl-os-cox"]
        parts += ["## Key results of this run {#sec-key-results}",
                  "Computed by this run and read from its analysis results data (ARD); "
                  "nothing here is typed by hand. " + results,
                  f"The primary endpoint is shown in {refs[0]} and its Cox model in {refs[1]}"
                  + ("; subgroups in @fig-forest-os" if plan.has_chapter("05_subgroups") else "")
                  + ("; adverse events in @tbl-ae" if plan.has_chapter("06_safety") else "") + "."]
    if plan.has_chapter("10_reproduction"):
        parts += ["## Reproduction of the published results {#sec-reproduction-summary}",
                  "Each published figure beside the value this run computed, and whether it "
                  "lies within the stated tolerance (@tbl-reproduction gives sources and "
                  "tolerances).",
                  "{{< embed notebooks/10_reproduction.ipynb#reproduction-summary >}}"]
    left_out = _left_out(plan)
    if left_out:
        parts.append(left_out)
    parts += ["## How this supplement is made {#sec-how}", HOW]
    return "\n\n".join(parts) + "\n"


def read_ard(generation: Path) -> pd.DataFrame | None:
    """The run's ARD (``ard.parquet`` of the generation), or None when the run has none."""
    path = Path(generation) / "ard.parquet"
    return pd.read_parquet(path) if path.is_file() else None
