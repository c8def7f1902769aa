"""Each notebook's papermill parameters cell (issue 17): one code cell tagged ``parameters``
that only assigns literals to parameters of ``helpers/config/params.py`` ``SPECS``, each
``None``, meaning "the study's / spec default" (``start`` fills it in), so defaults live in
one place. ``run_label`` and ``output_dir`` may also hold their ``SPECS`` default (where an
interactive session writes).
"""

from __future__ import annotations

import ast

import jupytext
import pytest

from helpers.config.params import SPECS
from helpers.run.plan import discover_notebooks

#: Parameters that may hold their SPECS default instead of None.
MAY_HOLD_DEFAULT = ("run_label", "output_dir")

NOTEBOOKS = {nb.name: nb.source for nb in discover_notebooks()}


def parameters_cell_problems(cells: list) -> list[str]:
    """What is wrong with the parameters cell of a notebook's ``cells`` (nbformat cells)."""
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        return [f"{len(tagged)} cells tagged 'parameters' (papermill needs exactly 1)"]
    cell = tagged[0]
    if cell.get("cell_type") != "code":
        return ["the 'parameters' cell is not a code cell"]
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"the parameters cell does not parse: {exc}"]
    problems, seen = [], set()
    for node in tree.body:
        line = f"line {node.lineno}"
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            problems.append(f"{line}: not a plain 'name = value' assignment")
            continue
        name = node.targets[0].id
        if name in seen:
            problems.append(f"{line}: {name} assigned twice")
        seen.add(name)
        if name not in SPECS:
            problems.append(f"{line}: {name} is no parameter of helpers/config/params.py SPECS")
            continue
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            problems.append(f"{line}: {name} is not a literal")
            continue
        if value is None:
            continue
        if name in MAY_HOLD_DEFAULT and value == SPECS[name].default_value():
            continue
        problems.append(f"{line}: {name} = {value!r}; use None (the default: "
                        f"{SPECS[name].default_value()!r} or the study configuration's)")
    if not seen:
        problems.append("the parameters cell lists no parameter")
    return problems


def _param(name: str):
    return pytest.param(name, id=name)


@pytest.mark.parametrize("notebook", [_param(n) for n in NOTEBOOKS])
def test_parameters_cell_lists_spec_parameters_as_none(notebook):
    cells = jupytext.read(NOTEBOOKS[notebook])["cells"]
    problems = parameters_cell_problems(cells)
    assert not problems, f"{NOTEBOOKS[notebook]}:\n  " + "\n  ".join(problems)


def _cell(source: str, tags=("parameters",)) -> dict:
    return {"cell_type": "code", "metadata": {"tags": list(tags)}, "source": source}


def test_the_check_accepts_none_and_the_run_location_defaults():
    assert parameters_cell_problems([_cell(
        'run_label = "interactive"\noutput_dir = "runs/interactive"\nstudy = None\n'
        'conf_level = None  # None: 0.95\nstrata = None\n')]) == []


@pytest.mark.parametrize("source, problem", [
    ("conf_level = 0.95", "conf_level = 0.95; use None"),
    ('study = "studies/jcog1017.yaml"', "study = 'studies/jcog1017.yaml'; use None"),
    ("meta_versions = {}", "meta_versions = {}; use None"),
    ('run_label = "mine"', "run_label = 'mine'; use None"),
    ("conf_levl = None", "conf_levl is no parameter"),
    ("import os", "not a plain 'name = value' assignment"),
    ("strata = list()", "strata is not a literal"),
    ("strata = None\nstrata = None", "strata assigned twice"),
    ("", "lists no parameter"),
])
def test_the_check_names_each_problem(source, problem):
    found = parameters_cell_problems([_cell(source)])
    assert any(problem in f for f in found), found


def test_the_check_wants_exactly_one_tagged_code_cell():
    assert "0 cells tagged" in parameters_cell_problems([_cell("x = None", tags=())])[0]
    assert "2 cells tagged" in parameters_cell_problems([_cell("strata = None")] * 2)[0]

