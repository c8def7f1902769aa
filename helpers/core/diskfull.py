"""A full disk as a clear error: "no space left on device at PATH", not an OSError traceback.

The runner and the renderers write everything aside and publish it with one rename, so a write
that fails for lack of space leaves the published run and the previous book as they were; what
the user needs then is the place that filled up (free space there and run again).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator

__all__ = ["DiskFullError", "is_disk_full", "no_space_message", "reporting_disk_full"]

#: How tools that are not Python (pandoc, Typst) say ENOSPC on stderr.
_TOOL_TEXTS = ("No space left on device", "os error 28")


class DiskFullError(OSError):
    """A write failed because the file system is full (errno ENOSPC); ``str()`` names where."""

    def __init__(self, where: str | os.PathLike) -> None:
        super().__init__(errno.ENOSPC, no_space_message(where), os.fspath(where))

    def __str__(self) -> str:
        return self.strerror


def no_space_message(where: str | os.PathLike) -> str:
    return (f"no space left on device at {os.fspath(where)}: free space there and run again "
            "(nothing was published; the previous outputs are kept)")


def is_disk_full(error: BaseException | str) -> bool:
    """True for an ENOSPC ``OSError``, or a tool's error text saying the same."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return any(text in str(error) for text in _TOOL_TEXTS)


@contextlib.contextmanager
def reporting_disk_full(where: str | os.PathLike) -> Iterator[None]:
    """Turn an ENOSPC ``OSError`` inside the block into :class:`DiskFullError` naming the file
    that could not be written (the error's own path, else ``where``)."""
    try:
        yield
    except DiskFullError:
        raise
    except OSError as exc:
        if not is_disk_full(exc):
            raise
        raise DiskFullError(exc.filename or where) from None
