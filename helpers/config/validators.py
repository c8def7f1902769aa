"""Validators of the run parameters (``helpers.config.params``) and the study configuration
(``helpers.config.study``): each takes a value read from YAML and returns it clean or raises
``ValueError`` with a message the caller prefixes with the file and the parameter or key.

Times are in months where a name says so; a YAML boolean is never taken as a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["boolean", "choice", "column_hint", "column_list", "column_name", "column_text", "increasing_times",
           "iso_date", "landmark_months", "list_value", "name_mapping", "non_empty_str",
           "optional_str", "positive", "positive_float", "positive_int", "probability", "text"]


# --- column names -----------------------------------------------------------------------------

def column_hint(name: str, columns: Iterable[object]) -> str:
    """Why column ``name`` is not among ``columns`` when it nearly is, as a clause to append:
    "; 'USUBJID ' has a trailing space", "; exists as 'usubjid' (column names are
    case-sensitive)", "; close matches: MENOPAUS"; "" when nothing is close."""
    import difflib

    found = [str(c) for c in columns]
    for column in found:
        if column != name and column.strip() == name:
            where = ("a trailing space" if column.rstrip() == name else
                     "a leading space" if column.lstrip() == name else "spaces around it")
            return f"; {column!r} has {where}: remove it from the column name"
    for column in found:
        if column != name and column.strip().upper() == name.upper():
            return f"; exists as {column!r} (column names are case-sensitive)"
    close = difflib.get_close_matches(name, found, n=3)
    return f"; close matches: {', '.join(close)}" if close else ""


# --- run parameters ----------------------------------------------------------------------------

def non_empty_str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
        return value

    return check


def probability(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a number in (0, 1), got {value!r}")
    if not 0 < value < 1:
        raise ValueError(f"must lie strictly between 0 and 1, got {value!r}")
    return float(value)


def column_name(value: Any) -> str:
    value = non_empty_str(value)
    if not value.replace("_", "").isalnum():
        raise ValueError(f"expected a column name, got {value!r}")
    return value


def column_list(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ValueError(f"expected a list of column names, got {value!r}")
    names = [column_name(item) for item in value]
    if len(set(names)) != len(names):
        raise ValueError(f"column names repeat in {value!r}")
    return names


def landmark_months(value: Any) -> list[float]:
    if isinstance(value, str) or not isinstance(value, list) or not value:
        raise ValueError(f"expected a non-empty list of months, got {value!r}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or item <= 0:
            raise ValueError(f"expected positive numbers of months, got {item!r}")
    if sorted(value) != value or len(set(value)) != len(value):
        raise ValueError(f"expected increasing months, got {value!r}")
    return list(value)


def positive(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return value


def positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a positive integer, got {value!r}")
    return value


def optional_str(value: Any) -> str | None:
    return None if value is None else non_empty_str(value)


def iso_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):  # YAML reads an unquoted 2020-06-30 as a date
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValueError(f"expected an ISO date (YYYY-MM-DD) or null, got {value!r}")


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def name_mapping(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in value.items()):
        raise ValueError(f"expected a mapping of names to names, got {value!r}")
    return dict(value)


# --- study configuration -----------------------------------------------------------------------

def text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
        raise ValueError(f"expected a non-empty text, got {value!r}")
    return str(value).strip()


def column_text(value: Any) -> str:
    value = text(value)
    if not value.replace("_", "").isalnum():
        raise ValueError(f"expected a column name (letters, digits, _), got {value!r}")
    return value


def positive_float(value: Any) -> float:
    """A positive number as float (study configuration: times)."""
    return float(positive(value))


def list_value(value: Any) -> list:
    if isinstance(value, (str, Mapping)) or not isinstance(value, list):
        raise ValueError(f"expected a list, got {value!r}")
    return value


def increasing_times(value: Any) -> tuple[float, ...]:
    items = list_value(value)
    values = [positive_float(v) for v in items]
    if values != sorted(set(values)):
        raise ValueError(f"expected increasing times, got {items}")
    return tuple(values)
