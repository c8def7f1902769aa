"""What every notebook does first: validate its parameters, load the data, know where to write.

A notebook's code cell after the papermill ``parameters`` cell is::

    nb = start("03_overall_survival", globals())

``nb.params`` is the validated parameter set (defaults filled in), ``nb.data`` the validated
``TrialData`` (data cut applied when ``data_cut`` is set), ``nb.frame(paramcd)`` an analysis
frame of the population, and ``nb.ctx`` the output context (results JSON, figures, tables) of
the run directory the runner gives, or ``runs/interactive`` in JupyterLab.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping

import pandas as pd

from helpers.dataset import TrialData, analysis_frame, load_trial_data
from helpers.datacut import apply_data_cut
from helpers.endpoint import EndpointAnalysis, analyse_endpoint, endpoint_settings
from helpers.params import SPECS, check_columns, resolve_path, validate
from helpers.run import NotebookContext, notebook_context

__all__ = ["NotebookSession", "start"]


@dataclass
class NotebookSession:
    """Parameters, data and output context of one notebook execution."""

    name: str
    params: dict[str, Any]
    ctx: NotebookContext

    @cached_property
    def data(self) -> TrialData:
        data = load_trial_data(resolve_path(self.params["data_dir"]), fmt=self.params["data_format"])
        check_columns(self.params, data.adsl.columns)
        if self.params["data_cut"]:
            data = apply_data_cut(data, self.params["data_cut"])
        return data

    def frame(self, paramcd: str | None = None, population: str | None = None) -> pd.DataFrame:
        """Analysis frame of ``paramcd`` (default: the ``endpoint`` parameter) in the population."""
        return analysis_frame(self.data, paramcd or self.params["endpoint"],
                              population=population or self.params["population"])

    def analyse(self, paramcd: str | None = None, primary: bool | None = None) -> EndpointAnalysis:
        """``analyse_endpoint`` of ``paramcd`` (default: the ``endpoint`` parameter) with the run's
        settings: primary (``primary_conf_level``, ``sided``) for the ``endpoint`` parameter,
        secondary (``conf_level``, two-sided) otherwise, unless ``primary`` says."""
        paramcd = paramcd or self.params["endpoint"]
        if primary is None:
            primary = paramcd == self.params["endpoint"]
        return analyse_endpoint(self.frame(paramcd), paramcd=paramcd,
                                **endpoint_settings(self.params, primary))

    def figure(self, fig: Any, name: str) -> Any:
        """Save ``fig`` as figure ``name`` of this notebook (PNG, 200 dpi), close it and return
        the saved image for display: the supplement shows exactly the file, rendered once."""
        import matplotlib.pyplot as plt
        from IPython.display import Image

        self.ctx.save_figure(fig, name)
        plt.close(fig)
        png = self.ctx.figure_path(name).read_bytes()
        width_px = int.from_bytes(png[16:20], "big")  # PNG IHDR width
        return Image(data=png, width=round(width_px * 96 / FIGURE_DPI))  # 96 CSS px per inch

    def table(self, df: pd.DataFrame, name: str, note: str = "", population: str | None = None) -> None:
        """Save ``df`` as table ``name`` (CSV) and show it with its footnote underneath: the
        table's own footnotes (``df.attrs["footnotes"]``), ``note``, then population, data cut
        and data source (``footnote``). A default RangeIndex is not shown."""
        from IPython.display import HTML, Markdown, display

        self.ctx.save_table(df, name)
        show_index = not isinstance(df.index, pd.RangeIndex)
        display(HTML(df.to_html(index=show_index, border=0, na_rep="")))
        notes = [*df.attrs.get("footnotes", []), note, self.footnote(population)]
        display(Markdown(" ".join(n for n in notes if n)))

    def settings_text(self) -> str:
        """The analysis settings of this run, as a sentence for the methods (from parameters)."""
        p = self.params
        strata = ", ".join(p["strata"]) or "none (unstratified)"
        return (
            f"Settings of this run: {self.population_label} ({p['population']}); Cox models with "
            f"{p['ties'].capitalize()} ties, stratified by {strata}; hazard ratio CIs (Wald) at "
            f"{p['primary_conf_level']:.0%} for the primary endpoint ({p['endpoint']}) with a "
            f"{p['sided']} log-rank p, at {p['conf_level']:.0%} with two-sided p otherwise; "
            f"Kaplan-Meier CIs {p['km_conf_type']} at {p['conf_level']:.0%}; landmarks at "
            f"{', '.join(f'{t:g}' for t in p['landmarks_months'])} months; data cut "
            f"{p['data_cut'] or 'none'}."
        )

    @property
    def population_label(self) -> str:
        return POPULATION_LABELS.get(self.params["population"], self.params["population"])

    def footnote(self, population: str | None = None) -> str:
        """The footnote every output carries: population (default: the ``population``
        parameter's set; or the text given), data cut, data source."""
        cut = self.params["data_cut"] or "none (all follow-up)"
        population = population or f"{self.population_label} ({self.params['population']})"
        return (f"Population: {population}. "
                f"Data cut: {cut}. Data: {self.params['data_dir']}. Run: {self.params['run_label']}.")


FIGURE_DPI = 200  # helpers.atomic.save_figure's default

POPULATION_LABELS = {
    "ITTFL": "full analysis set (all randomised, by assigned arm)",
    "PPROTFL": "per-protocol set",
    "SAFFL": "safety set",
}


def start(name: str, namespace: Mapping[str, Any]) -> NotebookSession:
    """Validate the parameters found in ``namespace`` (a notebook's ``globals()``); a
    parameter set to None takes its default (e.g. ``strata = None``: DEFAULT_STRATA)."""
    given = {key: namespace[key] for key in SPECS if namespace.get(key) is not None}
    params = validate(given, source=f"notebook {name} parameters")
    return NotebookSession(name=name, params=params,
                           ctx=notebook_context(params["output_dir"], name))
