"""What a section or chapter lacks, in a reader's words (the reasons the book gives where it
leaves something out: the preface's list, the chapters' notes)."""

from __future__ import annotations

__all__ = ["need_words", "needs_in_words"]


def needs_in_words(needs) -> str:
    """What a section or chapter lacks, as a reader reads it, the configuration's part first:
    "the study configuration names no safety population; the data lack the ADAE dataset"
    (``need_words``)."""
    config = [need_words(n) for n in needs if n.startswith("study.")]
    data = [need_words(n) for n in needs if not n.startswith("study.")]
    parts = (["the study configuration names no " + " and no ".join(config)] if config else []) + \
        (["the data lack " + " and ".join(data)] if data else [])
    return "; ".join(parts)


def need_words(need: str) -> str:
    """A need of ``NotebookSession.section`` as a reader reads it: "ADAE" -> "the ADAE
    dataset", "ADSL.SURGFL" -> "variable SURGFL of ADSL", "ADTTE.PARAMCD=LRFS" -> "the LRFS
    endpoint in ADTTE"; a configuration key as what the configuration would name:
    "study.populations.safety" -> "safety population", "study.outputs.disposition.treated" ->
    "treated setting of the disposition output", "study.book.procedure.date" -> "procedure
    date setting"."""
    if need.startswith("study.outputs."):  # study.outputs.disposition.treated
        *_, group, key = need.split(".")
        return f"{key.replace('_', ' ')} setting of the {group} output"
    if need.startswith("study.populations."):
        return f"{need.rsplit('.', 1)[-1].replace('_', ' ')} population"
    if need.startswith("study."):
        parts = [part for part in need.split(".")[1:] if part != "book"]
        return " ".join(parts).replace("_", " ") + " setting"
    table, _, column = need.partition(".")
    if column.startswith("PARAMCD="):
        return f"the {column.split('=', 1)[1]} endpoint in {table}"
    return f"variable {column} of {table}" if column else f"the {table} dataset"
