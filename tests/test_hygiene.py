"""The reader-visible-text check (helpers.render.hygiene) finds what it must and nothing a
reader may see: internal names, machine values, two-part configuration keys, ADaM variable
names, inline code in prose naming ADaM variables or run parameters."""
from __future__ import annotations

import pytest

from helpers.render.hygiene import inline_code_problems, reader_problems


def _found(text: str) -> str:
    return " ".join(reader_problems(text))


@pytest.mark.parametrize("text, item", [
    ("p True", "'True'"), ("None", "'None'"), ("nan", "'nan'"), ("221.0000", "'.0000'"),
    ("run_label", "'run_label'"), ("results.os.hazard_ratio", "'results.os.hazard_ratio'"),
    ("studies/jcog1017.yaml", "'studies/jcog1017.yaml'"), ("PARAMCD LRFS", "'PARAMCD'"),
    # two-part configuration keys, as the preface's reasons showed them
    ("the study names no table of trials (study.trials).", "'study.trials'"),
    ("no safety set (populations.safety)", "'populations.safety'"),
    ("a key competing_risks.paramcd", "'competing_risks.paramcd'"),
    # ADaM flags and dataset variables, in prose or a footnote
    ("Population: full analysis set (ITTFL).", "'ITTFL'"),
    ("ADSL.PPROTFL = Y", "'ADSL.PPROTFL'"), ("the safety flag SAFFL", "'SAFFL'"),
    ("the strata ER=Positive (76.9% of patients)", "'ER=P'"),
    ("CNSR: the ADaM censoring code (CNSDTDSC)", "'CNSR'"), ("by TRT01P", "'TRT01P'"),
    ("Resection \\+ systemic therapy in: Age \\(years\\)", "'\\\\+'"),
])
def test_finds_internal_text(text, item):
    assert item in _found(text)


@pytest.mark.parametrize("text", [
    "Hazard ratio 0.87 (90% CI 0.69–1.09), e.g. in arm B.",
    "i.e. the median, 1.5 years; version 4.0; Fig. 2; et al. 2012. Biometrics 38.",
    "This run read the data sets adsl.xpt (SHA-256 05bb2cd51c3a…), adtte.xpt; see doi.org.",
    "the score test as R's cox.zph computes it",
    "HR+/HER2- and ≥50; Stage IV; ECOG PS 0; CTCAE; MedDRA 26.0; Lev+5FU; FLT3",
    "1979. https://www.jstor.org/ stable/4615704. Brookmeyer",
])
def test_leaves_what_readers_may_see(text):
    assert reader_problems(text) == []


def test_web_address_is_skipped_but_what_follows_it_is_checked():
    assert "'run_label'" in _found("https://www.jstor.org/stable/1 run_label")


def test_inline_code_in_prose_naming_adam_variables_or_parameters():
    page = ("<main><p>Safety set (ADSL <code>SAFFL</code>), whatever the <code>population</code> "
            "parameter; <code>ADSL.PPROTFL = Y</code>; as R's <code>cox.zph</code>; "
            "<code>survival::colon</code></p>"
            '<details class="code-fold"><pre><code>population = "SAFFL"</code></pre></details>'
            "<pre><code>PARAMCD</code></pre></main>")
    found = " ".join(inline_code_problems(page))
    for item in ("'SAFFL'", "'population'", "'ADSL.PPROTFL = Y'"):
        assert item in found, item
    assert len(inline_code_problems(page)) == 3
    assert inline_code_problems("<p>R's <code>cmprsk::crr</code></p><pre><code>SAFFL</code></pre>") == []
