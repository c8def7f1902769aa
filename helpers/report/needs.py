"""What a section or chapter lacks, in a reader's words (the reasons the book gives where it
leaves something out: the preface's list, the chapters' notes). A reader is told what the
study configuration would need to name ("no date of the protocol procedure"), never its key
("study.book.procedure.date")."""

from __future__ import annotations

__all__ = ["CONFIG_WORDS", "need_words", "needs_in_words"]

#: A study configuration key (as ``NotebookSession.missing`` takes it) -> what the configuration
#: would name, as the reason reads: "the study configuration names no <words>".
CONFIG_WORDS = {
    "study.reference": "published figures of the trial",
    "study.book.trials": "table of the randomised trials of the same question",
    "study.book.procedure": "protocol procedure of an arm",
    "study.book.procedure.reason": "variable giving why the protocol procedure was not done",
    "study.book.procedure.date": "date of the protocol procedure",
    "study.populations.safety": "safety population",
    "study.populations.per_protocol": "per-protocol population",
    "study.populations.full_analysis": "full analysis population",
    "study.outputs.disposition.treated": "variable flagging the patients treated as allocated",
    "study.outputs.disposition.crossover": "crossover to the other arm's treatment",
    "study.outputs.disposition.discontinued": "variable giving why a patient discontinued",
    "study.outputs.deaths.cause": "variable giving the cause of death",
    "study.outputs.safety.related": "variables relating adverse events to the treatment",
    "study.outputs.safety.discontinuation_variable":
        "variable flagging the adverse events that led to discontinuation",
    "study.competing_risks": "endpoint with competing events",
    "study.covariates": "covariates of an adjusted model",
    "study.subgroups": "subgroup factors",
    "study.secondary": "secondary endpoint",
    "study.proportions": "binary outcomes",
}


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
    endpoint in ADTTE"; a configuration key as what the configuration would name
    (``CONFIG_WORDS``: "study.populations.safety" -> "safety population",
    "study.book.procedure.date" -> "date of the protocol procedure"); a key not listed there
    by its words, without dots or underscores ("study.outputs.deaths.within" -> "within
    setting of the deaths output")."""
    if need in CONFIG_WORDS:
        return CONFIG_WORDS[need]
    if need.startswith("study.outputs."):  # study.outputs.disposition.treated
        *_, group, key = need.split(".")
        return f"{key.replace('_', ' ')} setting of the {group.replace('_', ' ')} output"
    if need.startswith("study.populations."):
        return f"{need.rsplit('.', 1)[-1].replace('_', ' ')} population"
    if need.startswith("study."):
        parts = [part for part in need.split(".")[1:] if part != "book"]
        return " ".join(parts).replace("_", " ") + " setting"
    if " " in need:  # already words ("a compared secondary endpoint in ADTTE")
        return need
    table, _, column = need.partition(".")
    if column.startswith("PARAMCD="):
        return f"the {column.split('=', 1)[1]} endpoint in {table}"
    return f"variable {column} of {table}" if column else f"the {table} dataset"
