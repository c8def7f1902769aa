"""The papermill parameter set shared by all notebooks, validated.

A parameter file (``params/*.yaml``) holds a top-level ``parameters:`` mapping shared by all
notebooks and an optional ``notebooks:`` mapping of per-notebook overrides keyed by notebook
stem (``03_overall_survival: {conf_level: 0.99}``). Bad names, types or values raise
:class:`~helpers.core.errors.ParameterError` naming the parameter and the file. Relative paths
(``data_dir``, ``output_dir``) are relative to the repository root, not the working directory.

Only PyYAML is imported here: the runner decides what is unchanged without pandas.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.core.errors import ParameterError
from helpers.config.safe_yaml import boolean_hint, load_yaml
from helpers.config.validators import column_hint
from helpers.config.validators import (boolean as _bool, choice as _choice, column_list as _column_list,
                                       column_name as _column_name, iso_date as _iso_date,
                                       landmark_months as _landmarks, name_mapping as _name_mapping,
                                       non_empty_str as _str, optional_str as _optional_str,
                                       positive as _positive, positive_int as _positive_int,
                                       probability as _probability)

#: The repository root: relative ``data_dir``/``output_dir`` are resolved against it.
REPO_ROOT = Path(__file__).resolve().parents[2]

DATA_FORMATS = ("auto", "csv", "parquet", "xpt", "sas7bdat")
SIDED = ("one-sided", "two-sided")
TIES = ("efron", "breslow")
KM_CONF_TYPES = ("log-log", "log", "plain")
#: Old parameter names: accepted with a deprecation message. ``landmarks_months`` is now
#: ``landmarks`` (in the study's display unit); ``time_unit`` never did anything (the unit is
#: the study configuration's ``time.display_unit``) and is ignored.
DEPRECATED = {
    "landmarks_months": ("landmarks", "parameter 'landmarks_months' is deprecated: write "
                         "'landmarks' (times in the study's display unit)"),
    "time_unit": (None, "parameter 'time_unit' is deprecated and ignored: the unit of the "
                  "analyses is the study configuration's time.display_unit"),
}


@dataclass(frozen=True)
class Spec:
    """One parameter: a check returning the clean value (or raising ``ValueError``) and a default."""

    check: Callable[[Any], Any]
    default: Any = None
    default_factory: Callable[[], Any] | None = None

    def default_value(self) -> Any:
        return self.default_factory() if self.default_factory else self.default


SPECS: dict[str, Spec] = {
    "run_label": Spec(_str, "interactive"),
    "study": Spec(_str, "studies/default.yaml"),
    "data_dir": Spec(_str, "data"),
    "data_format": Spec(_choice(*DATA_FORMATS), "auto"),
    "population": Spec(_column_name, None),
    "endpoint": Spec(_column_name, None),
    "conf_level": Spec(_probability, 0.95),
    "primary_conf_level": Spec(_probability, 0.90),
    "sided": Spec(_choice(*SIDED), "one-sided"),
    "strata": Spec(_column_list, None),
    "subgroups": Spec(_column_list, None),
    "ties": Spec(_choice(*TIES), "efron"),
    "km_conf_type": Spec(_choice(*KM_CONF_TYPES), "log-log"),
    # Kaplan-Meier tail rule: curves stop where fewer than this many patients of the arm remain
    # at risk (a value below 1: that share of the arm); stated in each figure's note
    "km_tail_min_at_risk": Spec(_positive, 10),
    # Kaplan-Meier median reference lines (dashed, at 50% and at each arm's median), stated
    # in the figure's note; off by default, as journals print KM curves
    "km_median_lines": Spec(_bool, False),
    "landmarks": Spec(_landmarks, None),
    # the comparison of a study with several (``comparisons``): its slug, e.g. arm-a-vs-arm-b;
    # None: the first (the runner runs every comparison into RUN/<slug>/)
    "comparison": Spec(_optional_str, None),
    "rmst_horizon": Spec(_positive, None),
    "data_cut": Spec(_iso_date, None),
    "output_dir": Spec(_str, "runs/interactive"),
    # meta-analysis (08_meta_analysis): pooling method (helpers.meta.METHODS), HKSJ, whether
    # trials flagged uncertain are pooled, trial id -> version of helpers/config/reference/ptr_trials.yaml
    "meta_method": Spec(_choice("FE", "DL", "REML", "PM"), "REML"),
    "meta_hksj": Spec(_bool, False),
    "meta_include_uncertain": Spec(_bool, False),
    "meta_versions": Spec(_name_mapping, default_factory=dict),
    # design simulation (09_design): replicates per scenario / per power-curve point (small so
    # the supplement stays fast), the seed, and a dask.distributed scheduler (None: local cores)
    "sim_replicates": Spec(_positive_int, 200),
    "sim_curve_replicates": Spec(_positive_int, 100),
    "sim_seed": Spec(_positive_int, 20110),
    "sim_dask_address": Spec(_optional_str, None),
}

#: Parameters whose default (None) is the study configuration's: parameter -> how to read it.
STUDY_DEFAULTS: dict[str, Callable[[Any], Any]] = {
    "population": lambda study: study.populations["full_analysis"],
    "endpoint": lambda study: study.primary.paramcd,
    "strata": lambda study: list(study.strata),
    "subgroups": lambda study: [v.name for v in study.subgroups],
    "landmarks": lambda study: [_plain(t) for t in study.landmarks] or [36, 60],
    "rmst_horizon": lambda study: study.rmst_horizon,
}


def _plain(value: float) -> float | int:
    """12.0 -> 12 so that parameters read back as written in YAML."""
    return int(value) if float(value).is_integer() else value


#: Parameters naming ADSL columns, checked against the data by :func:`check_columns`.
COLUMN_PARAMETERS = ("population", "strata", "subgroups")


def validate(values: Mapping[str, Any], source: str = "parameters",
             fill_defaults: bool = True,
             booleans: Mapping[str, tuple[str, int]] | None = None) -> dict[str, Any]:
    """Checked copy of ``values``; with ``fill_defaults`` every parameter is present.

    ``source`` names where the values come from (a file) in error messages; ``booleans``
    (parameter -> the word and line YAML read as a boolean, from
    :class:`~helpers.config.safe_yaml.YamlDocument`) turns "expected text, got False" into
    "write 'no' in quotes".
    """
    if not isinstance(values, Mapping):
        raise ParameterError(f"{source}: parameters must be a mapping, got {type(values).__name__}")
    clean: dict[str, Any] = {}
    values = _renamed(values, source)
    for name, value in values.items():
        spec = SPECS.get(name)
        if spec is None:
            close = difflib.get_close_matches(str(name), SPECS, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ParameterError(f"{source}: unknown parameter {name!r}{hint} "
                                 f"(known: {', '.join(SPECS)})")
        try:
            clean[name] = spec.check(value)
        except ValueError as exc:
            hint = boolean_hint(booleans or {}, str(name))
            raise ParameterError(f"{source}: parameter {name!r}: {exc}{hint}") from None
    if fill_defaults:
        for name, spec in SPECS.items():
            if name not in clean:
                clean[name] = spec.default_value()
        missing = [name for name in STUDY_DEFAULTS if clean.get(name) is None]
        if missing:
            from helpers.config.study import load_study

            study = load_study(clean["study"])
            for name in missing:
                clean[name] = STUDY_DEFAULTS[name](study)
    return {name: clean[name] for name in SPECS if name in clean}


def _renamed(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``values`` with deprecated names replaced (a warning each; both names given: an error)."""
    import warnings

    out = dict(values)
    for old, (new, message) in DEPRECATED.items():
        if old not in out:
            continue
        value = out.pop(old)
        if new is not None and value is not None:
            if out.get(new) is not None and out[new] != value:
                raise ParameterError(f"{source}: parameters {old!r} and {new!r} both given and "
                                     f"different; write only {new!r}")
            out.setdefault(new, value)
            if out[new] is None:
                out[new] = value
        if value is not None:
            warnings.warn(f"{source}: {message}", FutureWarning, stacklevel=3)
    return out


def resolve_path(path: str | os.PathLike) -> Path:
    """``path`` as an absolute path; a relative one is taken relative to the repository root."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class ParameterFile:
    """A parsed parameter file: shared ``parameters`` and per-notebook ``overrides``.

    Values are validated but defaults are not filled in (that may import pandas); use
    :meth:`for_notebook` for the complete set a notebook receives.
    """

    path: Path
    parameters: dict[str, Any]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    def given(self, notebook: str) -> dict[str, Any]:
        """Parameters given for ``notebook`` in the file (shared, then its overrides)."""
        return {**self.parameters, **self.overrides.get(notebook, {})}

    def for_notebook(self, notebook: str) -> dict[str, Any]:
        """The complete parameter set of ``notebook``, defaults filled in."""
        return validate(self.given(notebook), str(self.path))

    @property
    def output_dir(self) -> Path:
        """The run directory, absolute."""
        return resolve_path(self.parameters.get("output_dir", SPECS["output_dir"].default))

    @property
    def run_label(self) -> str:
        return self.parameters.get("run_label", self.path.stem)


def load_parameter_file(path: str | os.PathLike) -> ParameterFile:
    """Read and validate a parameter file (see the module docstring for its shape)."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{source}: cannot read parameter file ({exc.strerror})") from None
    document = load_yaml(text, source)
    data = document.data or {}
    if not isinstance(data, dict):
        raise ParameterError(f"{source}: expected a mapping with 'parameters' and 'notebooks'")
    unknown = set(data) - {"parameters", "notebooks"}
    if unknown:
        raise ParameterError(f"{source}: unknown top-level key(s) {', '.join(sorted(map(str, unknown)))}"
                             " (expected 'parameters' and optionally 'notebooks')")
    def words(prefix: str) -> dict[str, tuple[str, int]]:
        return {key[len(prefix):]: word for key, word in document.booleans.items()
                if key.startswith(prefix)}

    shared = validate(data.get("parameters") or {}, source, fill_defaults=False,
                      booleans=words("parameters."))
    notebooks = data.get("notebooks") or {}
    if not isinstance(notebooks, dict):
        raise ParameterError(f"{source}: 'notebooks' must map notebook names to parameters")
    overrides = {}
    for name, values in notebooks.items():
        overrides[str(name)] = validate(values or {}, f"{source}: notebooks.{name}",
                                        fill_defaults=False, booleans=words(f"notebooks.{name}."))
        if "output_dir" in overrides[str(name)]:
            raise ParameterError(f"{source}: notebooks.{name}: parameter 'output_dir' "
                                 "is per run, not per notebook")
    from helpers.config.study import load_study  # a bad study configuration stops the run here

    for study in {values.get("study", shared.get("study")) for values in [shared, *overrides.values()]}:
        load_study(study if study is not None else SPECS["study"].default)
    return ParameterFile(path, shared, overrides)


def check_columns(params: Mapping[str, Any], adsl_columns: Iterable[str],
                  names: Iterable[str] = COLUMN_PARAMETERS) -> None:
    """Raise ParameterError when a parameter names a column that ADSL does not have.

    ``names`` are the parameters holding column names (a name or a list of names); the
    message names the parameter, the unknown column and close matches among ``adsl_columns``.
    """
    columns = list(adsl_columns)
    for name in names:
        value = params.get(name)
        if value is None:
            continue
        for column in [value] if isinstance(value, str) else value:
            if column not in columns:
                raise ParameterError(f"parameter {name!r}: column {column!r} is not in "
                                     f"ADSL{column_hint(column, columns)}")
