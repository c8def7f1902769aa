"""The book's front matter, as a journal prints a supplementary appendix: the title page's
statement ("Supplementary appendix to: <main publication>") and its facts (study, registration
numbers, version, date, data cut-off, the run with its generation and the source commit), and the
list of abbreviations the book uses.

Everything comes from the run (its record, parameters, study configuration) and the project;
nothing is typed by hand. The facts are pandoc metadata (``supplement-facts``: label/value
pairs) that the HTML template and the Typst template both print.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Abbreviations the supplement may use, with their expansions. Only those that occur in the
#: book's text are listed in it (``abbreviations_used``).
ABBREVIATIONS = {
    "ADaM": "Analysis Data Model (CDISC)",
    "AE": "adverse event",
    "ARD": "analysis results data",
    "CI": "confidence interval",
    "CONSORT": "Consolidated Standards of Reporting Trials",
    "CTCAE": "Common Terminology Criteria for Adverse Events",
    "DL": "DerSimonian-Laird estimator",
    "ECOG": "Eastern Cooperative Oncology Group",
    "ER": "oestrogen receptor",
    "HER2": "human epidermal growth factor receptor 2",
    "HKSJ": "Hartung-Knapp-Sidik-Jonkman adjustment",
    "HR": "hazard ratio",
    "JCOG": "Japan Clinical Oncology Group",
    "KM": "Kaplan-Meier",
    "LRFS": "local relapse-free survival",
    "MPFS": "progression-free survival at metastatic sites",
    "OS": "overall survival",
    "PI": "prediction interval",
    "PM": "Paule-Mandel estimator",
    "PS": "performance status",
    "PTR": "primary tumour resection",
    "PTRFS": "primary tumour resection-free survival",
    "REML": "restricted maximum likelihood",
    "RMST": "restricted mean survival time",
    "SE": "standard error",
}


@dataclass(frozen=True)
class FrontMatter:
    """What the title page says: title lines and label/value facts, in order."""
    appendix_to: str | None
    facts: tuple[tuple[str, str], ...]

    def metadata(self) -> dict:
        """pandoc metadata for the templates (``supplement-appendix-to``, ``supplement-facts``)."""
        out: dict = {"supplement-facts": [{"label": label, "value": value}
                                          for label, value in self.facts]}
        if self.appendix_to:
            out["supplement-appendix-to"] = self.appendix_to
        return out


def source_commit(project_dir: Path) -> str | None:
    """The project's git commit (12 hex digits), "+ uncommitted changes" when the work tree
    differs from it; None outside a git work tree or without git."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=project_dir,
                              capture_output=True, text=True, timeout=20)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=project_dir, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return f"{commit} + uncommitted changes" if dirty.stdout.strip() else commit


def front_matter(record: dict | None, params: dict, study, generation: str, version: str,
                 commit: str | None) -> FrontMatter:
    """The title page of the book of one run: ``record`` its run record (None for a run
    directory made by hand), ``params`` the parameters of its notebooks, ``study`` the
    ``StudyConfig``, ``generation`` the generation rendered, ``version`` the supplement's
    version, ``commit`` the source commit (``source_commit``)."""
    record = record or {}
    facts: list[tuple[str, str]] = []
    if study.registrations:
        facts.append(("Registration", ", ".join(study.registrations)))
    facts.append(("Supplement version", version))
    finished = str(record.get("finished_utc") or "")
    if finished:
        facts.append(("Date", finished[:10]))
    facts.append(("Data cut-off", str(params.get("data_cut") or "none: all follow-up in the data")))
    run = str(record.get("run_label") or params.get("run_label") or "")
    when = f", finished {finished.replace('T', ' ').replace('+00:00', '')} UTC" if finished else ""
    facts.append(("Run", f"{run}, generation {generation}{when}" if run else f"generation {generation}{when}"))
    if commit:
        facts.append(("Source commit", commit))
    return FrontMatter(appendix_to=study.publication, facts=tuple(facts))


def abbreviations_used(text: str) -> list[tuple[str, str]]:
    """The abbreviations of ``ABBREVIATIONS`` that occur in ``text`` as words, alphabetically."""
    return sorted(((short, long) for short, long in ABBREVIATIONS.items()
                   if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)),
                  key=lambda item: item[0].lower())


def abbreviations_markdown(text: str) -> str:
    """A definition list of the abbreviations ``text`` uses (Markdown), or "" when none."""
    used = abbreviations_used(text)
    return "\n\n".join(f"{short}\n:   {long}" for short, long in used)


def supplement_version() -> str:
    """The supplement's version: the installed project's (pyproject.toml), else "unreleased"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jcog1017-supplement")
    except PackageNotFoundError:
        return "unreleased"


def book_metadata(generation: Path, pfile, project_dir: Path, text: str, renderer: str) -> dict:
    """pandoc metadata of the book of one run (all outputs): title and subtitle from the study
    configuration (``study.title``), the title page (``front_matter``), the abbreviations the
    book's ``text`` uses, the short title of the running header and the ``renderer`` named on
    the title page (what ran: "pandoc 3.9 and Typst")."""
    import json

    from helpers.config.study import load_study
    from helpers.run.layout import RECORD

    try:
        record = json.loads((generation / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    first = sorted((generation / "notebooks").glob("*.ipynb"))
    params = pfile.for_notebook(first[0].stem if first else "01_population")
    study = load_study(params["study"])
    front = front_matter(record, params, study, generation.name, supplement_version(),
                         source_commit(project_dir))
    meta = {"title": study.title, "subtitle": "Reproducible analyses of the trial data",
            "supplement-short-title": f"{study.study_id}: supplementary appendix",
            "supplement-renderer": renderer, **front.metadata()}
    abbreviations = abbreviations_used(text)
    if abbreviations:
        meta["supplement-abbreviations"] = [{"short": s, "long": long} for s, long in abbreviations]
    return meta
