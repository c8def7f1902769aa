"""Figures of the supplement: KM plot with numbers at risk, forest plot, CONSORT diagram.

Every function draws on a given Axes (or a new figure) inside ``plt.rc_context`` and returns
the Figure or Axes; nothing changes matplotlib's global state.
"""

from .km import km_plot, numbers_at_risk

__all__ = ["km_plot", "numbers_at_risk"]
