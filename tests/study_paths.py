"""A study configuration read to be written elsewhere (a test's copy): its paths (the study's
words, published figures, trial table) made absolute, as they are relative to its folder."""

from __future__ import annotations

from pathlib import Path

import yaml

STUDIES = Path(__file__).resolve().parents[1] / "studies"
PATH_KEYS = ("bibliography", "text", "reference", "trials")


def portable(data: dict, folder: Path = STUDIES) -> dict:
    """``data`` (a parsed study configuration of ``folder``) with absolute paths."""
    study = data.get("study") or {}
    for key in PATH_KEYS:
        if isinstance(study.get(key), str) and not Path(study[key]).is_absolute():
            study[key] = str(folder / study[key])
    return data


def read_study(path: Path) -> dict:
    """The study configuration ``path``, parsed, with absolute paths (``portable``)."""
    return portable(yaml.safe_load(Path(path).read_text()), Path(path).parent)
