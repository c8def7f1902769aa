"""Atomic, deterministic file and directory writes.

A reader sees either the previous file or the complete new one, never a half-written file:
every write goes to a temporary sibling that is fsynced and then ``os.replace``d into place.
Nothing heavy is imported at module level (the runner's warm path uses this module).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Significant digits kept for floats in results JSON: far beyond any reported precision,
#: few enough that last-bit differences (BLAS summation order) do not change the bytes.
FLOAT_DIGITS = 12

#: Fixed salt for SVG element ids (matplotlib otherwise draws them at random).
SVG_HASHSALT = "trial-supplement"


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp sibling, fsync, ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 with ``\\n`` line endings to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _normalise(value: Any) -> Any:
    """JSON-ready copy of ``value``: numpy scalars/arrays to Python, floats rounded, NaN/inf to None."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        rounded = float(f"{value:.{FLOAT_DIGITS}g}")
        return rounded + 0.0  # -0.0 -> 0.0
    if isinstance(value, dict):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(item) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "tolist"):  # numpy arrays and scalars, without importing numpy
        return _normalise(value.tolist())
    if hasattr(value, "isoformat"):  # dates and datetimes
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to results JSON: {value!r}")


def dumps_json(obj: Any) -> str:
    """Deterministic JSON text: sorted keys, floats to ``FLOAT_DIGITS`` digits, trailing newline."""
    return json.dumps(_normalise(obj), sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as deterministic JSON (see :func:`dumps_json`) atomically."""
    return atomic_write_text(path, dumps_json(obj))


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike) -> Iterator[Path]:
    """Build a directory in a temporary sibling, then swap it into ``target`` on success.

    On an exception the temporary directory is removed and ``target`` is untouched. The swap
    renames the old directory aside, renames the new one into place and deletes the old one:
    ``target`` is missing only between two renames, and each file in it is complete.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".new"))
    os.chmod(tmp, 0o755)
    try:
        yield tmp
        replace_directory(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_directory(source: str | os.PathLike, target: str | os.PathLike) -> None:
    """Move directory ``source`` to ``target``, replacing any existing ``target``."""
    source, target = Path(source), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old"))
        os.replace(target, old / "d")
    os.replace(source, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_path(path: str | os.PathLike) -> None:
    """Remove a file or directory tree if it exists."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def save_figure(fig: Any, path: str | os.PathLike, **savefig_kwargs: Any) -> Path:
    """Save a matplotlib figure atomically with reproducible bytes.

    The format comes from the suffix (.png, .svg, .pdf); 200 dpi and a tight bounding box
    unless ``savefig_kwargs`` say otherwise. Dates and software versions are left
    out of the file's metadata and SVG ids use a fixed salt, so the same figure gives the same
    bytes on every run.
    """
    import matplotlib

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    }.get(fmt, {})
    savefig_kwargs.setdefault("dpi", 200)  # print resolution, whatever the drawing context
    savefig_kwargs.setdefault("bbox_inches", "tight")
    buffer = io.BytesIO()
    # SVG text stays text (selectable and searchable in the book; the fonts are the book's)
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT, "svg.fonttype": "none"}):
        fig.savefig(buffer, format=fmt, metadata=metadata, **savefig_kwargs)
    return atomic_write_bytes(path, buffer.getvalue())


def save_table_csv(df: Any, path: str | os.PathLike, index: bool | None = None) -> Path:
    """Write a pandas DataFrame as CSV atomically: ``\\n`` line ends, floats to 12 digits.

    ``index=None`` writes the index unless it is the default RangeIndex.
    """
    if index is None:
        index = type(df.index).__name__ != "RangeIndex"
    text = df.to_csv(index=index, lineterminator="\n", float_format=f"%.{FLOAT_DIGITS}g")
    return atomic_write_text(path, text)
