"""Shared plotting style: applied with ``plt.rc_context``, never set globally.

Text from data or configuration (arm labels, subgroup levels) is drawn literally: mathtext is
off (``text.parse_math``), so a ``$`` in a label is a dollar sign, and Japanese is drawn with the
CJK fallback font (``helpers.core.fonts``).
"""

from __future__ import annotations

from helpers.core.fonts import figure_font_family

# seaborn's "colorblind" palette (sns.color_palette("colorblind").as_hex()), spelled out:
# importing seaborn costs ~0.8 s per notebook kernel (measured with python -X importtime),
# more than a tenth of the supplement's cold run. tests/test_plots.py checks they agree.
COLORBLIND = ("#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc",
              "#ca9161", "#fbafe4", "#949494", "#ece133", "#56b4e9")

PRINT_STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "savefig.dpi": 200,
    "text.parse_math": False,  # labels are text: "$" never starts mathtext
    "font.family": figure_font_family(),  # DejaVu Sans, then Noto Sans CJK JP for Japanese
}


def arm_colors(labels) -> dict:
    """One colour-blind-safe colour per label, in order (seaborn's ``colorblind`` palette,
    cycled beyond ten labels)."""
    return {label: COLORBLIND[i % len(COLORBLIND)] for i, label in enumerate(labels)}

#: Attribute of a Figure holding the notes it must be shown with (``add_figure_note``).
_NOTES = "supplement_notes"


def add_figure_note(fig, text: str) -> None:
    """Attach a note to ``fig`` that must be printed with it (below it, by the notebook
    session's ``figure``), e.g. the Kaplan-Meier tail rule; never drawn into the figure."""
    notes = getattr(fig, _NOTES, None)
    if notes is None:
        notes = []
        setattr(fig, _NOTES, notes)
    if text not in notes:
        notes.append(text)


def figure_notes(fig) -> list[str]:
    """The notes attached to ``fig`` by ``add_figure_note``, in order."""
    return list(getattr(fig, _NOTES, None) or [])
