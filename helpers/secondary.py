"""Secondary endpoints beside the primary: a compact table of several time-to-event endpoints,
Kaplan-Meier panels side by side, and the proportion endpoints (ADSL Y/N flags) by arm with
Fisher's exact test.

Times in months. The endpoint analyses are ``helpers.endpoint.EndpointAnalysis`` objects
(arm codes "A" control, "B" experimental); this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.endpoint import CONTROL, EXPERIMENTAL, EndpointAnalysis
from helpers.tables.formatting import format_hr, format_median, format_p

__all__ = ["LOCAL_CONTROL_FLAGS", "km_panels", "proportion_by_arm", "proportion_table",
           "secondary_table"]

#: ADSL flags of the local-control proportion endpoints (column -> display name).
LOCAL_CONTROL_FLAGS = {"LOCULCFL": "Local ulcer", "LOCBLDFL": "Local bleeding"}


def secondary_table(analyses: Mapping[str, EndpointAnalysis],
                    no_comparison: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per endpoint (display name -> analysis): events and median (CI) per arm, the
    hazard ratio (CI) and the log-rank p as each analysis states them.

    ``no_comparison``: display name -> reason the arms are not compared (HR and p shown as
    "–", the reason in ``attrs["footnotes"]``).
    """
    no_comparison = dict(no_comparison or {})
    rows, notes = [], []
    for name, an in analyses.items():
        med = an.medians.set_index("group")
        level = f"{an.km_conf_level:.0%}"
        row = {"Endpoint": name}
        for code in (CONTROL, EXPERIMENTAL):
            m = med.loc[code]
            row[f"Arm {code} events/N"] = f"{int(m['events'])}/{int(m['n'])}"
            row[f"Arm {code} median, months ({level} CI)"] = format_median(
                m["median"], m["median_lower"], m["median_upper"])
        hr = an.hazard_ratio
        if name in no_comparison:
            marker = "abcdefgh"[len(notes)]
            row["Endpoint"] = f"{name} {marker}"
            notes.append(f"{marker} {no_comparison[name]}")
            row["HR (CI)"], row["p"] = "–", "–"
        else:
            row["HR (CI)"] = format_hr(hr.hr, hr.lower, hr.upper, hr.conf_level)
            row["p"] = f"{format_p(an.p_logrank)} ({an.sided} log-rank)"
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["footnotes"] = notes
    return table


def km_panels(analyses: Mapping[str, EndpointAnalysis], *, titles: Mapping[str, str] | None = None,
              panel_width: float = 5.0, height: float = 4.6, xmax: float | None = None,
              risk_step: float = 24.0):
    """Kaplan-Meier plots (``helpers.plots.km_plot``) of several endpoints side by side, each
    with its numbers at risk (every ``risk_step`` months) and the medians (CI) per arm.
    ``analyses``: short name (the y-axis label, e.g. "MPFS") -> analysis; ``titles``: short
    name -> panel title. ``xmax`` (months) defaults to the longest follow-up. Returns the
    Figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    from helpers.plots import km_plot
    from helpers.plots._style import PRINT_STYLE

    titles = dict(titles or {})
    names = list(analyses)
    if xmax is None:
        xmax = max(float(c["time"].max()) for an in analyses.values() for c in an.curves().values())
    risk_times = list(np.arange(0.0, xmax + 1e-9, risk_step))
    with plt.rc_context(PRINT_STYLE):
        fig, axes = plt.subplots(1, len(names), figsize=(panel_width * len(names), height),
                                 squeeze=False)
        fig.subplots_adjust(left=0.17, right=0.98, top=0.86, bottom=0.08, wspace=0.62)
    for ax, name in zip(axes[0], names):
        an = analyses[name]
        km_plot(an.curves(), labels=an.curve_labels(), ax=ax, ylabel=name, title=titles.get(name), xmax=xmax,
                risk_times=risk_times, annotation=_median_annotation(an),
                annotation_loc="upper right")
        ax.get_legend().remove()  # one legend for all panels, above them (long arm names)
    with plt.rc_context(PRINT_STYLE):
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False,
                   bbox_to_anchor=(0.5, 1.0), handlelength=1.8)
    return fig


def _median_annotation(an: EndpointAnalysis) -> str:
    lines = [f"Median, months ({an.km_conf_level:.0%} CI)"]
    for row in an.medians.itertuples():
        lines.append(f"  {an.arm_labels.get(row.group, row.group)}: "
                     f"{format_median(row.median, row.median_lower, row.median_upper)}")
    return "\n".join(lines)


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


def proportion_table(rows: list[dict], arm_labels: Mapping[str, str]) -> pd.DataFrame:
    """Display table of ``proportion_by_arm`` rows: n (%) per arm, difference, Fisher p."""
    records = []
    for r in rows:
        rec = {"Endpoint": r["name"]}
        for code in (CONTROL, EXPERIMENTAL):
            n, total = r[f"n_{code}"], r[f"N_{code}"]
            rec[f"Arm {code}: {arm_labels.get(code, code)}, n/N (%)"] = (
                f"{n}/{total} ({100 * n / total:.1f}%)" if total else "–")
        rec["Difference, % points"] = f"{r['difference']:+.1f}"
        rec["p (Fisher exact, two-sided)"] = format_p(r["p_fisher"])
        records.append(rec)
    return pd.DataFrame(records)
