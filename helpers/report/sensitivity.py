"""What chapter 7 (sensitivity analyses) shows, built from its ARD rows (``ArdView``; ids of
``helpers.analyses.sensitivity.sensitivity_ard``): the hazard ratio table and sentence, the
proportional-hazards table and sentence, the RMST table, footnote and sentence. Every number
printed is a row's ``stat_fmt``; a statement about a number ("included 1", "p < 0.05") is
decided on the printed value, so the sentence agrees with what the reader sees."""

from __future__ import annotations

import pandas as pd

from helpers.core.textsafe import md_text
from helpers.analyses.sensitivity import ANALYSIS_IDS, SensitivitySettings
from helpers.ard import ArdView
from helpers.report.names import arm_name, bare, strata_words

from .stats import below, p_phrase, shown

__all__ = ["adjusted_model_text", "hazard_ratio_rows", "ph_table", "ph_text", "rmst_note",
           "rmst_table", "rmst_text", "sensitivity_table", "sensitivity_text"]


def hazard_ratio_rows(view: ArdView, s: SensitivitySettings) -> list[dict]:
    """The models chapter 7 has rows for, in table order: key, label, analysis id, the id of
    the row's p-value and that p's stat_name and label."""
    one_sided = s.sided == "one-sided"
    lr_stat = "p.value.one.sided" if one_sided else "p.value"
    p = s.endpoint
    models = [("primary", f"Stratified Cox, {s.ties.capitalize()} ties (primary)", "reference"),
              ("unstratified", "Unstratified Cox", "unstratified"),
              ("adjusted", "Covariate-adjusted Cox (unstratified)", None),
              (s.other_ties, f"Stratified Cox, {s.other_ties.capitalize()} ties", "reference"),
              ("per_protocol", "Per-protocol population", "per_protocol")]
    rows = []
    for key, label, logrank in models:
        aid = f"{p}.{ANALYSIS_IDS[key]}"
        if not view.has(aid):
            continue
        if logrank is None:
            p_id, p_stat, p_label = aid, "p.value.one.sided", "one-sided Wald"
        else:
            p_id, p_stat, p_label = f"{p}.logrank.{logrank}", lr_stat, f"{s.sided} log-rank"
        rows.append({"key": key, "label": label, "id": aid, "p_id": p_id, "p_stat": p_stat,
                     "p_label": p_label})
    return rows


def sensitivity_table(view: ArdView, s: SensitivitySettings) -> pd.DataFrame:
    """Analysis, patients (deaths), HR, CI (at the row's level), p with its test; stratified
    rows marked "a" with the footnote naming the strata."""
    records, marked = [], False
    for m in hazard_ratio_rows(view, s):
        cox = view.rows(m["id"])
        stratified = "_strat_" in cox["method_id"].iloc[0]
        marked |= stratified
        level = view.row(m["id"], "conf.low")["conf_level"]
        p = view.fmt(m["p_id"], m["p_stat"])
        records.append({
            "Analysis": m["label"] + (" a" if stratified else ""),
            "Patients (deaths)": f"{view.fmt(m['id'], 'n')} ({view.fmt(m['id'], 'n.event')})",
            "HR": shown(view, m["id"], "estimate"),
            "CI": f"{level:.0%} CI {shown(view, m['id'], 'conf.low')}–"
                  f"{shown(view, m['id'], 'conf.high')}",
            "p": f"{p} ({m['p_label']})" if p else "NE"})
    table = pd.DataFrame(records, columns=["Analysis", "Patients (deaths)", "HR", "CI", "p"])
    table.attrs["footnotes"] = ([f"a Stratified by {strata_words(s.strata, view.variable_labels)}."]
                                if marked else [])
    return table


def sensitivity_text(view: ArdView, s: SensitivitySettings) -> str:
    """The range of the hazard ratios (lowest and highest as printed) against the primary,
    and in how many analyses the printed CI includes 1."""
    rows = [m for m in hazard_ratio_rows(view, s) if view.fmt(m["id"], "estimate")]
    if not rows:
        return "No hazard ratio of the sensitivity analyses was estimable."
    hr = {m["key"]: view.stat(m["id"], "estimate") for m in rows}
    lo = min(rows, key=lambda m: hr[m["key"]])
    hi = max(rows, key=lambda m: hr[m["key"]])
    crosses = [m for m in rows if not below(view.fmt(m["id"], "conf.high"), 1)
               and not below(1, view.fmt(m["id"], "conf.low"))]
    ref = f"{s.endpoint}.{ANALYSIS_IDS['primary']}"
    return (f"The hazard ratio ranged from {view.fmt(lo['id'], 'estimate')} ({lo['label']}) "
            f"to {view.fmt(hi['id'], 'estimate')} ({hi['label']}), against "
            f"{shown(view, ref, 'estimate')} in the primary analysis; the "
            f"{s.primary_conf_level:.0%} confidence interval " + _ci_includes_one(rows, crosses)
            + ".")


def _ci_includes_one(rows: list[dict], crosses: list[dict]) -> str:
    """Which analyses' printed CI includes 1, by name (no count the ARD does not hold)."""
    if len(crosses) == len(rows):
        return "included 1 in every analysis with an estimable hazard ratio"
    if not crosses:
        return "excluded 1 in every analysis with an estimable hazard ratio"
    others = [m["label"] for m in rows if m not in crosses]
    return f"included 1 in every analysis with an estimable hazard ratio but {'; '.join(others)}"


def _in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lower case unless it starts an
    abbreviation ("Age, years" -> "age, years"; "ECOG PS" and "T stage" stay)."""
    first = label.split(" ", 1)[0]
    return label if len(first) == 1 or first[:2].isupper() else label[:1].lower() + label[1:]


def adjusted_model_text(s: SensitivitySettings, label_of) -> str:
    """What the adjusted model is, which covariates were left out, what the p-values are and
    the per-protocol population (``label_of``: column -> display name)."""
    return (
        (f"The covariate-adjusted model is an unstratified Cox model of arm plus "
         f"{', '.join(md_text(_in_sentence(label_of(c))) for c in s.covariates)}; it is not also "
         f"stratified, because stratification factors ({md_text(strata_words(s.strata, {c: label_of(c) for c in s.strata})) or 'none'}) may "
         f"overlap the covariates. Its p-value is the one-sided Wald test of the arm coefficient. "
         if s.covariates else "No covariates are configured: there is no adjusted model. ")
        + (f"Covariates not in the data, left out: {md_text(', '.join(s.absent))}. " if s.absent else "")
        + f"The other rows give the {s.sided} log-rank p of their (un)stratified test. "
        + ("The per-protocol row analyses the per-protocol set." if s.per_protocol else
           "The study configuration names no per-protocol population: no per-protocol row."))


def _ph_models(view: ArdView, s: SensitivitySettings) -> list[tuple[str, str]]:
    return [(name, aid) for name, aid in (("Primary (stratified)", f"{s.endpoint}.ph.reference"),
                                          ("Covariate-adjusted", f"{s.endpoint}.ph.adjusted"))
            if view.has(aid)]


def ph_table(view: ArdView, s: SensitivitySettings, term_labels: dict) -> pd.DataFrame:
    """Per model and term (then the global test when there are several terms): chi-square,
    df, p (score test, Kaplan-Meier time scale)."""
    rows = []
    for model, aid in _ph_models(view, s):
        terms = list(dict.fromkeys(view.rows(aid)["variable"]))
        for term in terms:
            rows.append({"Model": model,
                         "Term": "Global" if term == "GLOBAL" else term_labels.get(term, term),
                         "Chi-square": shown(view, aid, "statistic", variable=term),
                         "df": view.fmt(aid, "df", variable=term),
                         "p": shown(view, aid, "p.value", variable=term)})
    return pd.DataFrame(rows, columns=["Model", "Term", "Chi-square", "df", "p"])


def ph_text(view: ArdView, s: SensitivitySettings, term_labels: dict) -> str:
    """The PH test of the treatment effect and the adjusted model's terms with p < 0.05 (as
    printed)."""
    ref = f"{s.endpoint}.ph.reference"
    why = view.reason(ref, "p.value", variable="ARMCD")
    arm_p = view.fmt(ref, "p.value", variable="ARMCD")
    if why:
        text = f"Proportional hazards of the treatment effect: {why}. "
    elif below(arm_p, 0.05):
        text = (f"For the treatment effect in the primary model the test gave "
                f"{p_phrase(arm_p)}: there is evidence that the hazard ratio changes over "
                "follow-up, so a single hazard ratio averages an effect that varies with time "
                "and the RMST below is the more direct summary. ")
    else:
        text = (f"For the treatment effect in the primary model the test gave "
                f"{p_phrase(arm_p)}: no evidence that the hazard ratio of "
                f"{md_text(arm_name('B', view.arm_names))} against {md_text(arm_name('A', view.arm_names))} "
                "changes over follow-up. ")
    adj = f"{s.endpoint}.ph.adjusted"
    if not view.has(adj):
        return text
    terms = [t for t in dict.fromkeys(view.rows(adj)["variable"]) if t != "GLOBAL"]
    failing = [md_text(term_labels.get(t, t).lower()) for t in terms
               if below(view.fmt(adj, "p.value", variable=t), 0.05)]
    if not failing:
        return text + "No term of the adjusted model had p < 0.05."
    glob = (f" (global {p_phrase(view.fmt(adj, 'p.value', variable='GLOBAL'))})"
            if view.has(adj, variable="GLOBAL") else "")
    return (text + f"In the adjusted model, p < 0.05 for {', '.join(failing)}{glob}: a "
            "prognostic factor whose effect changes over time does not bias the randomised "
            "comparison, but its hazard ratio is an average over follow-up.")


def _rmst(view: ArdView, s: SensitivitySettings):
    aid = f"{s.endpoint}.rmst"
    diff = view.rows(aid, stat_name="estimate")
    diff = diff[diff["group1_level"].str.contains(" vs ")].iloc[0]["group1_level"]
    experimental, control = diff.split(" vs ")
    return aid, control, experimental, diff


def _ci(view: ArdView, aid: str, level: str) -> str:
    """"-2.1 to 4.4": "to" rather than a dash, as a bound may be negative."""
    return (f"{shown(view, aid, 'conf.low', group1_level=level)} to "
            f"{shown(view, aid, 'conf.high', group1_level=level)}")


def rmst_table(view: ArdView, s: SensitivitySettings, arm_labels: dict) -> pd.DataFrame:
    """RMST per arm and the difference (experimental - control) with Wald CIs."""
    aid, control, experimental, diff = _rmst(view, s)
    level = f"{view.row(aid, 'conf.low', group1_level=diff)['conf_level']:.0%} CI"
    unit = f"RMST, {s.time_unit}"
    rows = [{"": f"{arm_labels.get(code, code)} ({bare(arm_name(code, view.arm_names))})",
             unit: shown(view, aid, "estimate", group1_level=code),
             level: _ci(view, aid, code), "p": ""} for code in (control, experimental)]
    rows.append({"": f"Difference ({bare(arm_name(experimental, view.arm_names))} − "
                     f"{bare(arm_name(control, view.arm_names))})",
                 unit: shown(view, aid, "estimate", group1_level=diff),
                 level: _ci(view, aid, diff),
                 "p": f"{shown(view, aid, 'p.value', group1_level=diff)} (two-sided)"})
    return pd.DataFrame(rows)


def _rounding_note(view: ArdView, aid: str, control: str, experimental: str, diff: str) -> str:
    """A note when the printed difference is not the difference of the printed arms."""
    try:
        a = float(view.fmt(aid, "estimate", group1_level=control))
        b = float(view.fmt(aid, "estimate", group1_level=experimental))
        d = float(view.fmt(aid, "estimate", group1_level=diff))
    except ValueError:  # not estimable
        return ""
    return "" if abs((b - a) - d) < 1e-9 else "computed from the unrounded values"


def rmst_note(view: ArdView, s: SensitivitySettings) -> str:
    """The table's footnote: horizon and where it comes from, unit, and how the difference
    was computed when it differs from the difference of the printed arms."""
    aid, control, experimental, diff = _rmst(view, s)
    rounding = _rounding_note(view, aid, control, experimental, diff)
    why = view.reason(aid, "estimate", group1_level=diff)
    return (f"Horizon: {view.stat(aid, 'tau'):g} {s.time_unit} ("
            + ("the RMST horizon of the study configuration)." if s.rmst_horizon_given else
               "no RMST horizon configured: the last landmark).")
            + f" RMST in {s.time_unit}."
            + (f" The difference is {rounding}." if rounding else "")
            + (f" NE: not estimable ({md_text(why)})." if why else ""))


def rmst_text(view: ArdView, s: SensitivitySettings, arm_labels: dict) -> str:
    """Mean survival up to the horizon per arm and the difference with its CI and p."""
    aid, control, experimental, diff = _rmst(view, s)
    unit = s.time_unit
    why = view.reason(aid, "estimate", group1_level=diff)
    if why:  # the horizon lies beyond an arm's follow-up: no comparison, the reason instead
        return (f"Up to {view.stat(aid, 'tau'):g} {unit}, the restricted mean survival time "
                f"cannot be compared: {md_text(why)}.")
    d = shown(view, aid, "estimate", group1_level=diff)
    sign = "+" if d not in ("NE", "") and not d.startswith("-") else ""
    rounding = _rounding_note(view, aid, control, experimental, diff)
    level = view.row(aid, "conf.low", group1_level=diff)["conf_level"]
    return (f"Up to {view.stat(aid, 'tau'):g} {unit}, patients lived on average "
            f"{shown(view, aid, 'estimate', group1_level=control)} {unit} with "
            f"{md_text(arm_labels[control].lower())} and "
            f"{shown(view, aid, 'estimate', group1_level=experimental)} {unit} with "
            f"{md_text(arm_labels[experimental].lower())}, a difference of {sign}{d} {unit}"
            + f" ({rounding + '; ' if rounding else ''}{level:.0%} CI {_ci(view, aid, diff)}; two-sided "
            f"{p_phrase(view.fmt(aid, 'p.value', group1_level=diff))}).")
