"""environment.yml (conda) and pyproject.toml must name the same packages and ranges."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-only entries with no PyPI counterpart in pyproject.toml
CONDA_ONLY = {"python", "pip", "quarto", "r-base", "r-survival", "r-metafor", "r-jsonlite", "r-rpact"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+(?:\[[\w,]+\])?)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return dict(_split(r) for r in reqs)


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    entries = [d for d in env["dependencies"] if isinstance(d, str)]
    for d in env["dependencies"]:  # packages installed by pip (not on conda-forge)
        if isinstance(d, dict):
            entries += d.get("pip", [])
    return {n: s for n, s in map(_split, entries) if n not in CONDA_ONLY}


def test_same_packages_and_ranges():
    assert _conda_requirements() == _pyproject_requirements()


def test_conda_env_has_quarto_and_conda_forge():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    assert any(str(d).startswith("quarto") for d in env["dependencies"])
