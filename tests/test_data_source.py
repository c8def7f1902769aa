"""The supplement says which data a run read: the bundled synthetic data only when every file
is the generator's, unchanged (helpers.data.source)."""

import shutil

import pytest

from conftest import ROOT
from helpers.data.source import SYNTHETIC_MANIFEST, data_source, write_synthetic_manifest

DATA = ROOT / "data"
TABLES = ("adsl", "adtte", "adae")


def _synthetic(paths):
    return data_source(paths).synthetic


def _note(paths):
    return data_source(paths).note


def _paths(folder):
    return {table: folder / f"{table}.csv" for table in TABLES}


def test_the_bundled_data_are_synthetic():
    assert _synthetic(_paths(DATA))
    note = _note(_paths(DATA))
    assert note.startswith("::: {.callout-important}\n## Synthetic data\n")
    assert "not equal to, the paper's" in note


def test_an_edited_or_foreign_file_is_not_called_synthetic(tmp_path):
    for table in TABLES:
        shutil.copy(DATA / f"{table}.csv", tmp_path)
    shutil.copy(DATA / SYNTHETIC_MANIFEST, tmp_path)
    assert _synthetic(_paths(tmp_path))  # a copy of the generator's output is still it
    with open(tmp_path / "adtte.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")  # one byte more: no longer the synthetic data
    assert not _synthetic(_paths(tmp_path))
    note = _note(_paths(tmp_path))
    assert note.startswith("::: {.callout-note}\n## Data\n") and "Synthetic" not in note
    assert "`adsl.csv` (SHA-256 " in note and "`adtte.csv` (SHA-256 " in note


def test_a_sponsors_checksum_file_or_no_file_is_not_synthetic(tmp_path):
    shutil.copy(DATA / "adsl.csv", tmp_path)
    (tmp_path / "SHA256SUMS").write_text((DATA / SYNTHETIC_MANIFEST).read_text())
    paths = {"adsl": tmp_path / "adsl.csv", "adae": tmp_path / "adae.csv"}  # ADAE absent
    assert not _synthetic(paths)
    assert "`adsl.csv`" in _note(paths) and "adae" not in _note(paths)
    assert not _synthetic({"adsl": tmp_path / "missing.csv"})


def test_the_manifest_lists_the_files_of_one_folder(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    manifest = write_synthetic_manifest({"a": tmp_path / "a.csv"})
    assert manifest.read_text().endswith("  a.csv\n")
    assert _synthetic({"a": tmp_path / "a.csv"})
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.csv").write_text("y\n")
    with pytest.raises(ValueError, match="one folder"):
        write_synthetic_manifest({"a": tmp_path / "a.csv", "b": tmp_path / "sub" / "b.csv"})
