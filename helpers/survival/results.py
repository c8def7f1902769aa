"""Result containers of ``helpers.survival``: small dataclasses that serialise to JSON.

``JsonResult.to_dict()`` converts every field to plain JSON types: numpy scalars to Python
numbers, numpy arrays to lists, DataFrames to ``{column: [values]}``, Series to
``{index: value}``, nested dicts/lists/dataclasses recursively; NaN and infinities become
``None`` (JSON has no NaN).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["JsonResult", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Return ``value`` as plain JSON types (dict, list, str, int, float, bool, None)."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, JsonResult):
        return value.to_dict()
    if isinstance(value, pd.DataFrame):
        return {str(col): to_jsonable(value[col].to_numpy()) for col in value.columns}
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if callable(getattr(value, "to_dict", None)) and not isinstance(value, type):
        return to_jsonable(value.to_dict())  # result objects choose what they serialise
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    return str(value)


class JsonResult:
    """Mixin for result dataclasses: ``to_dict()`` gives JSON-ready plain types, leaving out
    the fields named in ``_json_exclude`` (data kept on the object for further computation)."""

    _json_exclude: tuple = ()

    def to_dict(self) -> dict[str, Any]:
        return {f.name: to_jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name not in self._json_exclude}
