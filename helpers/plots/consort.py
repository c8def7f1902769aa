"""CONSORT flow diagram drawn with matplotlib patches and arrows."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt

from ._style import PRINT_STYLE


def _box(ax, x, y, text, width, **kwargs):
    return ax.text(x, y, text, ha="center", va="center", wrap=False, gid="consort box",
                   bbox={"boxstyle": "square,pad=0.5", "facecolor": "white", "edgecolor": "0.2",
                         "linewidth": 0.9}, **kwargs)


def _edges(ax):
    """Function giving a box's (bottom, top) -- or (left, right) -- in data coordinates."""
    renderer = ax.figure.canvas.get_renderer()
    inverse = ax.transData.inverted()

    def edges(text, horizontal=False):
        text.draw(renderer)
        box = text.get_bbox_patch().get_window_extent(renderer)
        (x0, y0), (x1, y1) = inverse.transform([[box.x0, box.y0], [box.x1, box.y1]])
        return (x0, x1) if horizontal else (y0, y1)

    return edges


def _arrow(ax, start, end):
    ax.annotate("", xy=end, xytext=start, xycoords="data",
                arrowprops={"arrowstyle": "-|>", "color": "0.2", "lw": 0.9, "shrinkA": 0,
                            "shrinkB": 0})


def _arm_lines(arm: Mapping, code: str) -> tuple[str, str]:
    allocated = [f"Allocated to arm {code}: {arm['label']}", f"n = {arm['randomised']}"]
    if arm.get("surgery") is not None and code == "B":
        allocated.append(f"Primary tumour resection performed: n = {arm['surgery']}")
        for level, n in arm.get("resection", {}).items():
            allocated.append(f"   {level}: n = {n}")
        allocated.append(f"Resection not performed: n = {arm['randomised'] - arm['surgery']}")
    elif arm.get("surgery"):
        allocated.append(f"Primary tumour resection (not per protocol): n = {arm['surgery']}")
    analysed = [f"Analysed (ITT): n = {arm['itt']}"]
    if arm.get("per_protocol") is not None:
        analysed.append(f"Per-protocol set: n = {arm['per_protocol']}")
    if arm.get("safety") is not None:
        analysed.append(f"Safety set: n = {arm['safety']}")
    return "\n".join(allocated), "\n".join(analysed)


def consort_diagram(counts: Mapping, ax=None):
    """CONSORT diagram: registered -> not randomised (reasons) -> randomised -> arms A/B
    (with resection performed and its completeness in arm B) -> analysed (ITT, per protocol,
    safety).

    ``counts`` as returned by :func:`helpers.tables.consort_counts`: keys ``registered``,
    ``not_randomised``, ``not_randomised_reasons`` (reason -> n), ``randomised`` and ``arms``
    (``{"A": {...}, "B": {...}}`` with ``label``, ``randomised``, ``itt``, ``per_protocol``,
    ``safety``, ``surgery``, ``resection``). Returns the Axes (axis off, data coordinates
    0-1); every box is a Text artist with gid ``"consort box"``.
    """
    with plt.rc_context(PRINT_STYLE):
        if ax is None:
            _, ax = plt.subplots(figsize=(7.5, 6.2))
            ax.figure.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()

        y_reg, y_not, y_rand, y_arm, y_ana = 0.95, 0.80, 0.64, 0.40, 0.16
        registered = _box(ax, 0.30, y_reg, f"Registered\nn = {counts['registered']}", 0.3)
        reasons = counts.get("not_randomised_reasons") or {}
        not_text = [f"Not randomised: n = {counts['not_randomised']}"]
        not_text += [f"   {reason}: n = {n}" for reason, n in reasons.items()]
        excluded = _box(ax, 0.70, y_not, "\n".join(not_text), 0.4, multialignment="left")
        randomised = _box(ax, 0.30, y_rand, f"Randomised\nn = {counts['randomised']}", 0.3)
        arm_boxes = []
        for code, x in (("A", 0.25), ("B", 0.75)):
            if code in counts["arms"]:
                allocated, analysed = _arm_lines(counts["arms"][code], code)
                arm_boxes.append((x, _box(ax, x, y_arm, allocated, 0.45, multialignment="left"),
                                  _box(ax, x, y_ana, analysed, 0.45, multialignment="left")))

        edges = _edges(ax)
        _arrow(ax, (0.30, edges(registered)[0]), (0.30, edges(randomised)[1]))
        _arrow(ax, (0.30, y_not), (edges(excluded, horizontal=True)[0], y_not))
        split = (edges(randomised)[0] + max(edges(b)[1] for _, b, _ in arm_boxes)) / 2
        ax.plot([0.30, 0.30], [edges(randomised)[0], split], color="0.2", lw=0.9)
        ax.plot([arm_boxes[0][0], arm_boxes[-1][0]], [split, split], color="0.2", lw=0.9)
        for x, allocated, analysed in arm_boxes:
            _arrow(ax, (x, split), (x, edges(allocated)[1]))
            _arrow(ax, (x, edges(allocated)[0]), (x, edges(analysed)[1]))
    return ax
