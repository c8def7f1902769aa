"""The baseline chapter's (02) paragraph from its ARD rows (``baseline``, ``baseline.{VAR}``;
``helpers.analyses.baseline.baseline_ard``)."""

from __future__ import annotations

from collections.abc import Sequence

from helpers.analyses.baseline import TOTAL
from helpers.ard import ArdView
from helpers.core.textsafe import md_text
from helpers.report.names import arm_name
from helpers.report.stats import shown

__all__ = ["baseline_results"]

#: The characteristics the paragraph names when the data have them: (analysis_id, stat_name,
#: variable_level, wording after the per-arm values, unit).
HIGHLIGHTS = (
    ("baseline.AGE", "median", "", "median age was {} years"),
    ("baseline.MENOPAUS", "p", "Premenopausal", "{} of patients were premenopausal"),
    ("baseline.METGR", "p", "Single organ", "{} had metastases in a single organ"),
)


def baseline_results(view: ArdView, population_label: str, absent: Sequence[str] = ()) -> str:
    """Patients per arm, then (when the ARD has them) the median age, % premenopausal and %
    with a single metastatic organ per arm; the variables of the study configuration that the
    data lack (``absent``)."""
    rows = view.rows("baseline", stat_name="n")
    arms = [c for c in rows["group1_level"] if c != TOTAL]
    both = " and ".join
    text = (f"The {population_label} comprised {shown(view, 'baseline', 'n', group1_level=TOTAL)} "
            "patients: " + ", ".join(
                f"{shown(view, 'baseline', 'n', group1_level=c)} in {md_text(arm_name(c, view.arm_names))}"
                for c in arms) + ". ")
    facts = []
    for aid, stat, level, wording in HIGHLIGHTS:
        if not view.has(aid, stat_name=stat, variable_level=level):
            continue
        pct = "%" if stat == "p" else ""
        facts.append(wording.format(both(
            shown(view, aid, stat, group1_level=c, variable_level=level) + pct for c in arms)))
    if facts:
        text += (f"In {both(md_text(arm_name(c, view.arm_names)) for c in arms)} respectively, "
                 + ", ".join(facts[:-1])
                 + (" and " if len(facts) > 1 else "") + facts[-1] + ". ")
    text += "All characteristics are in @tbl-baseline."
    if absent:
        text += f" Not in the data (left out of the table): {', '.join(absent)}."
    return text
