"""Reproduction table: every published figure beside the value computed by the supplement.

Key scheme (shared with :mod:`helpers.config.reference`): a dotted path of
the study's file of published figures. ``"results.os.hazard_ratio"`` is the entry's
value; ``"results.os.hazard_ratio.ci_lower"`` / ``".ci_upper"`` its CI bounds; a mapping
value adds its keys (``"results.other.x.arm_a"``). Only numeric figures; entries marked
``uncertain: true`` are left out. ``reference.published_figures()`` lists every valid key.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from helpers.config.reference import published_figures


def reproduction_table(computed: Mapping[str, float], published: list[dict] | None = None,
                       strict: bool = True) -> pd.DataFrame:
    """One row per published figure: path, source, published, computed (NaN when not
    computed), difference (computed - published) and relative difference (difference /
    |published|, NaN when published is 0).

    ``published``: rows ``{path, value, source}`` (default: ``published_figures()``).
    ``strict``: a computed key that matches no published figure raises KeyError (typos
    would otherwise be silently dropped).
    """
    rows = published_figures() if published is None else list(published)
    known = {r["path"] for r in rows}
    unknown = sorted(set(computed) - known)
    if strict and unknown:
        raise KeyError(f"computed keys not among the published figures: {unknown}")
    table = pd.DataFrame(
        {
            "figure": [r["path"] for r in rows],
            "source": [r.get("source") for r in rows],
            "published": [float(r["value"]) for r in rows],
            "computed": [float(computed[r["path"]]) if r["path"] in computed else np.nan
                         for r in rows],
        }
    )
    table["difference"] = table["computed"] - table["published"]
    denom = table["published"].abs().replace(0, np.nan)
    table["relative_difference"] = table["difference"] / denom
    return table
