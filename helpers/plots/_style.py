"""Shared plotting style: applied with ``plt.rc_context``, never set globally."""

from __future__ import annotations

import seaborn as sns

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
}


def arm_colors(labels) -> dict:
    """One colour-blind-safe colour per label, in order (seaborn ``colorblind`` palette)."""
    palette = sns.color_palette("colorblind", n_colors=max(len(labels), 2))
    return {label: palette[i] for i, label in enumerate(labels)}
