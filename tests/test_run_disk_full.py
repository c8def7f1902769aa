"""A full disk during a run (tests/test_run.py's toy notebooks): the run fails with "no space
left on device at PATH" (exit 1, no traceback), its unpublished generation is removed and the
previous complete run stays published, byte for byte."""
from __future__ import annotations

import errno

import pytest

import helpers.run.execute as runner  # promote, atomic_write_json and current_generation as the runner uses them
from test_run import Project, project, run_cli  # noqa: F401 (the fixture)


@pytest.mark.slow
@pytest.mark.parametrize("step", ["promote", "manifest"])
def test_full_disk_removes_the_unpublished_generation_and_says_where(project, capsys, monkeypatch,
                                                                     step):
    code, out, err = run_cli(project, capsys, "--workers", "2")
    assert code == 0, err
    before = project.snapshot()
    published = runner.current_generation(project.run_dir)
    (project.data / "adsl.csv").write_text("USUBJID,AGE\n001,51\n002,61\n003,47\n")  # new data

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if step == "promote":  # moving a finished notebook's outputs into the new generation
        monkeypatch.setattr(runner, "promote", full)
    else:  # the new generation's manifest, after every notebook succeeded
        monkeypatch.setattr(runner, "atomic_write_json", full)
    code, out, err = run_cli(project, capsys, "--workers", "2")
    assert code == 1
    assert f"supplement-run: no space left on device at {project.run_dir}" in err
    assert "Traceback" not in err
    assert runner.current_generation(project.run_dir) == published
    assert [p.name for p in (project.run_dir / ".generations").iterdir()] == [published.name]
    assert not (project.run_dir / ".staging").exists()
    assert project.snapshot() == before
