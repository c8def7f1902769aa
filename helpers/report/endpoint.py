"""What the endpoint chapters show of an endpoint's ARD rows (``{P}.km``, ``{P}.cox.primary``,
``{P}.logrank``, ``{P}.followup``; ``helpers.analyses.endpoint.endpoint_ard``): the summary table
per arm, the hazard-ratio table, the secondary endpoints' table and the Kaplan-Meier plot's
annotation. Numbers are the rows' ``stat_fmt`` (``helpers.report.stats``); times in the
settings' ``time_unit``; CI levels as the rows state them. The sentences are
``helpers.report.text.endpoint``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from helpers.analyses.endpoint import ARM, CONTROL, EXPERIMENTAL, EndpointSettings
from helpers.ard import ArdView
from helpers.report.names import arm_header, in_sentence, strata_words
from helpers.report.stats import conf_text, est_ci, hr_ci, p_text, shown

__all__ = ["COX_ID", "arm_codes", "cox_table", "km_annotation", "median_annotation",
           "secondary_table", "summary_table"]

#: The analysis_id suffix of an endpoint's primary (stratified) Cox model.
COX_ID = "cox.primary"


def arm_codes(view: ArdView, paramcd: str) -> list[str]:
    """The arms of ``{P}.km`` in ARD order ("A", "B")."""
    rows = view.rows(f"{paramcd}.km", stat_name="n", variable="")
    return list(dict.fromkeys(rows["group1_level"]))


def _median(view: ArdView, paramcd: str, code: str) -> str:
    return est_ci(view, f"{paramcd}.km", group1_level=code, variable="prob", variable_level=0.5)


def _landmarks(view: ArdView, paramcd: str, code: str) -> list[str]:
    rows = view.rows(f"{paramcd}.km", group1_level=code, variable="time", stat_name="estimate")
    return list(rows["variable_level"])


def summary_table(view: ArdView, paramcd: str, *, arm_labels: Mapping[str, str],
                  time_unit: str) -> pd.DataFrame:
    """One row per arm: N, events, median (CI) and landmark rates, % (CI) of ``{P}.km``."""
    km = f"{paramcd}.km"
    out = []
    for code in arm_codes(view, paramcd):
        level = conf_text(view, km, group1_level=code, variable="prob", variable_level=0.5)
        row = {"Arm": arm_labels.get(code, code),
               "N": shown(view, km, "n", group1_level=code, variable=""),
               "Events": shown(view, km, "n.event", group1_level=code, variable=""),
               f"Median, {time_unit} ({level} CI)": _median(view, paramcd, code)}
        for t in _landmarks(view, paramcd, code):
            where = {"group1_level": code, "variable": "time", "variable_level": t}
            row[f"{t}-{time_unit.rstrip('s')} rate, % ({conf_text(view, km, **where)} CI)"] = \
                est_ci(view, km, **where)
        out.append(row)
    return pd.DataFrame(out)


def _comparison(paramcd: str) -> dict:
    return {"group1": ARM, "group1_level": f"{EXPERIMENTAL} vs {CONTROL}"}


def cox_table(view: ArdView, paramcd: str, *, label: str,
              settings: EndpointSettings) -> pd.DataFrame:
    """The arm's hazard ratio (``{P}.cox.primary``) with its CI and the reported log-rank p
    (``settings.sided``); the strata in a footnote."""
    cox, where = f"{paramcd}.{COX_ID}", _comparison(paramcd)
    strata = strata_words(settings.strata, view.variable_labels)
    table = pd.DataFrame([{
        "Analysis": f"{label} a" if strata else label,
        "HR": shown(view, cox, "estimate", **where),
        "CI": f"{conf_text(view, cox, **where)} CI {shown(view, cox, 'conf.low', **where)}–"
              f"{shown(view, cox, 'conf.high', **where)}",
        "p": f"{shown(view, f'{paramcd}.logrank', settings.p_stat, **where)} "
             f"({settings.sided} log-rank)",
    }])
    table.attrs["footnotes"] = [f"a Stratified by {strata}."] if strata else []
    return table


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def secondary_table(view: ArdView, endpoints: Sequence, *, settings: EndpointSettings,
                    time_unit: str) -> pd.DataFrame:
    """One row per endpoint (objects with ``paramcd``, ``label``, ``compare``, ``note``, as the
    study configuration's): events/N and median (CI) per arm, hazard ratio (CI) and log-rank p.
    An endpoint whose arms are not compared shows "–" with its note as a footnote."""
    rows, notes = [], []
    for e in endpoints:
        row = {"Endpoint": e.label}
        for code in (CONTROL, EXPERIMENTAL):
            km = f"{e.paramcd}.km"
            level = conf_text(view, km, group1_level=code, variable="prob", variable_level=0.5)
            head = arm_header(code, view.arm_names)
            row[f"{head} events/N"] = (f"{shown(view, km, 'n.event', group1_level=code, variable='')}/"
                                           f"{shown(view, km, 'n', group1_level=code, variable='')}")
            row[f"{head} median, {time_unit} ({level} CI)"] = _median(view, e.paramcd, code)
        if not e.compare:
            marker = "abcdefgh"[len(notes)]
            row["Endpoint"] = f"{e.label} {marker}"
            notes.append(f"{marker} {e.note or 'Not compared.'}")
            row["HR (CI)"], row["p"] = "–", "–"
        else:
            where = _comparison(e.paramcd)
            row["HR (CI)"] = hr_ci(view, f"{e.paramcd}.{COX_ID}", **where)
            row["p"] = (f"{shown(view, f'{e.paramcd}.logrank', settings.p_stat, **where)} "
                        f"({settings.sided} log-rank)")
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["footnotes"] = notes
    heads = [arm_header(code, view.arm_names) for code in (CONTROL, EXPERIMENTAL)]
    table.attrs["spanners"] = {  # printed: "Arm A" ("Control arm") over its events/N and median
        head: {c: _first_upper(c.removeprefix(f"{head} ")) for c in table.columns
               if c.startswith(f"{head} ")} for head in heads}
    return table


def km_annotation(view: ArdView, paramcd: str, *, arm_labels: Mapping[str, str],
                  settings: EndpointSettings) -> str:
    """The Kaplan-Meier plot's annotation: median (CI) per arm, the HR (CI) of which arm versus
    which, stratified by what (or unstratified), and the reported log-rank p."""
    codes = arm_codes(view, paramcd)
    level = conf_text(view, f"{paramcd}.km", group1_level=codes[0], variable="prob",
                      variable_level=0.5)
    lines = [f"Median, {settings.time_unit} ({level} CI)"]
    lines += [f"  {arm_labels.get(code, code)}: {_median(view, paramcd, code)}" for code in codes]
    where = _comparison(paramcd)
    lines.append(f"HR {hr_ci(view, f'{paramcd}.{COX_ID}', **where)},")
    lines.append(f"  {in_sentence(arm_labels.get(EXPERIMENTAL, EXPERIMENTAL))}")
    lines.append(f"  vs {in_sentence(arm_labels.get(CONTROL, CONTROL))},")
    lines.append(f"  stratified by {strata_words(settings.strata, view.variable_labels)}" if settings.strata
                 else "  unstratified")
    lines.append(f"{settings.sided} log-rank p "
                 f"{p_text(view, f'{paramcd}.logrank', settings.p_stat, **where)}")
    return "\n".join(lines)


def median_annotation(view: ArdView, paramcd: str, *, arm_labels: Mapping[str, str],
                      time_unit: str) -> str:
    """A Kaplan-Meier panel's annotation: the median (CI) per arm of ``{P}.km``."""
    codes = arm_codes(view, paramcd)
    level = conf_text(view, f"{paramcd}.km", group1_level=codes[0], variable="prob",
                      variable_level=0.5)
    return "\n".join([f"Median, {time_unit} ({level} CI)"] + [
        f"  {arm_labels.get(code, code)}: {_median(view, paramcd, code)}" for code in codes])
