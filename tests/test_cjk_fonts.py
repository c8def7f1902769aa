"""Japanese labels (JCOG1017 is a Japanese trial) are drawn and typeset with a CJK font.

Figures: the plot style lists Noto Sans CJK JP after DejaVu Sans, so a Japanese label draws
without matplotlib's "Glyph ... missing from font" and a ``$`` stays a dollar sign (no mathtext).
PDF: Typst sets Japanese in Noto Sans CJK JP (pdffonts), not in a system fallback such as
DroidSansFallback, and the characters are in the text (pdftotext). Needs the Debian package
fonts-noto-cjk (.ci/run and `make setup` install it); skipped with that reason without it.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import warnings

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from helpers.core.fonts import CJK_FAMILY, CJK_PACKAGE, cjk_font_file
from helpers.render import render_book
from test_render_book import _project, _tiny_book

needs_cjk = pytest.mark.skipif(cjk_font_file() is None,
                               reason=f"font {CJK_FAMILY!r} is not installed (apt-get install {CJK_PACKAGE})")
JAPANESE = "全身療法単独"


@pytest.fixture(autouse=True)
def _hand_made_runs_count_as_complete(monkeypatch):
    import helpers.render.common as common

    monkeypatch.setattr(common, "require_complete", lambda run_dir, generation=None: None)


@needs_cjk
def test_figure_with_japanese_and_dollar_labels_draws_every_glyph():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.report.plots import km_plot
    from helpers.report.plots._style import PRINT_STYLE

    assert PRINT_STYLE["font.family"][-1] == CJK_FAMILY and not PRINT_STYLE["text.parse_math"]
    import pandas as pd

    curves = {arm: pd.DataFrame({"time": [0.0, 10.0, 20.0], "surv": surv, "lower": surv,
                                 "upper": surv, "n_risk": [10, 8, 6], "n_censor": [0, 0, 1]})
              for arm, surv in (("Arm A", [1.0, 0.8, 0.6]), ("Arm B", [1.0, 0.9, 0.7]))}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = km_plot(curves, labels={"Arm A": f"{JAPANESE} $x$", "Arm B": "手術 + 全身療法 100$"},
                      annotation="中央値 $1$", ylabel="全生存", risk_times=[0, 10, 20])
        texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]
    assert any(f"{JAPANESE} $x$" in t for t in texts)


@needs_cjk
@pytest.mark.skipif(shutil.which("pdffonts") is None or shutil.which("pdftotext") is None,
                    reason="poppler-utils (pdffonts, pdftotext) is not installed; .ci/run installs it")
def test_pdf_sets_japanese_in_noto_sans_cjk(tmp_path):
    params = _tiny_book(tmp_path)
    alpha = tmp_path / "run" / "notebooks" / "01_alpha.ipynb"
    nb = nbformat.read(alpha, as_version=4)
    nb.cells.insert(1, new_markdown_cell(f"Arm A: {JAPANESE}. Arm B: 原発巣切除 + 全身療法."))
    nbformat.write(nb, alpha)
    book = render_book(params, project_dir=_project(params))
    text = subprocess.run(["pdftotext", str(book.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert JAPANESE in text and "原発巣切除 + 全身療法" in text
    fonts = subprocess.run(["pdffonts", str(book.pdf)], capture_output=True, text=True,
                           check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert any("NotoSansCJK" in name for name in names), names
    assert not any("Droid" in name for name in names), names


def test_typst_rules_name_the_cjk_font_or_say_it_is_missing():
    from helpers.core.fonts import typst_font_dirs, typst_font_rules

    rules = typst_font_rules()
    if cjk_font_file() is None:
        assert "no CJK font" in rules and typst_font_dirs() == []
    else:
        assert f'"{CJK_FAMILY}"' in rules and typst_font_dirs() == [str(cjk_font_file().parent)]
