"""Quarto-correct without Quarto: ../shared/quarto/validate_quarto.py checks _quarto.yml and
every notebook's `#|` cell options against Quarto's own compiled schema (0 problems)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = ROOT.parent / "shared" / "quarto" / "validate_quarto.py"


@pytest.mark.skipif(not VALIDATOR.is_file(),
                    reason=f"{VALIDATOR} is absent (the shared Quarto schema lives beside the repository)")
def test_project_and_cell_options_match_quartos_schema():
    pytest.importorskip("jsonschema", reason="jsonschema is needed by validate_quarto.py")
    done = subprocess.run([sys.executable, str(VALIDATOR), str(ROOT)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 problem(s)" in done.stdout
