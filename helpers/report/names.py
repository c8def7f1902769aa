"""How sentences, headers and boxes name arms and labels (one rule for the whole book).

An arm's *name* (``StudyConfig.arm_names``: "arm A", or "the control arm" by default) is
what a sentence says; its *label* (``arm_labels``: "Systemic therapy alone", "B: Placebo") is
the study's own words for the treatment, never re-cased except an ordinary capitalised first
word inside a sentence ("Systemic therapy alone" -> "systemic therapy alone"; "B: Placebo",
"HER2-positive" and "ECOG 0" stay as written).
"""

from __future__ import annotations

import re

__all__ = ["CODE_NAMES", "arm_header", "arm_name", "bare", "capital", "in_sentence", "strata_words"]

#: The arms' names when a caller gives none: the supplement's codes (A control, B experimental).
CODE_NAMES = {"A": "arm A", "B": "arm B"}

#: A first word that is an ordinary capitalised word: one capital, then lower-case letters,
#: hyphenated words too ("Per-protocol set"; not "HER2-positive").
_ORDINARY = re.compile(r"[A-Z][a-z]+(?:-[a-z]+)*(?=[\s,;)]|$)")


def in_sentence(label: str) -> str:
    """``label`` as it reads inside a sentence: its first letter lower-cased only when its
    first word is an ordinary capitalised word."""
    return label[:1].lower() + label[1:] if _ORDINARY.match(label) else label


def capital(text: str) -> str:
    """``text`` with its first letter capitalised (a name at the start of a sentence)."""
    return text[:1].upper() + text[1:]


def bare(name: str) -> str:
    """An arm's name without its article, for boxes and headers: "the control arm" ->
    "control arm"; "arm A" as it is."""
    return name[4:] if name.lower().startswith("the ") else name


def arm_name(code: str, arm_names=None) -> str:
    """How a sentence names arm ``code`` ("A" control, "B" experimental): ``arm_names``' name
    ("arm A", "the control arm"), else "arm <code>"."""
    return (arm_names or CODE_NAMES).get(code, f"arm {code}")


def arm_header(code: str, arm_names=None) -> str:
    """Arm ``code`` in a table header or box: "Arm A", "Control arm"; "Total" as it is."""
    return code if code == "Total" else capital(bare(arm_name(code, arm_names)))


def strata_words(strata, labels=None) -> str:
    """Stratification factors as a sentence names them: their labels (``labels``: the study's,
    ``ArdView.variable_labels``) in sentence case, never the ADSL names: ["ER", "HER2",
    "METGR"] -> "oestrogen receptor, HER2, metastatic organs"; a factor without a label by
    its name. Plain text (escape it for Markdown)."""
    return ", ".join(in_sentence((labels or {}).get(s, s)) for s in strata)
