"""SHA-256 of a file (hex digest), read in 1 MiB blocks: the checksums of the run record and
of the synthetic data's ``SYNTHETIC.sha256``."""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["sha256_file"]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
