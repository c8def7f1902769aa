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

#: Abbreviations of the methods that any supplement may use, with their expansions; a study
#: adds its own (trial group, endpoints, biomarkers) in ``abbreviations.md`` of its text folder
#: (``study_abbreviations``). Only those that occur in the book's text are listed in it
#: (``abbreviations_used``).
ABBREVIATIONS = {
    "ADaM": "Analysis Data Model (CDISC)",
    "AE": "adverse event",
    "ARD": "analysis results data",
    "CI": "confidence interval",
    "CONSORT": "Consolidated Standards of Reporting Trials",
    "CTCAE": "Common Terminology Criteria for Adverse Events",
    "DL": "DerSimonian-Laird estimator",
    "ECOG": "Eastern Cooperative Oncology Group",
    "HKSJ": "Hartung-Knapp-Sidik-Jonkman adjustment",
    "HR": "hazard ratio",
    "KM": "Kaplan-Meier",
    "OS": "overall survival",
    "PI": "prediction interval",
    "PM": "Paule-Mandel estimator",
    "PS": "performance status",
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


def data_own_cut_off(record: dict) -> str | None:
    """The data's own cut-off as the notebooks' footers state it ("2023-06-30, the data's
    own"): the one date of ADSL's DCUTDT in the run's ADSL file (its record's ``data_files``);
    None without such a file, column or single date."""
    import pandas as pd

    from helpers.data.readers import read_table

    adsl = next((Path(f["path"]) for f in record.get("data_files") or ()
                 if Path(str(f.get("path", ""))).stem.lower() == "adsl"), None)
    if adsl is None or not adsl.is_file():
        return None
    from helpers.core.errors import DataValidationError

    try:
        frame = read_table(adsl)
    except (OSError, ValueError, DataValidationError):  # the run's checks name the file's problems
        return None
    if "DCUTDT" not in frame:
        return None
    dates = pd.to_datetime(frame["DCUTDT"], errors="coerce").dropna().unique()
    return f"{pd.Timestamp(dates[0]).date()}, the data's own" if len(dates) == 1 else None


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
    facts.append(("Data cut-off", str(params.get("data_cut") or data_own_cut_off(record)
                                      or "none: all follow-up in the data")))
    run = str(record.get("run_label") or params.get("run_label") or "")
    when = f", finished {finished.replace('T', ' ').replace('+00:00', '')} UTC" if finished else ""
    facts.append(("Run", f"{run}, generation {generation}{when}" if run else f"generation {generation}{when}"))
    if commit:
        facts.append(("Source commit", commit))
    return FrontMatter(appendix_to=study.publication, facts=tuple(facts))


def study_abbreviations(study) -> dict[str, str]:
    """The study's own abbreviations: lines "SHORT: expansion" of ``abbreviations.md`` in its
    text folder (``study.text``); {} for a study without one (or None)."""
    book = getattr(study, "book", None)
    text = book.snippet("abbreviations") if book is not None else None
    out: dict[str, str] = {}
    for line in (text or "").splitlines():
        short, sep, long = line.strip().lstrip("-* ").partition(":")
        if sep and short.strip() and long.strip():
            out[short.strip()] = long.strip()
    return out


def abbreviations_used(text: str, extra: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The abbreviations of ``ABBREVIATIONS`` and ``extra`` (the study's) that occur in
    ``text`` as words, alphabetically."""
    known = {**ABBREVIATIONS, **(extra or {})}
    return sorted(((short, long) for short, long in known.items()
                   if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)),
                  key=lambda item: item[0].lower())


def abbreviations_markdown(text: str) -> str:
    """A definition list of the abbreviations ``text`` uses (Markdown), or "" when none."""
    used = abbreviations_used(text)
    return "\n\n".join(f"{short}\n:   {long}" for short, long in used)


def supplement_version() -> str:
    """The supplement's version: the installed project's (pyproject.toml), else "unreleased"."""
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    try:  # the distribution that installs this package (pyproject.toml's name)
        return version(packages_distributions().get("helpers", ["?"])[0])
    except PackageNotFoundError:
        return "unreleased"


def book_metadata(generation: Path, plan, project_dir: Path, text: str, renderer: str) -> dict:
    """pandoc metadata of the book of one run (all outputs), besides the title block that the
    book plan (``book_plan.BookPlan``: the study the run's notebooks ran with) puts in the
    document: the title page (``front_matter``), the abbreviations the book's ``text`` uses,
    the short title of the running header and the ``renderer`` named on the title page (what
    ran: "pandoc 3.9 and Typst"). A run without a known study (made by hand) has no
    registrations or publication on its title page."""
    import json
    from types import SimpleNamespace

    from helpers.run.layout import RECORD

    try:
        record = json.loads((generation / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = None
    params = next(iter(plan.parameters.values()), {}) if plan.parameters else {}
    study = plan.study or SimpleNamespace(registrations=(), publication=None, study_id=None)
    front = front_matter(record, params, study, generation.name, supplement_version(),
                         source_commit(project_dir))
    title = plan.project.metadata.get("title") or ""
    short = (f"{study.study_id}: supplementary appendix" if study.study_id
             else str(title) or "Supplementary appendix")
    meta = {"supplement-short-title": short, "supplement-renderer": renderer, **front.metadata()}
    abbreviations = abbreviations_used(text, study_abbreviations(plan.study))
    if abbreviations:
        meta["supplement-abbreviations"] = [{"short": s, "long": long} for s, long in abbreviations]
    return meta
