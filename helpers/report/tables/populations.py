"""Tables of the analysis populations (CONSORT flow, analysis sets, arm B resections) from the
counts of ``helpers.analyses.populations.consort_counts``; n (% of the stated denominator)."""

from __future__ import annotations

import pandas as pd

from helpers.analyses.populations import analysis_set_counts, analysis_sets, surgery_counts
from helpers.report.format import format_n_pct


def consort_table(counts: dict) -> pd.DataFrame:
    """Patient flow: registered, not randomised by reason, randomised by arm (and, when
    counted, patients of the full analysis set with a missing stratification factor); n and %
    of registered."""
    registered = counts["registered"]
    rows = [("Registered", registered, ""),
            ("Not randomised", counts["not_randomised"],
             format_n_pct(counts["not_randomised"], registered))]
    rows += [(f"    {reason}", n, format_n_pct(n, registered))
             for reason, n in counts["not_randomised_reasons"].items()]
    rows.append(("Randomised", counts["randomised"], format_n_pct(counts["randomised"], registered)))
    rows += [(f"    Arm {code}: {arm['label']}", arm["randomised"],
              format_n_pct(arm["randomised"], registered)) for code, arm in counts["arms"].items()]
    rows += [(f"    Other arm {value} (not compared, excluded)", n, format_n_pct(n, registered))
             for value, n in counts.get("other_arms", {}).items()]
    missing = counts.get("missing_strata")
    if missing:
        rows += [(f"    Arm {code}: missing {', '.join(missing['columns'])} (left out of the "
                  f"stratified analyses)", n, format_n_pct(n, registered))
                 for code, n in missing["arms"].items()]
    return pd.DataFrame(rows, columns=["Stage", "n", "n (% of registered)"]).set_index("Stage")


def analysis_sets_table(counts: dict, flags: dict | None = None) -> pd.DataFrame:
    """Analysis sets by arm and in total: n (% of randomised in the compared arms)."""
    sets = analysis_set_counts(counts, flags)
    randomised = sum(arm["randomised"] for arm in counts["arms"].values())
    columns = {f"Arm {code} (randomised N={arm['randomised']})":
               [format_n_pct(sets[flag][code], arm["randomised"]) for flag in sets]
               for code, arm in counts["arms"].items()}
    columns[f"Total (randomised N={randomised})"] = [
        format_n_pct(sets[flag]["total"], randomised) for flag in sets]
    labels = analysis_sets(flags)
    index = pd.Index([f"{labels[flag][0]} ({flag})" for flag in sets], name="Analysis set")
    return pd.DataFrame(columns, index=index)


def arm_b_surgery_table(counts: dict) -> pd.DataFrame:
    """Arm B: resection performed (n, % of randomised), completeness (% of resected), not
    performed."""
    surgery = surgery_counts(counts)
    rows = [("Resection performed", format_n_pct(surgery["performed"], surgery["randomised"]))]
    rows += [(f"    {level}, n (% of resected)", format_n_pct(n, surgery["performed"]))
             for level, n in surgery["resection"].items()]
    rows.append(("Resection not performed",
                 format_n_pct(surgery["not_performed"], surgery["randomised"])))
    return pd.DataFrame(rows, columns=["", f"Arm B (N={surgery['randomised']})"]).set_index("")
