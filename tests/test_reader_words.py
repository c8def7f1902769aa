"""Words a reader gets instead of internal names (issue 19): the reasons the book leaves
something out, the analysis sets, footers and settings lines, the data cut-off where counts
depend on it, and standard-output parts; each checked with the reader-visible-text check."""
from __future__ import annotations

from pathlib import Path

import pytest

from helpers.render.hygiene import reader_problems
from helpers.report.needs import CONFIG_WORDS, need_words, needs_in_words
from helpers.report.names import in_sentence
from helpers.report.standard_outputs import part_title
from helpers.report.text.population import analysis_sets_sentence

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("need", [*CONFIG_WORDS, "study.outputs.deaths.within",
                                  "study.populations.per_protocol", "study.book.procedure.detail"])
def test_configuration_keys_become_words_without_dots_or_underscores(need):
    words = need_words(need)
    assert "." not in words and "_" not in words and "study" not in words, words
    assert reader_problems(f"Left out: the study configuration names no {words}.") == []


def test_reasons_read_as_words():
    assert needs_in_words(["study.book.procedure.date", "ADAE"]) == (
        "the study configuration names no date of the protocol procedure; the data lack the "
        "ADAE dataset")
    assert needs_in_words(["study.reference"]) == \
        "the study configuration names no published figures of the trial"
    assert need_words("a compared secondary endpoint in ADTTE") == \
        "a compared secondary endpoint in ADTTE"


def test_notebooks_give_reasons_without_configuration_keys():
    """The reasons written by hand in the notebooks (``why=``) show no key in parentheses."""
    import re

    for path in sorted((ROOT / "notebooks").glob("*.py")):
        for why in re.findall(r'why="([^"]*(?:"\s*"[^"]*)*)"', path.read_text()):
            text = re.sub(r'"\s*"', "", why)
            assert reader_problems(text) == [], (path.name, text)
            assert not re.search(r"\([a-z_]+(?:\.[a-z_]+)*\)", text), (path.name, text)


def test_standard_output_parts_in_words():
    assert part_title("DST01 procedure reasons") == \
        "Disposition (DST01): why the protocol procedure was not done"
    assert part_title("DTHT01 within") == "Deaths (DTHT01): deaths soon after the protocol procedure"
    assert part_title("COXT02") == "Adjusted Cox model (COXT02)"
    assert part_title("Forest plot of a secondary endpoint") == "Forest plot of a secondary endpoint"


def test_analysis_sets_are_named_in_words_not_flags():
    names = {"full_analysis": "full analysis set (all randomised, by assigned arm)",
             "per_protocol": "per-protocol set", "safety": "safety set"}
    text = analysis_sets_sentence({"full_analysis": "ITTFL", "per_protocol": "PPROTFL",
                                   "safety": "SAFFL"}, names)
    assert text == ("The analysis sets are the full analysis set (all randomised, by assigned "
                    "arm), the per-protocol set and the safety set, as the data flag them.")
    assert reader_problems(text) == [] and "`" not in text
    one = analysis_sets_sentence({"full_analysis": "all"}, names)
    assert one.startswith("The analysis set is the full analysis set") and one.endswith(".")
    assert analysis_sets_sentence({"full_analysis": "ITTFL"}, names).endswith(
        "(all randomised, by assigned arm), as the data flag it.")


def test_hyphenated_ordinary_first_word_is_lower_cased_in_a_sentence():
    assert in_sentence("Per-protocol set") == "per-protocol set"
    assert in_sentence("HER2-positive") == "HER2-positive"


def test_footnote_and_settings_name_the_set_in_words_and_state_the_data_cut_off(tmp_path):
    """The bundled data carry their own cut-off (ADSL DCUTDT): footers under counts of patients
    'alive at the data cut-off' state it; the population is named in words, not its flag."""
    from helpers.notebook.session import start

    nb = start("03_overall_survival", {"output_dir": str(tmp_path / "run")})
    assert nb.footnote().endswith("Data cut-off: none (all follow-up in the data).")  # not loaded
    nb.data  # noqa: B018 (loads the data)
    note = nb.footnote()
    assert note == ("Population: full analysis set (all randomised, by assigned arm). "
                    "Data cut-off: 2023-06-30, the data's own.")
    settings = nb.settings_text()
    assert "(ITTFL)" not in settings and "data cut-off 2023-06-30" in settings
    for text in (note, settings):
        assert reader_problems(text) == [], text
    cut = start("03_overall_survival", {"output_dir": str(tmp_path / "run2"), "data_cut": "2020-01-01"})
    assert cut.data_cut_words == "2020-01-01"


def test_title_page_states_the_data_own_cut_off(tmp_path):
    from helpers.render.front_matter import data_own_cut_off

    adsl = tmp_path / "adsl.csv"
    adsl.write_text("USUBJID,DCUTDT\n1,2023-06-30\n2,2023-06-30\n")
    assert data_own_cut_off({"data_files": [{"path": str(adsl)}]}) == "2023-06-30, the data's own"
    adsl.write_text("USUBJID,DCUTDT\n1,2023-06-30\n2,2022-01-01\n")
    assert data_own_cut_off({"data_files": [{"path": str(adsl)}]}) is None  # two dates: not one
    assert data_own_cut_off({}) is None


# --------------------------------------------------------------------- design and reproduction
NAMES = {"A": "the control arm", "B": "the experimental arm"}  # a study without arm names


def _view(run_dir: Path, notebook: str):
    import pandas as pd

    from helpers.ard import ArdView
    from helpers.report.format import fill_stat_fmt

    return ArdView(fill_stat_fmt(pd.read_parquet(run_dir / "ard" / f"{notebook}.parquet")),
                   arm_names=NAMES)


def _no_fixed_words(text: str) -> None:
    for fixed in ("arm A", "arm B", "death", "Death", "(A)", "(B)"):
        assert fixed not in text, (fixed, text)
    assert reader_problems(text) == [], text


def test_design_chapter_takes_arm_names_and_event_word_from_the_study(supplement_run):
    """Chapter 9 names the arms as the study does and counts its primary endpoint's events by
    their word (here a study calling them "progressions"), never "arm A" or "deaths"."""
    from helpers.report import design

    view = _view(supplement_run, "09_design")
    label = {"ER": "Oestrogen receptor", "HER2": "HER2", "METGR": "Metastatic organs"}.get
    texts = [design.sample_size_text(view, "progressions"),
             design.power_text(view, "OS", "progressions"),
             design.design_note(view, "progressions", "Progression-free survival"),
             design.simulation_text(view, "ER=Positive", label),
             design.oc_note(view, seed=1, strata=["ER", "HER2", "METGR"], subgroup_label="ER=Positive",
                            patients_source="randomised in the data", accrual_source="planned",
                            variable_label=label),
             " ".join(design.power_labels(view, "OS", "progressions").values()),
             " ".join(design.design_table(view, "progressions").columns),
             " ".join(design.oc_table(view, "progressions").columns)]
    for text in texts:
        _no_fixed_words(text)
    assert "in the control arm and" in texts[0] and "progressions" in texts[0]
    assert "median progression-free survival" in texts[2]
    assert "the subgroup with oestrogen receptor positive" in texts[3]
    assert "strata of oestrogen receptor, HER2, metastatic organs" in texts[4]
    assert "Progressions (exact)" in texts[6] and "Mean progressions" in texts[7]


def test_reproduction_chapter_takes_arm_names_and_event_word_from_the_study(supplement_run):
    from helpers.analyses.reproduction import KEY_RESULTS
    from helpers.report import reproduction

    view = _view(supplement_run, "10_reproduction")
    text = reproduction.key_results_text(view, "OS", "LRFS", "one-sided", "two-sided", "months",
                                         {"A": "Observation", "B": "Levamisole + fluorouracil"},
                                         events="deaths of any cause", design_events="progressions")
    assert "hazard ratio of the experimental arm against the control arm" in text
    assert "in the control arm and" in text and "to observation" in text
    assert "The design required 359 progressions" in text
    assert reader_problems(text) == []
    labels = " ".join(reproduction.key_results_display(view, KEY_RESULTS)["Figure"])
    assert "Median OS, control arm (months)" in labels and "arm A" not in labels


def test_reproduction_ard_labels_name_the_arms_and_events_as_the_study_does():
    from helpers.analyses.reproduction_ard import FIGURES

    templates = {path: fig.label for path, fig in FIGURES.items()}
    assert templates["population.randomised_arm_a"] == "Randomised to {A}"
    assert templates["design.required_events"] == "Required {events}"
    names = {"A": "arm A", "B": "arm B", "events": "deaths"}  # JCOG1017's: the labels as before
    assert templates["results.os.median_arm_b_months"].format(**names) == "Median OS, arm B (months)"


# ------------------------------------------------------------------ arms named as the study does
def _one_row_view(warning: str, arm_names):
    import numpy as np

    from helpers.ard import ArdView
    from helpers.ard.build import ArdBuilder

    b = ArdBuilder("03_overall_survival", population="ITTFL")
    b.analysis("OS.cox.primary", "estimate", "coxph").add("estimate", np.nan, "HR", warning=warning)
    return ArdView(b.frame(), arm_names=arm_names)


def test_survival_notes_name_the_arms_as_the_study_does():
    """The Cox model's reason "no events in arm B" (the supplement's arm codes) reaches a
    reader with the study's arm names."""
    view = _one_row_view("not estimable (no events in arm B)", NAMES)
    assert view.reason("OS.cox.primary", "estimate") == \
        "not estimable (no events in the experimental arm)"
    both = _one_row_view("no events in arm A and B", NAMES)
    assert both.reason("OS.cox.primary", "estimate") == \
        "no events in the control arm and the experimental arm"
    jcog = _one_row_view("not estimable (no events in arm B)", {"A": "arm A", "B": "arm B"})
    assert jcog.reason("OS.cox.primary", "estimate") == "not estimable (no events in arm B)"


def test_no_caption_names_the_arms_by_code():
    import re

    for path in sorted((ROOT / "notebooks").glob("*.py")):
        for caption in re.findall(r"^#\| (?:tbl|fig)-cap: (.*)$", path.read_text(), flags=re.M):
            assert not re.search(r"\((?:A|B)\)|\barm [AB]\b", caption), (path.name, caption)


def test_secondary_and_subgroup_tables_span_the_arms_as_the_study_names_them(supplement_run):
    from helpers.report.subgroups import subgroup_table

    view = _view(supplement_run, "05_subgroups")
    table = subgroup_table(view, {})
    assert table.attrs["spanners"] == {"Events/n": {"Control arm events/n": "Control arm",
                                                    "Experimental arm events/n": "Experimental arm"}}
    assert set(table.attrs["spanners"]["Events/n"]) <= set(table.columns)


def test_strata_are_named_by_the_study_labels_not_adsl_names(tmp_path):
    from helpers.notebook.session import start
    from helpers.report.names import strata_words

    labels = {"ER": "Oestrogen receptor", "HER2": "HER2", "METGR": "Metastatic organs",
              "AGEGR1": "Age, years"}
    assert strata_words(["ER", "HER2", "METGR"], labels) == \
        "oestrogen receptor, HER2, metastatic organs"
    assert strata_words(["SITE"], labels) == "SITE"  # no label: its name
    nb = start("03_overall_survival", {"output_dir": str(tmp_path / "run")})
    assert "METGR" not in nb.settings_text() and "metastatic organs" in nb.settings_text()
    assert nb.ard_view().variable_labels["METGR"] == "Metastatic organs"


def test_standard_outputs_name_the_arms_not_their_codes(supplement_run):
    from helpers.report.standard_outputs import coxt02_table, ttet01_table

    view = _view(supplement_run, "12_standard_outputs")
    ttet = ttet01_table(view, {"OS": "Overall survival"}, [0.9, 0.95], "oestrogen receptor", "months")
    rows = " ".join(map(str, ttet.index)) + " " + " ".join(ttet.iloc[:, 0].astype(str))
    assert "HR experimental arm vs control arm (90% CI)" in rows
    assert "Difference experimental arm − control arm" in rows and "B vs A" not in rows
    cox = coxt02_table(view, {"OS": "Overall survival"}, {"ARMCD": "Arm"})
    terms = list(cox.index.get_level_values("Term"))
    assert "Arm: experimental arm vs control arm" in terms and "Arm: B vs A" not in terms


def test_subgroup_results_escape_labels_once(supplement_run):
    """Labels such as "Age (years)", "<50" and "Resection + systemic therapy" are escaped for
    Markdown once: a reader never sees a backslash."""
    from helpers.report.subgroups import subgroup_results_text

    view = _view(supplement_run, "05_subgroups")
    labels = {"AGEGR1": "Age (years)", "MENOPAUS": "Menopausal status", "METGR": "Metastatic organs"}
    text = subgroup_results_text(view, labels, "deaths", "Resection + systemic therapy")
    assert "\\\\" not in text and "\\\\+" not in text
    assert "Resection \\+ systemic therapy appeared beneficial" in text
    assert "Age \\(years\\): \\<50" in text


def test_a_median_not_reached_is_said_in_words_not_ne():
    import numpy as np

    from helpers.ard import ArdView
    from helpers.ard.build import ArdBuilder
    from helpers.report.format import fill_stat_fmt
    from helpers.report.text.endpoint import _median

    b = ArdBuilder("03_overall_survival", population="ITTFL")
    a = b.analysis("OS.km", "survival", "survfit")
    for code, (est, low, high) in {"A": (68.4, 50.9, 83.8), "B": (np.nan, 89.5, np.nan),
                                   "C": (75.0, 68.1, np.nan), "D": (np.nan, np.nan, np.nan)}.items():
        g = a.scoped(group1="ARMCD", group1_level=code, variable="prob", variable_level=0.5)
        g.add("estimate", est, "Median", conf_level=0.95)
        g.add("conf.low", low, "Lower", conf_level=0.95)
        g.add("conf.high", high, "Upper", conf_level=0.95)
    view = ArdView(fill_stat_fmt(b.frame()))
    assert _median(view, "OS", "A", "months") == "68.4 (50.9–83.8) months"
    assert _median(view, "OS", "B", "months") == "not reached (lower limit 89.5 months)"
    assert _median(view, "OS", "C", "months") == "75.0 (68.1 to not reached) months"
    assert _median(view, "OS", "D", "months") == "not reached"


def test_effect_wording_follows_the_printed_limits():
    from helpers.report.text.endpoint import effect_verb

    assert effect_verb("0.32", "0.52") == "lowered"
    assert effect_verb("0.80", "1.00") == "did not clearly change"  # 0.998 prints as 1.00
    assert effect_verb("1.00", "1.40") == "did not clearly change"
    assert effect_verb("1.01", "1.40") == "raised"
    assert effect_verb("NE", "NE") == "did not clearly change"
