"""A run on a malformed data file: the notebook stops with the reader's message (the real
cause, not a traceback of a symptom) and nothing of the run is published. Uses the toy project
of tests/test_run.py plus a notebook that reads ADSL with helpers.data.readers.read_table."""

from __future__ import annotations

import pytest

from test_run import project, run_cli  # noqa: F401  (the fixture)

READER = '''# %% tags=["parameters"]
output_dir = "runs/interactive"
data_dir = "data"

# %%
from helpers.data.readers import read_table
from helpers.config.params import resolve_path
from helpers.notebook.context import notebook_context

adsl = read_table(resolve_path(data_dir) / "adsl.csv")
notebook_context(output_dir=output_dir, notebook="04_reader").write_results({"n": len(adsl)})
'''


@pytest.mark.slow
def test_semicolon_file_stops_the_run_naming_the_separator_and_publishes_nothing(project, capsys):  # noqa: F811
    (project.notebooks / "04_reader.py").write_text(READER)
    assert run_cli(project, capsys, "--workers", "2")[0] == 0
    before = project.snapshot()

    (project.data / "adsl.csv").write_text("USUBJID;AGE\n001;50\n002;61\n")
    code, out, err = run_cli(project, capsys, "--workers", "2", "--notebooks", "04")
    assert code == 1
    assert "notebook 04_reader failed in cell" in err and "04_reader.py:6" in err
    assert f"DataValidationError: {project.data / 'adsl.csv'}: the separator is ';' (semicolon)" in err
    after = project.snapshot()
    assert after.pop("failed/04_reader.ipynb")
    assert after == before
