"""Figures of the supplement: KM plot with numbers at risk, forest plot, CONSORT diagram.

Every function draws on a given Axes (or a new figure) inside ``plt.rc_context`` and returns
the Figure or Axes; nothing changes matplotlib's global state. The design power curve is
``helpers.design.sample_size.power_curve_plot``.
"""

from ._style import add_figure_note, figure_notes
from .consort import consort_diagram
from .forest import forest_plot, forest_rows
from .km import KM_TAIL_MIN_AT_RISK, km_plot, numbers_at_risk

__all__ = ["add_figure_note", "consort_diagram", "figure_notes", "forest_plot", "forest_rows", "km_plot", "numbers_at_risk",
           "KM_TAIL_MIN_AT_RISK"]
