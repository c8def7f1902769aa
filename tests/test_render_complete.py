"""A run that is not complete (no run record: it failed, was cut short or only partly rerun)
is never rendered: the publication must not mix results of two runs."""

from __future__ import annotations

import pytest

from helpers.render.cli import main


@pytest.mark.parametrize("mode", ["book", "preview"])
def test_incomplete_run_is_not_rendered(tmp_path, capsys, mode):
    run_dir = tmp_path / "run"
    (run_dir / "notebooks").mkdir(parents=True)
    (run_dir / "notebooks" / "01_x.ipynb").write_text("{}")
    params = tmp_path / "params.yaml"
    params.write_text(f"parameters:\n  output_dir: {run_dir}\n")
    assert main([mode, str(params)]) == 1
    err = capsys.readouterr().err
    assert "not rendered" in err and "no completed run" in err
    assert not (run_dir / "_book").exists() and not (run_dir / "preview").exists()
