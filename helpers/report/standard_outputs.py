"""Tables of chapter 12 (the pharmaverse TLG catalogue's standard outputs) from their ARD rows
(``helpers.analyses.disposition``, ``helpers.analyses.tte_summary``): DST01 disposition,
DTHT01 deaths, TTET01 time-to-event summary, COXT02 multivariable Cox. Every number is a row's
``stat_fmt``; "NE" prints a statistic that is not estimable; an empty cell has no row (e.g.
crossover in the experimental arm). Each table's footnotes name its catalogue ID."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.ard import ArdView
from helpers.report.names import arm_header, arm_name, bare

from .stats import NE, shown

__all__ = ["coxt02_table", "dst01_table", "dtht01_table", "ttet01_table"]

COLUMNS = ("A", "B", "Total")
INDENT = "\u2003"  # an em space: levels under their group


def _headers(view: ArdView, aid: str, **where) -> dict:
    out = {}
    for code in COLUMNS:
        rows = view.rows(aid, group1_level=code, stat_name="N", **where)
        if len(rows):
            name = arm_header(code, view.arm_names)
            out[code] = f"{name} (N={rows['stat_fmt'].iloc[0]})"
    return out


def _n_pct(view: ArdView, aid: str, **where) -> str:
    if not view.has(aid, stat_name="n", **where):
        return ""
    n = shown(view, aid, "n", **where)
    p = view.fmt(aid, "p", **where) if view.has(aid, stat_name="p", **where) else ""
    return n if n == "0" or not p else f"{n} ({p}%)"


def _count_rows(view: ArdView, aid: str, items: list, headers: dict) -> pd.DataFrame:
    """``items``: (label, where) -> one row of n (%) per column."""
    rows = [{"": label, **{h: _n_pct(view, aid, group1_level=c, **where)
                           for c, h in headers.items()}} for label, where in items]
    return pd.DataFrame(rows).set_index("")


def _levels(view: ArdView, aid: str, variable: str, **where) -> list[str]:
    rows = view.rows(aid, variable=variable, **where)
    return [v for v in dict.fromkeys(rows["variable_level"])]


def _censoring_items(view: ArdView, aid: str, label: str) -> list:
    items = [(f"{label}: patients with an event", {"variable": "event"})]
    for level in _levels(view, aid, "EVNTDESC"):
        items.append((f"{INDENT}{level}", {"variable": "EVNTDESC", "variable_level": level}))
    items.append((f"{label}: censored", {"variable": "censored"}))
    rows = view.rows(aid, variable="CNSR")
    pairs = list(dict.fromkeys(zip(rows["variable_level"], rows["group2_level"])))
    texts = [text for _, text in pairs]
    for code, text in pairs:
        # the reason as the data describe it (CNSDTDSC); the code only where the words are
        # missing or shared by several codes
        label = (text if text and texts.count(text) == 1 else
                 f"{text} (censoring code {code})" if text else f"Censoring code {code}")
        items.append((f"{INDENT}{label}",
                      {"variable": "CNSR", "variable_level": code, "group2_level": text}))
    return items


def dst01_table(view: ArdView, labels: Mapping[str, str], endpoint_label: str) -> pd.DataFrame:
    """Disposition: registered, randomised, treated, procedure done / not done (reasons),
    crossover, discontinued (reasons), the primary endpoint's events and censoring reasons.
    ``labels``: ARD variable -> row label (the configured flags and reason columns)."""
    aid = "dst01"
    headers = _headers(view, aid, variable="randomised")
    items = [("Randomised", {"variable": "randomised"})]
    order = [v for v in dict.fromkeys(view.rows(aid)["variable"])
             if v not in ("registered", "randomised")]
    for variable in order:
        label = labels.get(variable, variable)
        levels = _levels(view, aid, variable)
        if variable == "crossover":
            items.append((label, {"variable": variable, "variable_level": "Y"}))
        elif levels == ["Y"]:
            items.append((label, {"variable": variable, "variable_level": "Y"}))
        elif set(levels) <= {"Y", "N"}:
            items.append((f"{label}: done", {"variable": variable, "variable_level": "Y"}))
            items.append((f"{label}: not done", {"variable": variable, "variable_level": "N"}))
        else:
            if "" in levels:
                items.append((label, {"variable": variable, "variable_level": ""}))
            items += [(f"{INDENT}{lv}", {"variable": variable, "variable_level": lv})
                      for lv in levels if lv != ""]
    table = _count_rows(view, aid, items, headers)
    registered = pd.DataFrame([{"": "Registered", **{h: "" for h in headers.values()}}]
                              ).set_index("")
    registered.iloc[0, -1] = view.fmt(aid, "n", variable="registered")
    censoring = _count_rows(view, "dst01.censoring",
                            _censoring_items(view, "dst01.censoring", endpoint_label), headers)
    return pd.concat([registered, table, censoring])


def dtht01_table(view: ArdView, within_label: str) -> pd.DataFrame:
    """Deaths, by cause, and within the configured days of the procedure."""
    aid = "dtht01"
    headers = _headers(view, aid, variable="deaths")
    items = [("All deaths", {"variable": "deaths"})]
    items += [(f"{INDENT}{lv}", {"variable": "cause", "variable_level": lv})
              for lv in _levels(view, aid, "cause")]
    for lv in _levels(view, aid, "death_within_days"):
        items.append((within_label.format(days=lv),
                      {"variable": "death_within_days", "variable_level": lv}))
    return _count_rows(view, aid, items, headers)


def _vs(view: ArdView, between: str = " vs ") -> str:
    """The experimental arm against the control arm as the study names them, without
    articles: "arm B vs arm A", "experimental arm vs control arm" (never the codes "B vs A")."""
    return between.join(bare(arm_name(code, view.arm_names)) for code in ("B", "A"))


def _est_ci(view: ArdView, aid: str, **where) -> str:
    if not view.has(aid, stat_name="estimate", **where):
        return ""
    est, low, high = (shown(view, aid, s, **where) for s in ("estimate", "conf.low", "conf.high"))
    return f"{est} ({low}–{high})"


def ttet01_table(view: ArdView, endpoints: Mapping[str, str], conf_levels: list[float],
                 strata_text: str, unit: str) -> pd.DataFrame:
    """One block per endpoint (``endpoints``: PARAMCD -> label): events by first event type,
    censored by reason, time quantiles (CI) and range, hazard ratios (stratified and
    unstratified at each CI level) with log-rank p, landmark rates and their difference."""
    blocks = []
    for p, label in endpoints.items():
        ev = f"{p}.ttet01.events"
        headers = {c: h for c, h in _headers(view, ev, variable="event").items() if c != "Total"}
        block = _count_rows(view, ev, _censoring_items(view, ev, label), headers)
        q = f"{p}.ttet01.quantiles"
        level = float(view.row(q, "conf.low", group1_level="A", variable_level=0.5)["conf_level"])
        rows = []
        for prob, name in ((0.5, "Median"), (0.25, "First quartile"), (0.75, "Third quartile")):
            rows.append({"": f"{INDENT}{name} ({level:.0%} CI), {unit}",
                         **{h: _est_ci(view, q, group1_level=c, variable="prob",
                                       variable_level=prob) for c, h in headers.items()}})
        rows.append({"": f"{INDENT}Range, {unit}", **{
            h: f"{shown(view, q, 'min', group1_level=c, variable='time')}–"
               f"{shown(view, q, 'max', group1_level=c, variable='time')}"
            for c, h in headers.items()}})
        b_header = headers.get("B")
        for model, text in (("stratified", f"stratified by {strata_text}"),
                            ("unstratified", "unstratified")):
            lr = f"{p}.ttet01.logrank.{model}"
            if not view.has(lr):
                continue
            for cl in conf_levels:
                aid = f"{p}.ttet01.cox.{model}.{100 * cl:g}"
                rows.append({"": f"{INDENT}HR {_vs(view)} ({cl:.0%} CI), {text}",
                             b_header: _est_ci(view, aid)})
            rows.append({"": f"{INDENT}Log-rank p (two-sided), {text}",
                         b_header: shown(view, lr, "p.value")})
        lm = f"{p}.ttet01.landmarks"
        if view.has(lm):
            times = _levels(view, lm, "time", group1_level="A")
            lcl = float(view.row(lm, "conf.low", group1_level="B vs A",
                                 variable_level=times[0])["conf_level"])
            for t in times:
                rows.append({"": f"{INDENT}Rate at {t} {unit}, % ({lcl:.0%} CI)",
                             **{h: _est_ci(view, lm, group1_level=c, variable_level=t)
                                for c, h in headers.items()}})
                rows.append({"": f"{INDENT}{INDENT}Difference {_vs(view, ' − ')}, % ({lcl:.0%} CI); p",
                             b_header: f"{_est_ci(view, lm, group1_level='B vs A', variable_level=t)}"
                                       f"; {shown(view, lm, 'p.value', group1_level='B vs A', variable_level=t)}"})
        block = pd.concat([block, pd.DataFrame(rows).set_index("")]).fillna("")
        block.index = pd.MultiIndex.from_product([[label], block.index], names=["Endpoint", ""])
        blocks.append(block)
    return pd.concat(blocks) if blocks else pd.DataFrame()


def coxt02_table(view: ArdView, endpoints: Mapping[str, str],
                 labels: Mapping[str, str]) -> pd.DataFrame:
    """Per endpoint, every term of the multivariable model: HR (CI), p; n and events."""
    rows = []
    for p, label in endpoints.items():
        aid = f"{p}.coxt02"
        if not view.has(aid):
            continue
        level = float(view.row(aid, "conf.low", variable="ARMCD")["conf_level"])
        terms = view.rows(aid, stat_name="estimate")
        n, events = view.fmt(aid, "n", variable=""), view.fmt(aid, "n.event", variable="")
        for r in terms.itertuples():
            var = labels.get(r.variable, r.variable)
            if r.variable == "ARMCD":  # the arms by the study's names, not their codes
                term = f"{var}: {_vs(view)}"
            else:
                term = (f"{var}: {r.variable_level} vs {r.group2_level}" if r.variable_level else
                        f"{var} (per unit)")
            where = {"variable": r.variable, "variable_level": r.variable_level}
            rows.append({"Endpoint": f"{label} (n = {n}, {events} events)", "Term": term,
                         f"HR ({level:.0%} CI)": _est_ci(view, aid, **where),
                         "p (Wald)": shown(view, aid, "p.value", **where)})
    return pd.DataFrame(rows).set_index(["Endpoint", "Term"]) if rows else pd.DataFrame()


__all__ += ["NE"]

#: The row groups of DST01 and DTHT01 (``disposition_needs``, ``deaths_needs``) as a reader
#: reads them where the book says what it leaves out.
PART_WORDS = {"DST01": ("Disposition", {
                  "treated": "patients treated as allocated", "procedure": "the protocol procedure",
                  "procedure reasons": "why the protocol procedure was not done",
                  "crossover": "crossover", "discontinued": "discontinuation"}),
              "DTHT01": ("Deaths", {"deaths": "deaths", "cause": "causes of death",
                                    "within": "deaths soon after the protocol procedure"}),
              "TTET01": ("Time-to-event summary", {}), "COXT02": ("Adjusted Cox model", {})}


def part_title(key: str) -> str:
    """A part of a standard output left out, in words: "DST01 procedure reasons" ->
    "Disposition (DST01): why the protocol procedure was not done"; "TTET01 LRFS" ->
    "Time-to-event summary (TTET01): LRFS"; another key as it is."""
    output, _, part = key.partition(" ")
    if output not in PART_WORDS:
        return key
    name, parts = PART_WORDS[output]
    return f"{name} ({output})" + (f": {parts.get(part, part)}" if part else "")


__all__ += ["PART_WORDS", "part_title"]
