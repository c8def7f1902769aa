"""Checks of a drawn figure as a reader sees it, from matplotlib's own extents.

``layout_problems(fig)`` lists every text that overlaps another text, and every text, legend or
annotation box that covers a plotted line (a data line, a line collection, the markers of a
line); ``min_print_font_pt(fig, width_in)`` is the smallest font of the figure once it is
scaled to ``width_in`` (the book's text width). The supplement's figures are saved only when
both hold (``helpers.notebook.session.NotebookSession.figure`` reports the problems), and
tests/test_figure_layout.py checks every figure builder with them.
"""

from __future__ import annotations

import contextlib

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["drawn", "layout_problems", "min_print_font_pt", "print_scale", "MIN_PRINT_FONT_PT"]

#: The smallest text size a figure may have at print size (points).
MIN_PRINT_FONT_PT = 7.0
#: Pixels two boxes may share before they count as overlapping (anti-aliasing, glyph bearings).
_TOLERANCE_PX = 1.0


def _renderer(fig):
    fig.canvas.draw()  # lays out constrained layouts, legends and tick labels
    return fig.canvas.get_renderer()


def _unused_tick_labels(fig) -> set:
    """Tick labels matplotlib keeps but does not draw (ticks outside the axis' view, axes
    drawn without their axes)."""
    unused = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown = ax.axison and axis.get_visible()  # set_axis_off() hides every tick label
            drawn = {id(label) for tick in axis._update_ticks() for label in (tick.label1, tick.label2)
                     if shown}
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                unused |= {id(label) for label in (tick.label1, tick.label2) if id(label) not in drawn}
    return unused


def _texts(fig, renderer) -> list[tuple[Text, Bbox]]:
    out = []
    unused = _unused_tick_labels(fig)
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in unused:
            continue
        bbox = text.get_window_extent(renderer)
        if bbox.width > 0 and bbox.height > 0:
            out.append((text, bbox))
    return out


def _shrunk(bbox: Bbox, by: float = _TOLERANCE_PX) -> Bbox:
    return Bbox.from_extents(bbox.x0 + by, bbox.y0 + by, bbox.x1 - by, bbox.y1 - by)


def _drawn_paths(fig):
    """(what, display-coordinate path, markers only) of every plotted line of every Axes."""
    for ax in fig.axes:
        for line in ax.get_lines():
            if not line.get_visible() or line.get_gid() == "reference-line":
                continue
            path = line.get_transform().transform_path(line.get_path())
            markers = line.get_linestyle() in ("None", "none", " ", "")
            if line.get_drawstyle().startswith("steps"):
                path = line.get_transform().transform_path(_step_path(line))
            yield f"line {line.get_label()!r}", path, markers
        for coll in ax.collections:
            if isinstance(coll, LineCollection) and coll.get_visible() and coll.get_gid() != "reference-line":
                for path in coll.get_paths():
                    yield "line collection", coll.get_transform().transform_path(path), False


def _step_path(line: Line2D):
    from matplotlib.cbook import STEP_LOOKUP_MAP
    from matplotlib.path import Path

    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    xs, ys = STEP_LOOKUP_MAP[line.get_drawstyle()](x, y)
    return Path(np.column_stack([xs, ys]))


def _covers(bbox: Bbox, path, markers: bool) -> bool:
    inner = _shrunk(bbox)
    if inner.width <= 0 or inner.height <= 0:
        return False
    if markers:
        pts = path.vertices
        return bool(np.any((pts[:, 0] > inner.x0) & (pts[:, 0] < inner.x1)
                           & (pts[:, 1] > inner.y0) & (pts[:, 1] < inner.y1)))
    return bool(path.intersects_bbox(inner, filled=False))


def _boxes(fig, renderer) -> list[tuple[str, Bbox]]:
    """Legends and annotation boxes, which hide what is drawn under them."""
    out = []
    for artist in fig.findobj(lambda a: isinstance(a, (Legend, AnchoredOffsetbox))):
        if artist.get_visible():
            out.append((type(artist).__name__.lower(), artist.get_window_extent(renderer)))
    return out


def layout_problems(fig, renderer=None) -> list[str]:
    """Every text that overlaps another text, and every text or box (legend, annotation) that
    covers a plotted line, as sentences naming them; [] when the figure is clean.
    ``renderer``: of a draw of the unchanged figure (:func:`drawn`), else it is drawn."""
    renderer = renderer or _renderer(fig)
    texts = _texts(fig, renderer)
    problems = []
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            if _shrunk(box_a).overlaps(_shrunk(box_b)):
                problems.append(f"text {a.get_text()!r} overlaps text {b.get_text()!r}")
    covering = [(f"text {t.get_text()!r}", box) for t, box in texts] + _boxes(fig, renderer)
    for what, path, markers in _drawn_paths(fig):
        for name, box in covering:
            if _covers(box, path, markers):
                problems.append(f"{name} covers {what}")
    return problems


def print_scale(fig, width_in: float, renderer=None) -> float:
    """The factor by which ``fig`` (saved with a tight bounding box) is scaled to be shown at
    most ``width_in`` inches wide (1 when it is narrower)."""
    renderer = renderer or _renderer(fig)
    bbox = fig.get_tightbbox(renderer)  # inches
    return min(1.0, width_in / bbox.width) if bbox.width > 0 else 1.0


def min_print_font_pt(fig, width_in: float, renderer=None) -> float:
    """The smallest font size (points) of ``fig``'s visible texts when shown ``width_in``
    inches wide at most."""
    renderer = renderer or _renderer(fig)
    sizes = [t.get_fontsize() for t, _ in _texts(fig, renderer)]
    return (min(sizes) if sizes else MIN_PRINT_FONT_PT) * print_scale(fig, width_in, renderer)


def drawn(fig):
    """Draw ``fig`` once and return the renderer, for several checks of the same figure (a
    draw is most of a check's time). The checks used to draw three times, and a constrained
    layout moves by ~1e-6 pt on each draw: its layout is run twice more, so that the saved
    files keep their bytes (a layout pass is a fraction of a draw)."""
    renderer = _renderer(fig)
    engine = fig.get_layout_engine()
    if fig.axes and engine is not None:
        for _ in range(2):
            with contextlib.suppress(ValueError):  # as Figure.draw runs it
                engine.execute(fig)
    return renderer
