"""Bad ``output_dir`` / ``data_dir``: a clear ParameterError naming the parameter, the path
and what is wrong, exit status 2, no traceback, nothing written. Uses the toy project of
tests/test_run.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from test_run import project, run_cli  # noqa: F401  (the fixture)


def tree(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*")) if not p.is_symlink() or p.exists()}


def refused(project, capsys, output_dir=None, data_dir=None) -> str:  # noqa: F811
    """Run with the given ``output_dir``/``data_dir``: exit 2, the message, nothing written."""
    project.run_dir = Path(output_dir or project.run_dir)
    project.write_params()
    if data_dir is not None:
        text = project.params.read_text().replace(f"data_dir: {project.data}\n",
                                                  f"data_dir: {data_dir}\n")
        project.params.write_text(text)
    before = tree(project.root)
    code, out, err = run_cli(project, capsys)
    assert code == 2, (out, err)
    assert "Traceback" not in err and out == ""
    assert tree(project.root) == before  # nothing written
    return err


def test_output_dir_below_a_regular_file(project, capsys):  # noqa: F811
    (project.root / "report.txt").write_text("a file")
    err = refused(project, capsys, output_dir=project.root / "report.txt" / "run")
    assert "parameter 'output_dir'" in err and str(project.root / "report.txt" / "run") in err
    assert f"lies below {project.root / 'report.txt'}, which is a regular file" in err


def test_output_dir_that_is_a_regular_file(project, capsys):  # noqa: F811
    (project.root / "run.txt").write_text("a file")
    err = refused(project, capsys, output_dir=project.root / "run.txt")
    assert f"parameter 'output_dir': {project.root / 'run.txt'} is a regular file, not a directory" in err


@pytest.mark.skipif(not Path("/sys/kernel").is_dir(), reason="needs Linux sysfs")
def test_output_dir_not_writable_even_for_root(project, capsys):  # noqa: F811
    """Permission bits do not stop root; sysfs refuses new directories to everyone (EPERM), so
    this fails for root too, as a read-only mount would."""
    err = refused(project, capsys, output_dir="/sys/kernel/jcog1017-run")
    assert "parameter 'output_dir': /sys/kernel/jcog1017-run is not writable" in err
    assert "cannot create a directory in /sys/kernel" in err
    assert not os.path.lexists("/sys/kernel/jcog1017-run")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits")
def test_output_dir_in_a_read_only_directory(project, capsys):  # noqa: F811
    locked = project.root / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        err = refused(project, capsys, output_dir=locked / "run")
    finally:
        locked.chmod(0o700)
    assert f"parameter 'output_dir': {locked / 'run'} is not writable" in err


def test_data_dir_that_is_a_file(project, capsys):  # noqa: F811
    data_file = project.data / "adsl.csv"
    err = refused(project, capsys, data_dir=data_file)
    assert f"parameter 'data_dir': {data_file} is a regular file, not a directory of data files" in err


def test_data_dir_that_is_a_symlink_loop(project, capsys):  # noqa: F811
    loop = project.root / "loop"
    os.symlink(loop, loop)
    err = refused(project, capsys, data_dir=loop)
    assert f"parameter 'data_dir': {loop} is a symbolic link loop, not a directory" in err


def test_data_dir_that_does_not_exist(project, capsys):  # noqa: F811
    err = refused(project, capsys, data_dir=project.root / "nodata")
    assert f"parameter 'data_dir': {project.root / 'nodata'} does not exist" in err


def test_output_dir_holding_other_files_is_not_taken_over(project, capsys):  # noqa: F811
    """A run replaces RUN/notebooks, results, ... by links: never in a directory that no run
    wrote, such as the repository itself."""
    foreign = project.root / "project"
    (foreign / "notebooks").mkdir(parents=True)
    (foreign / "notebooks" / "mine.py").write_text("# not a run's output")
    err = refused(project, capsys, output_dir=foreign)
    assert f"parameter 'output_dir': {foreign} already holds notebooks that no run wrote" in err
