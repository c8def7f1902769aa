"""What data a run read, stated in the supplement: the bundled synthetic data or the user's.

The synthetic generator (the bundled study's ``write_dataset``) writes ``SYNTHETIC.sha256``
beside its files: one ``<sha256>  <file name>`` line per file, the format of ``sha256sum``.
A run's data are the synthetic data exactly when every data file it read is listed there with
its current checksum; any other file (the trial's ADaM, an edited copy) makes the supplement
say which files it read instead of calling them synthetic. A sponsor's own ``SHA256SUMS``
means nothing here: only this generator writes ``SYNTHETIC.sha256``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from helpers.core.checksums import sha256_file

__all__ = ["SYNTHETIC_MANIFEST", "DataSource", "data_source", "write_synthetic_manifest"]

SYNTHETIC_MANIFEST = "SYNTHETIC.sha256"

SYNTHETIC_NOTE = (
    "::: {.callout-important}\n## Synthetic data\n"
    "The patient data of the trial are not public. This run read the bundled **synthetic** "
    "dataset (described in the project's data documentation), calibrated to the published "
    "results, so the numbers below are close to, but not equal to, the paper's. Pointing the "
    "run's data directory at the trial's ADaM data reproduces the analysis on them "
    "unchanged.\n:::\n")


def write_synthetic_manifest(paths: Mapping[str, Path]) -> Path:
    """Write ``SYNTHETIC.sha256`` for the generated files ``paths`` (all in one folder)."""
    files = sorted(Path(p) for p in paths.values())
    folders = {p.parent for p in files}
    if len(folders) != 1:
        raise ValueError(f"synthetic files must share one folder, got {sorted(folders)}")
    manifest = folders.pop() / SYNTHETIC_MANIFEST
    manifest.write_text("".join(f"{sha256_file(p)}  {p.name}\n" for p in files), encoding="utf-8")
    return manifest


def _read_manifest(folder: Path) -> dict[str, str]:
    path = folder / SYNTHETIC_MANIFEST
    if not path.is_file():
        return {}
    entries = (line.split(None, 1) for line in path.read_text(encoding="utf-8").splitlines())
    return {name.strip(): digest for digest, name in (e for e in entries if len(e) == 2)}


@dataclass(frozen=True)
class DataSource:
    """The data files a run read (those of its paths that exist; ADAE is optional) with their
    SHA-256, and whether they are the synthetic generator's output, unchanged."""

    digests: dict[Path, str]
    notes: tuple[str, ...] = ()  # what reading the files changed (helpers.data.readers.reading_notes)

    @property
    def synthetic(self) -> bool:
        """Every file listed with its SHA-256 in the ``SYNTHETIC.sha256`` of its folder."""
        manifests = {folder: _read_manifest(folder) for folder in {p.parent for p in self.digests}}
        return bool(self.digests) and all(
            manifests[path.parent].get(path.name) == digest for path, digest in self.digests.items())

    @property
    def note(self) -> str:
        """A Markdown callout for the supplement: "Synthetic data" with what that means, or the
        files read with the start of their SHA-256 (the full checksums are in the run's
        ``run_record.json``); then what reading them changed (``notes``: trailing delimiters)."""
        read = "".join(f"\n\n{note}" for note in self.notes)
        if self.synthetic:
            return SYNTHETIC_NOTE if not read else SYNTHETIC_NOTE.replace("\n:::\n", f"{read}\n:::\n")
        from helpers.core.textsafe import md_code

        listed = ", ".join(f"{md_code(path.name)} (SHA-256 {digest[:12]}...)"
                           for path, digest in self.digests.items())
        return ("::: {.callout-note}\n## Data\n"
                f"This run read the data sets {listed}; their full checksums, with the study "
                f"configuration and the parameters, are in the run's record.{read}\n:::\n")


def data_source(paths: Mapping[str, Path]) -> DataSource:
    """The :class:`DataSource` of ``paths`` (table -> file): each existing file hashed once."""
    from helpers.data.readers import reading_notes

    files = [Path(p) for p in paths.values() if Path(p).is_file()]
    return DataSource({p: sha256_file(p) for p in files},
                      tuple(note for p in files for note in reading_notes(p)))
