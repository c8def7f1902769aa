"""The proportion endpoints of the secondary analyses (ADSL Y/N flags) by arm with Fisher's
exact test. The secondary endpoints' table and Kaplan-Meier panels are
``helpers.report.tables.secondary`` and ``helpers.report.plots.km_panels``.

Arm codes "A" control, "B" experimental (``helpers.analyses.endpoint``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.analyses.endpoint import CONTROL, EXPERIMENTAL

__all__ = ["LOCAL_CONTROL_FLAGS", "proportion_ard", "proportion_by_arm"]

#: ADSL flags of the local-control proportion endpoints (column -> display name).
LOCAL_CONTROL_FLAGS = {"LOCULCFL": "Local ulcer", "LOCBLDFL": "Local bleeding"}


def proportion_by_arm(frame: pd.DataFrame, flags: Mapping[str, str],
                      arm: str = "ARMCD") -> list[dict]:
    """Per flag (ADSL column -> display name): patients with "Y" among those with a non-missing
    flag, per arm, and Fisher's exact test (two-sided) of the 2 x 2 table arm x flag.

    Returns one dict per flag: column, name, n_<arm> (patients with the flag = "Y"),
    N_<arm> (patients assessed), pct_<arm>, difference (experimental - control, percentage
    points), odds_ratio (sample odds ratio experimental vs control) and p_fisher.
    """
    from scipy.stats import fisher_exact

    out = []
    for column, name in flags.items():
        d = frame[[arm, column]].dropna()
        counts = {code: (int((d.loc[d[arm] == code, column] == "Y").sum()),
                         int((d[arm] == code).sum())) for code in (CONTROL, EXPERIMENTAL)}
        (yc, nc), (ye, ne) = counts[CONTROL], counts[EXPERIMENTAL]
        odds, p = fisher_exact([[ye, ne - ye], [yc, nc - yc]], alternative="two-sided")
        row = {"column": column, "name": name, "p_fisher": float(p), "odds_ratio": float(odds),
               "test": "Fisher exact, two-sided"}
        for code, (y, n) in counts.items():
            row[f"n_{code}"], row[f"N_{code}"] = y, n
            row[f"pct_{code}"] = 100 * y / n if n else float("nan")
        row["difference"] = row[f"pct_{EXPERIMENTAL}"] - row[f"pct_{CONTROL}"]
        out.append(row)
    return out


def proportion_ard(b, rows: list[dict], *, arm: str = "ARMCD", output_id: str = "") -> None:
    """``proportion.{VAR}`` rows of ``proportion_by_arm`` results (``b`` an ``ArdBuilder``):
    per arm (``variable`` the flag, level ``Y``) ``n``, ``N`` (assessed) and ``p`` (0-1); for
    ``B vs A`` (level empty) the two-sided Fisher ``p.value``."""
    for r in rows:
        a = b.analysis(f"proportion.{r['column']}", "fisher", "fisher", output_id=output_id,
                       group1=arm, variable=r["column"])
        for code in (CONTROL, EXPERIMENTAL):
            n, total = r[f"n_{code}"], r[f"N_{code}"]
            g = a.scoped(group1_level=code, variable_level="Y")
            g.add("n", n, "n")
            g.add("N", total, "N")
            g.add("p", n / total if total else float("nan"), "%",
                  warning="" if total else "no patient assessed")
        a.add("p.value", r["p_fisher"], "p-value (Fisher exact, two-sided)",
              group1_level=f"{EXPERIMENTAL} vs {CONTROL}")
