"""What every notebook does first: validate its parameters, load the data, know where to write.

A notebook's code cell after the papermill ``parameters`` cell is::

    nb = start("03_overall_survival", globals())

``nb.params`` is the validated parameter set (defaults filled in), ``nb.data`` the validated
``TrialData`` (data cut applied when ``data_cut`` is set), ``nb.frame(paramcd)`` an analysis
frame of the population, and ``nb.ctx`` the output context (results JSON, figures, tables) of
the run directory the runner gives, or ``runs/interactive`` in JupyterLab.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from helpers.ard import ArdBuilder, ArdView
from helpers.data.adam_mapping import ALL_POPULATION
from helpers.data.run_data import load_run_data
from helpers.data.trial_data import TrialData, analysis_frame
from helpers.analyses.endpoint import EndpointAnalysis, EndpointSettings, analyse_endpoint
from helpers.config.params import DEPRECATED, SPECS, validate
from helpers.config.reference import study_figures
from helpers.notebook.context import NotebookContext, notebook_context
from helpers.report.format import fill_stat_fmt
from helpers.report.names import strata_words
from helpers.report.needs import need_words, needs_in_words  # noqa: F401  (notebooks import them here)
from helpers.config.study import StudyConfig, load_study

__all__ = ["NotebookSession", "needs_in_words", "start"]


@dataclass
class NotebookSession:
    """Parameters, data and output context of one notebook execution."""

    name: str
    params: dict[str, Any]
    ctx: NotebookContext
    unavailable: dict = field(default_factory=dict)
    omitted: dict | None = None  # the chapter left out of the book: {title, reason}
    exclusions: dict = field(default_factory=dict)  # reason -> patients left out (footnotes)
    _results: dict | None = field(default=None, repr=False)

    @cached_property
    def study(self) -> StudyConfig:
        """The study configuration of the run (``study`` parameter), comparing the arms of
        the ``comparison`` parameter (a study with several ``comparisons``)."""
        return load_study(self.params["study"]).for_comparison(self.params.get("comparison"))

    @cached_property
    def figures(self) -> dict | None:
        """The published figures of the file the study names (``study.reference``), None when
        it names none: what the lookups of ``helpers.config.reference`` take."""
        return study_figures(self.study)

    @cached_property
    def data(self) -> TrialData:
        self.__dict__.setdefault("_sources", set()).add("ADSL")
        return load_run_data(self.params, self.study)

    def missing(self, *needs: str) -> list[str]:
        """Which of ``needs`` the data lack: "ADSL.SURGFL" (a column), "ADAE" (a table),
        "ADTTE.PARAMCD=LRFS" (an endpoint), "study.reference" (a study configuration key)."""
        absent = []
        for need in needs:
            if need.startswith("study."):  # a key of the study configuration
                value = self.study
                for key in need.split(".")[1:]:
                    value = value.get(key) if isinstance(value, dict) else getattr(value, key)
                if value in (None, (), [], {}):
                    absent.append(need)
                continue
            table, _, column = need.partition(".")
            frame = getattr(self.data, table.lower())
            if frame is None:
                absent.append(need)
            elif column.startswith("PARAMCD="):
                if column.split("=", 1)[1] not in set(frame["PARAMCD"]):
                    absent.append(need)
            elif column and column not in frame.columns:
                absent.append(need)
        return absent

    def section(self, title: str, *needs: str, label: str | None = None, why: str = "") -> bool:
        """True when the study and data hold everything a section ``needs`` (see
        :meth:`missing`); else record it in ``self.unavailable`` (written to the results, and
        listed once in the book's preface with the reason) and return False. The section shows
        nothing: the book leaves out its heading (``label``: the ``sec-`` label of its heading,
        by which the renderer finds it) and its cells. ``why``: the reason in words (default:
        the missing keys)."""
        absent = self.missing(*needs)
        if absent:
            self.unavailable[title] = {"reason": why or needs_in_words(absent),
                                       **({"label": label} if label else {})}
            if self._results is not None:  # results already written: say it there too
                self.write_results(self._results)
        return not absent

    def chapter(self, title: str, *needs: str, why: str = "") -> bool:
        """True when the study and data hold what this chapter ``needs``; else the whole
        chapter is left out of the book (results key ``omitted``, listed in the preface with
        ``why`` or the missing keys) and False is returned."""
        absent = self.missing(*needs)
        if absent:
            self.omitted = {"title": title, "reason": why or needs_in_words(absent)}
            self.write_results({})
        return not absent

    def intro(self, general: str = "") -> None:
        """Show the chapter's introduction: the study's own words (its ``text`` folder's
        ``<notebook>.md``, ``studies/README.md``), else ``general`` (Markdown in general words);
        nothing when the chapter is left out of the book (:meth:`chapter`)."""
        from IPython.display import Markdown, display

        if self.omitted:
            return

        words = self.study.book.snippet(self.name) if self.study.book else None
        if words or general:
            display(Markdown(words or general))

    def write_results(self, results: dict) -> None:
        """Write the notebook's results JSON with what was run: ``settings`` (study,
        population, data cut, strata, CI levels) and ``unavailable`` sections."""
        p = self.params
        settings = {"study": self.study.study_id, "study_config": p["study"],
                    "population": p["population"], "data_cut": p["data_cut"],
                    "strata": p["strata"], "primary_conf_level": p["primary_conf_level"],
                    "conf_level": p["conf_level"], "sided": p["sided"], "ties": p["ties"],
                    "time_unit": self.study.display_unit}
        self._results = results
        self.ctx.write_results({**results, "settings": settings,
                                **({"unavailable": dict(self.unavailable)} if self.unavailable else {}),
                                **({"omitted": dict(self.omitted)} if self.omitted else {})})
        self.write_ard()

    @cached_property
    def ard(self) -> ArdBuilder:
        """The notebook's analysis results data (``docs/ard.md``): analyses add their rows
        here; ``write_ard`` (also called by ``write_results``) writes them with ``stat_fmt``."""
        return ArdBuilder(self.name, population=self.params["population"],
                          data_cut=self.params["data_cut"])

    def ard_view(self) -> ArdView:
        """The rows so far, validated and formatted, for the report functions."""
        return ArdView(fill_stat_fmt(self.ard.frame()), arm_names=self.study.arm_names,
                       variable_labels=self.variable_labels)

    @property
    def variable_labels(self) -> dict[str, str]:
        """The study's labels of its variables (baseline and subgroups, as
        ``StudyConfig.variable_label``), for sentences naming them (the strata)."""
        return {v.name: v.label for v in (*self.study.baseline, *self.study.subgroups)}

    def write_ard(self) -> None:
        """Write the notebook's ARD (validated, ``stat_fmt`` filled) to its output context."""
        self.ctx.write_ard(fill_stat_fmt(self.ard.frame()))

    def frame(self, paramcd: str | None = None, population: str | None = None) -> pd.DataFrame:
        """Analysis frame of ``paramcd`` (default: the ``endpoint`` parameter) in the population."""
        self.__dict__.setdefault("_sources", set()).add("ADTTE")
        return analysis_frame(self.data, paramcd or self.params["endpoint"],
                              population=population or self.params["population"])

    def endpoint_settings(self, primary: bool = True) -> EndpointSettings:
        """The run's ``EndpointSettings``, built once per notebook from the parameters:
        ``primary`` (the ``endpoint`` parameter's analysis: HR CI at ``primary_conf_level``,
        log-rank p ``sided``) or secondary (``conf_level``, two-sided)."""
        cache = self.__dict__.setdefault("_endpoint_settings", {})
        if primary not in cache:
            p = self.params
            cache[primary] = EndpointSettings(
                population=p["population"], strata=tuple(p["strata"]),
                hr_conf_level=p["primary_conf_level"] if primary else p["conf_level"],
                km_conf_level=p["conf_level"], km_conf_type=p["km_conf_type"], ties=p["ties"],
                sided=p["sided"] if primary else "two-sided",
                landmarks=tuple(p["landmarks"]), time_unit=self.study.display_unit)
        return cache[primary]

    def analyse(self, paramcd: str | None = None, primary: bool | None = None) -> EndpointAnalysis:
        """``analyse_endpoint`` of ``paramcd`` (default: the ``endpoint`` parameter) with the run's
        settings: primary (``primary_conf_level``, ``sided``) for the ``endpoint`` parameter,
        secondary (``conf_level``, two-sided) otherwise, unless ``primary`` says."""
        paramcd = paramcd or self.params["endpoint"]
        if primary is None:
            primary = paramcd == self.params["endpoint"]
        frame = self.frame(paramcd)
        analysis = analyse_endpoint(frame, paramcd=paramcd,
                                    settings=self.endpoint_settings(primary))
        if analysis.hazard_ratio.n_excluded:
            used = ["ARMCD", "time", "event", *analysis.strata]
            missing = [c for c in used if c in frame and frame[c].isna().any()]
            self.exclude(analysis.hazard_ratio.n_excluded,
                         f"with a missing {', '.join(missing) or 'value'} in the {paramcd} analyses")
        return analysis

    def exclude(self, n: int, reason: str) -> None:
        """Record that an analysis left ``n`` patients out ``reason`` ("with a missing ER in
        the OS analyses"): every table and figure saved afterwards states it in its footnote."""
        if n:
            self.exclusions[reason] = max(int(n), self.exclusions.get(reason, 0))

    def figure(self, fig: Any, name: str) -> "SavedFigure":
        """Save ``fig`` as figure ``name`` of this notebook, close it and return the saved
        figure for display: the supplement shows exactly the files, rendered once.

        Written: ``name.svg`` (vector: what the HTML and PDF book show; fixed SVG ids and no
        date, so reruns give the same bytes), ``name.png`` (200 dpi, for the Word file) and
        ``name.notes.txt``. Nothing is drawn into the figure besides the plot: the figure's own
        notes (``helpers.report.plots.figure_notes``, e.g. the Kaplan-Meier tail rule), then
        population and data cut, are shown as a note below it."""
        import matplotlib.pyplot as plt

        from helpers.core.atomic import atomic_write_text
        from helpers.report.plots import figure_notes

        from helpers.report.plots.layout import (MIN_PRINT_FONT_PT, drawn, layout_problems,
                                                 min_print_font_pt)

        renderer = drawn(fig)  # one draw for both checks
        problems = layout_problems(fig, renderer)
        smallest = min_print_font_pt(fig, PRINT_WIDTH_IN, renderer)
        if smallest < MIN_PRINT_FONT_PT - 0.05:
            problems.append(f"smallest text {smallest:.1f} pt at print size (at least "
                            f"{MIN_PRINT_FONT_PT:g} pt)")
        if problems:  # stderr of the executed notebook: the book leaves it out, the tests read it
            import sys
            print(f"figure {name}: layout problem: " + "; ".join(problems), file=sys.stderr)
        notes = [*figure_notes(fig), self.footnote()]
        stem = Path(name).stem if Path(name).suffix in (".png", ".svg") else name
        self.ctx.save_figure(fig, f"{stem}.svg")
        self.ctx.save_figure(fig, f"{stem}.png")
        plt.close(fig)
        atomic_write_text(self.ctx.figure_path(f"{stem}.notes.txt"), " ".join(notes) + "\n")
        return SavedFigure(svg=self.ctx.figure_path(f"{stem}.svg").read_text(encoding="utf-8"),
                           png=self.ctx.figure_path(f"{stem}.png").read_bytes(), notes=tuple(notes))

    def table(self, df: pd.DataFrame, name: str, note: str = "", population: str | None = None,
              source: str | None = None) -> None:
        """Save ``df`` as table ``name`` (CSV, as the DataFrame holds it) and show it as the
        supplement prints tables (``helpers.report.publication_table``: Great Tables, a stub
        with indented levels, spanners, footnote marks): the table's own footnotes
        (``df.attrs["footnotes"]``, marked on their cells), ``note``, then population, data cut
        (``footnote``) and the data sets it comes from (``source``: "ADSL, ADAE"; default the
        ADaM data sets this notebook read: ADSL, and ADTTE once an analysis frame was taken;
        "" for none), all plain text shown literally."""
        from helpers.core.atomic import atomic_write_text

        own = [*df.attrs.get("footnotes", []), note]
        source = self.sources_text() if source is None else source
        self.ctx.save_table(df, name)
        atomic_write_text(self.ctx.table_path(name).with_suffix(".notes.txt"), " ".join(
            n for n in [*own, self.footnote(population, run=False),
                        f"Source: {source}." if source else ""] if n) + "\n")
        shown = df.copy()
        shown.attrs = {**df.attrs, "footnotes": [n for n in own if n]}
        self.show_table(shown, [self.footnote(population), *([f"Source: {source}."] if source else [])])

    def sources_text(self) -> str:
        """The ADaM data sets this notebook read so far: "ADSL", "ADSL, ADTTE"."""
        used = self.__dict__.get("_sources", set())
        return ", ".join(d for d in ("ADSL", "ADTTE", "ADAE") if d in used)

    @staticmethod
    def show_table(df: pd.DataFrame, source_notes=()) -> None:
        """Show ``df`` as the supplement's tables are shown (``helpers.report.publication_table``;
        its footnotes ``df.attrs["footnotes"]``, then ``source_notes``, under it), without
        saving it: a summary embedded elsewhere."""
        from IPython.display import HTML, Markdown, display

        from helpers.core.textsafe import md_text
        from helpers.report.publication_table import book_table, publication_table

        table = book_table(publication_table(df, [n for n in source_notes if n]))
        display(HTML(table.html))
        if table.notes:  # one line each, a footnote after its superscript mark
            display(Markdown("\\\n".join(
                (f"^{md_text(mark)}^ " if mark else "") + md_text(text)
                for mark, text in table.notes)))

    def settings_text(self) -> str:
        """The analysis settings of this run, as a Markdown sentence for the methods (from
        parameters; names from the parameters and the study configuration shown literally)."""
        from helpers.core.textsafe import md_text

        p = {key: md_text(value) if isinstance(value, str) else value
             for key, value in self.params.items()}
        self.data  # noqa: B018  (loaded: the line states the data's own cut-off, as the footers)
        strata = md_text(strata_words(self.params["strata"], self.variable_labels)) or "none (unstratified)"
        unit = md_text(self.study.display_unit)
        return (
            f"Settings of this run: {md_text(self.population_label)}; Cox models with "
            f"{p['ties'].capitalize()} ties, stratified by {strata}; hazard ratio CIs (Wald) at "
            f"{p['primary_conf_level']:.0%} for the primary endpoint ({p['endpoint']}) with a "
            f"{p['sided']} log-rank p, at {p['conf_level']:.0%} with two-sided p otherwise; "
            f"Kaplan-Meier CIs {p['km_conf_type']} at {p['conf_level']:.0%}; landmarks at "
            f"{', '.join(f'{t:g}' for t in p['landmarks'])} {unit}; "
            f"data cut-off {self.data_cut_words}."
        )

    @property
    def data_cut_words(self) -> str:
        """The data cut-off as a reader reads it: the ``data_cut`` parameter's date; else, once
        the data are loaded, their own cut-off (ADSL DCUTDT, one date: "2023-06-30, the data's
        own"), so that a footer under counts "alive at the data cut-off" states it; else
        "none (all follow-up in the data)"."""
        if self.params["data_cut"]:
            return str(self.params["data_cut"])
        adsl = self.data.adsl if "data" in self.__dict__ else None  # never loaded for a footer
        if adsl is not None and "DCUTDT" in adsl:
            dates = pd.to_datetime(adsl["DCUTDT"], errors="coerce").dropna().unique()
            if len(dates) == 1:
                return f"{pd.Timestamp(dates[0]).date()}, the data's own"
        return "none (all follow-up in the data)"

    @property
    def population_label(self) -> str:
        """The analysis set of the ``population`` flag, by its role in the study configuration
        (the flag's own name when it has none)."""
        flag = self.params["population"]
        for role, column in self.study.populations.items():
            if column == flag == ALL_POPULATION and role == "full_analysis":
                return "all randomised patients, by assigned arm (the data flag no analysis set)"
            if column == flag:
                return POPULATION_LABELS[role]
        return f"population {flag} = Y"

    def footnote(self, population: str | None = None, run: bool = False) -> str:
        """The footnote every output carries: population (default: the ``population``
        parameter's set; or the text given), data cut and, with ``run``, the data source and
        run label (not in the book, whose title page names the run once, nor in saved files,
        which must not depend on where a run is written)."""
        cut = self.data_cut_words
        population = population or self.population_label  # in words, never the flag
        text = f"Population: {population}. Data cut-off: {cut}."
        if "data" in self.__dict__ and self.data.notes:  # loaded: e.g. "no data after ..."
            text += " " + " ".join(self.data.notes)
        if self.exclusions:
            text += " Left out: " + "; ".join(
                f"{n} {'patient' if n == 1 else 'patients'} {reason}"
                for reason, n in self.exclusions.items()) + "."
        return f"{text} Data: {self.params['data_dir']}. Run: {self.params['run_label']}." if run else text


FIGURE_DPI = 200  # helpers.core.atomic.save_figure's default
#: The width (inches) at which the book prints a figure at most: the PDF's text width
#: (helpers.render.notebook_markdown.MAX_IMAGE_WIDTH_IN, a layer above, says the same).
PRINT_WIDTH_IN = 6.2


@dataclass(frozen=True)
class SavedFigure:
    """A figure as saved by ``NotebookSession.figure``: shown as one image output (SVG, with
    the PNG beside it for formats that need pixels) followed by its note (Markdown)."""

    svg: str
    png: bytes
    notes: tuple = ()

    @property
    def width_px(self) -> int:
        """The PNG's width in pixels (IHDR)."""
        return int.from_bytes(self.png[16:20], "big")

    def _ipython_display_(self) -> None:
        import base64

        from IPython.display import Markdown, display

        from helpers.core.textsafe import md_text

        width = round(self.width_px * 96 / FIGURE_DPI)  # 96 CSS px per inch
        display({"image/svg+xml": self.svg, "image/png": base64.b64encode(self.png).decode("ascii")},
                raw=True, metadata={"image/png": {"width": width}, "image/svg+xml": {"width": width}})
        if self.notes:
            display(Markdown(" ".join(md_text(n) for n in self.notes)))

#: Population role of the study configuration -> how the supplement names it.
POPULATION_LABELS = {
    "full_analysis": "full analysis set (all randomised, by assigned arm)",
    "per_protocol": "per-protocol set",
    "safety": "safety set",
}


def start(name: str, namespace: Mapping[str, Any]) -> NotebookSession:
    """Validate the parameters found in ``namespace`` (a notebook's ``globals()``); a
    parameter set to None takes its default (e.g. ``strata = None``: the study configuration's)."""
    given = {key: namespace[key] for key in (*SPECS, *DEPRECATED) if namespace.get(key) is not None}
    params = validate(given, source=f"notebook {name} parameters")
    return NotebookSession(name=name, params=params,
                           ctx=notebook_context(params["output_dir"], name))
