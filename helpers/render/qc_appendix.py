"""The book's quality-control appendix (issue 22): what the independent R QC program
(``validation/qc/``, ``make qc``) found for THIS run, read from ``RUN/qc/qc_report.json``.

Added by the renderers after the last chapter, not a notebook: QC needs a complete run (its
``run_record.json``), so its report can only exist after every notebook ran; a renderer runs
after both. The report belongs to the run when its ``run_finished_utc`` and ``run_label`` equal
the run record's; otherwise (no report, or one of an earlier run) the appendix is one sentence
saying how to run QC. Per output (the table or figure label of the run's ARD rows; "prose"
for rows no table shows): statistics compared, matched, largest difference (relative, or
absolute for p-values, as ``compare.R``'s tolerances), rows only on one side (QC's rows
the run lacks per chapter); the software of both sides (the run
record's Python packages, the report's R and packages); the QC program's SHA-256.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

__all__ = ["QC_REPORT", "qc_appendix_markdown", "read_qc_report"]

QC_REPORT = Path("qc") / "qc_report.json"
TITLE = "# Quality control {#sec-quality-control .unnumbered}"
HOW_TO = ("To check this run independently, run the project's R quality-control program "
          "(`make qc` with this run's parameter file), which writes its report into the run "
          "directory, then render the book again.")


def read_qc_report(run_dir: Path, record: dict) -> tuple[dict | None, str]:
    """The QC report of ``run_dir`` when it is of the run ``record`` describes, else None
    and why not (no report; unreadable; of another run)."""
    path = Path(run_dir) / QC_REPORT
    if not path.is_file():
        return None, "No independent quality control has been run on this run."
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, f"The QC report of this run is unreadable ({exc})."
    if (report.get("run_finished_utc"), report.get("run_label")) != (
            record.get("finished_utc"), record.get("run_label")):
        return None, (f"The QC report in the run directory is of an earlier run (finished "
                      f"{report.get('run_finished_utc')}), not of this one (finished "
                      f"{record.get('finished_utc')}).")
    return report, ""


def _cell(text) -> str:
    return str(text).replace("|", "\\|")


def _difference(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "0" if value == 0 else f"{value:.1e}"


def by_output(report: dict) -> list[dict]:
    """Per output: compared (matched + mismatched), matched, only in the run or in QC, the
    largest relative difference and the largest absolute difference of p-values."""
    outputs: dict[str, dict] = {}

    def entry(row: dict, output: str | None = None) -> dict:
        output = output or row.get("output_id") or "prose"
        key = f"{row.get('notebook', '')}\0{output}"
        return outputs.setdefault(key, {"output": output, "notebook": row.get("notebook", ""),
                                        "compared": 0, "matched": 0, "only": 0,
                                        "relative": None, "absolute": None})

    for kind in ("matched", "mismatched"):
        for row in report.get(kind) or []:
            out = entry(row)
            out["compared"] += 1
            out["matched"] += kind == "matched"
            diff = row.get("difference")
            if isinstance(diff, (int, float)):
                which = "absolute" if "absolute" in str(row.get("tolerance")) else "relative"
                out[which] = diff if out[which] is None else max(out[which], diff)
    for row in report.get("only_in_run") or []:
        entry(row)["only"] += 1
    for row in report.get("only_in_qc") or []:  # QC knows no outputs: its rows the run lacks
        entry(row, "rows the run lacks")["only"] += 1
    return sorted(outputs.values(), key=lambda o: (o["notebook"], o["output"]))


def _software(record: dict, report: dict) -> list[str]:
    python = record.get("packages") or {}
    python_text = ", ".join(f"{name} {version}" for name, version in sorted(python.items()))
    software = report.get("software") or {}
    r_packages = software.get("packages") or {}
    r_text = ", ".join([software.get("R", "R (version not reported)")] +
                       [f"{name} {version}" for name, version in sorted(r_packages.items())
                        if version])
    return ["| Side | Software |", "|---|---|",
            f"| Analysis (Python, run record) | {_cell(python_text or 'not recorded')} |",
            f"| QC (R, QC report) | {_cell(r_text)} |"]


def qc_appendix_markdown(run_dir: Path, params: str = "PARAMS.yaml",
                         generation: Path | None = None) -> str:
    """The appendix chapter as Markdown (title, then the report's findings, or one sentence
    saying how to run QC when the run has no QC report of its own). The QC report is
    ``run_dir/qc/qc_report.json``; the run it must be of is the run record of ``generation``
    (the generation the book is rendered from; default the run directory's published one).
    ``params`` names the parameter file in that sentence."""
    run_dir = Path(run_dir)
    try:  # a run directory made by hand has no run record: no QC report can be of it
        record = json.loads((Path(generation or run_dir) / "run_record.json")
                            .read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    report, why = read_qc_report(run_dir, record)
    if report is None:
        return f"{TITLE}\n\n{why} {HOW_TO.format(params=params)}\n"
    s = report.get("summary") or {}
    status = "passed" if report.get("status") == "pass" else "FAILED"
    tolerances = report.get("tolerances") or {}
    lines = [
        TITLE, "",
        f"An independent program in R (`validation/qc/`, sharing no code with the analysis) "
        f"recomputed this run's statistics from the ADaM data its run record names and "
        f"compared them with the run's analysis results data (`ard.csv`): QC **{status}**. "
        f"{s.get('matched', 0)} statistics matched, {s.get('mismatched', 0)} differed, "
        f"{s.get('only_in_run', 0)} were only in the run and {s.get('only_in_qc', 0)} only in "
        f"QC; {s.get('not_covered_rows', 0)} rows belong to analyses QC does not recompute. "
        f"Of {s.get('printed_numbers', 0)} numbers printed in the tables, "
        f"{s.get('printed_unmatched', 0)} are not a statistic of their chapter's results data. "
        f"Tolerances: p-values {tolerances.get('p_value', 'absolute 1e-4')}, other statistics "
        f"{tolerances.get('other', 'relative 1e-6')}.",
        "",
        "| Output | Chapter | Compared | Matched | Only in one side | Largest difference (relative) "
        "| Largest difference of p-values (absolute) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    from .book_plan import _chapter_title

    titles: dict[str, str] = {}
    for out in by_output(report):
        notebook = out["notebook"]
        if notebook not in titles:  # the chapter as the book names it (its notebook's title)
            titles[notebook] = _chapter_title(Path(generation or run_dir / "current"), notebook) \
                if notebook else ""
        lines.append(f"| {_cell(out['output'])} | {_cell(titles[notebook] or notebook)} | {out['compared']} "
                     f"| {out['matched']} | {out['only']} | {_difference(out['relative'])} "
                     f"| {_difference(out['absolute'])} |")
    program = report.get("qc_program") or {}
    lines += ["", *_software(record, report), "",
              f"QC program checksum (SHA-256 of its files' checksums): "
              f"`{program.get('sha256', 'not reported')}`. "
              f"Full report: the QC report (HTML) in the run directory.", ""]
    return "\n".join(lines)
