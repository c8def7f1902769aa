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
record's Python packages, the report's R and packages); the QC program's SHA-256. Its two
tables are publication tables like the chapters' (``helpers.report.publication_table``:
Table S<k> numbered on through the book, a caption, notes and source under the table), as
labelled cells for the pandoc book and Quarto's table divs for Quarto; an output is named by
its table or figure ID ("Table S6": ``@tbl-os-cox`` resolved by ``quarto_syntax.lua``).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd

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


def _difference(value) -> str:
    """A difference as a journal prints it: "3.0×10⁻³", "0", "–" (none compared)."""
    return _difference_text(value)


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


def _software(record: dict, report: dict) -> pd.DataFrame:
    python = record.get("packages") or {}
    python_text = ", ".join(f"{name} {version}" for name, version in sorted(python.items()))
    software = report.get("software") or {}
    r_packages = software.get("packages") or {}
    r_text = ", ".join([software.get("R", "R (version not reported)")] +
                       [f"{name} {version}" for name, version in sorted(r_packages.items())
                        if version])
    return pd.DataFrame({"Side": ["Analysis (Python, run record)", "QC (R, QC report)"],
                         "Software": [python_text or "not recorded", r_text]})


def _cell_labels(generation: Path, notebook: str) -> list[str] | None:
    """The labels of the executed notebook's cells in their order (None without it)."""
    from .common import cell_source, read_notebook

    path = generation / "notebooks" / f"{notebook}.ipynb"
    if not notebook or not path.is_file():
        return None
    return [m.group(1) for cell in read_notebook(path).get("cells", [])
            if cell.get("cell_type") == "code"
            for m in [re.search(r"^#\|\s*label:\s*(\S+)", cell_source(cell), re.M)] if m]


def _output_name(output: str, labels: list[str] | None) -> str:
    """An output as readers know it: its table or figure ID (a cross-reference the book's
    renderer resolves: "Table S6"), the chapter's text, QC's rows the run lacks, or the
    statistics of an output the chapter does not show under that label."""
    if output.startswith(("tbl-", "fig-")):
        if labels is not None and output not in labels:
            return "Other statistics of the chapter"
        return f"@{output}"
    return {"prose": "Text of the chapter",
            "rows the run lacks": "Statistics only QC computed"}.get(output, output)


def _outputs_table(report: dict, titles, labels) -> pd.DataFrame:
    """Per chapter (in the book's order) its outputs in the chapter's order, then its text."""
    outputs = by_output(report)

    def place(out: dict) -> tuple:
        order = labels(out["notebook"]) or []
        return (out["notebook"], order.index(out["output"]) if out["output"] in order
                else len(order), out["output"])

    rows = [{"Chapter and output": titles(out["notebook"]),
             "Output": _output_name(out["output"], labels(out["notebook"])),
             "Compared": str(out["compared"]), "Matched": str(out["matched"]),
             "Only in one side": str(out["only"]),
             "Largest relative difference": _difference(out["relative"]),
             "Largest absolute difference of p-values": _difference(out["absolute"])}
            for out in sorted(outputs, key=place)]
    df = pd.DataFrame(rows, columns=["Chapter and output", "Output", "Compared", "Matched",
                                     "Only in one side", "Largest relative difference",
                                     "Largest absolute difference of p-values"])
    df.attrs["groups"] = "Chapter and output"
    return df


def _table_markdown(df: pd.DataFrame, label: str, caption: str, notes: list[str],
                    quarto: bool) -> str:
    """``df`` as the book shows a table (the one builder), with its caption and ``notes``
    under it: a labelled cell for the pandoc book, a Quarto table div for Quarto."""
    from helpers.core.textsafe import md_text
    from helpers.report.publication_table import book_table, publication_table

    from .notebook_markdown import _fence

    table = book_table(publication_table(df, notes))
    html = f"{_fence(table.html)}{{=html}}\n{table.html}\n{_fence(table.html)}"
    under = "\\\n".join((f"^{md_text(mark)}^ " if mark else "") + md_text(text)
                          for mark, text in table.notes)
    if quarto:
        return f"::: {{#{label}}}\n{html}\n\n{md_text(caption)}\n:::\n\n{under}"
    options = f"#| label: {label}\n#| tbl-cap: {json.dumps(caption)}\n#| echo: false"
    return (f":::::: {{.cell}}\n```{{.python .cell-code}}\n{options}\n```\n\n"
            f"::::: {{.cell-output}}\n{html}\n:::::\n\n"
            f"::::: {{.cell-output}}\n{under}\n:::::\n::::::")


def _difference_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    superscript = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return f"{mantissa}×10{str(int(exponent)).translate(superscript)}"


def qc_appendix_markdown(run_dir: Path, params: str = "PARAMS.yaml",
                         generation: Path | None = None, quarto: bool = False) -> str:
    """The appendix chapter as Markdown (title, then the report's findings, or one sentence
    saying how to run QC when the run has no QC report of its own). The QC report is
    ``run_dir/qc/qc_report.json``; the run it must be of is the run record of ``generation``
    (the generation the book is rendered from; default the run directory's published one).
    ``params`` names the parameter file in that sentence. ``quarto``: the tables as Quarto's
    table divs (the Quarto render) instead of the pandoc book's labelled cells."""
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
    p_tolerance = tolerances.get("p_value", "absolute 1e-4")
    other_tolerance = tolerances.get("other", "relative 1e-6")
    from .book_plan import _chapter_title

    titles: dict[str, str] = {}

    def title(notebook: str) -> str:  # the chapter as the book names it (its notebook's title)
        if notebook not in titles:
            titles[notebook] = (_chapter_title(Path(generation or run_dir / "current"), notebook)
                                if notebook else "") or notebook or "Not in a chapter"
        return titles[notebook]

    source = "Source: this run's analysis results data and the QC program's report."
    cell_labels: dict[str, list[str] | None] = {}

    def labels(notebook: str) -> list[str] | None:
        if notebook not in cell_labels:
            cell_labels[notebook] = _cell_labels(Path(generation or run_dir / "current"), notebook)
        return cell_labels[notebook]

    outputs = _table_markdown(
        _outputs_table(report, title, labels), "tbl-qc-outputs",
        "Statistics of this run recomputed by the independent QC program, per chapter and "
        "output: compared, matched, only in one side, and the largest differences.",
        [f"Relative difference: |run − QC| / |QC|, tolerance {other_tolerance}; p-values by "
         f"their absolute difference, tolerance {p_tolerance}. Text of the chapter: "
         "statistics the chapter's text prints and no table shows. –: none compared.", source],
        quarto)
    software = _table_markdown(
        _software(record, report), "tbl-qc-software",
        "Software of the analysis (Python) and of the QC program (R), with versions.",
        ["Source: this run's run record and the QC program's report."], quarto)
    program = report.get("qc_program") or {}
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
        f"Tolerances: p-values {p_tolerance}, other statistics {other_tolerance}. "
        f"Per output in @tbl-qc-outputs; the software of both sides in @tbl-qc-software.",
        "", outputs, "", software, "",
        f"QC program checksum (SHA-256 of its files' checksums): "
        f"`{program.get('sha256', 'not reported')}`. "
        f"Full report: the QC report (HTML) in the run directory.", ""]
    return "\n".join(lines)
