"""The study configuration: how one trial's CDISC ADaM datasets map onto the supplement.

Over 400 lines because it is one validated schema: the dataclasses and their readers side by
side (the study's words are in ``book``).

A YAML file (``studies/*.yaml``, documented in ``studies/README.md``) names the arm variable
and the two compared arms, the populations, the endpoints, the time unit, strata, subgroups,
Table 1 variables, covariates of the adjusted model, the RMST horizon and landmarks. It is
validated on load: an unknown or misspelt key, a wrong type or an inconsistent value raises
:class:`StudyConfigError` naming the file and the key (``arms.control.value``), before any
data are read. Checks against the data (an arm value absent from ADSL, an endpoint absent from
ADTTE) are made by :mod:`helpers.data.adam_mapping` and name the file and key too.

Only PyYAML is imported here.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from helpers.core.errors import ParameterError
from helpers.config.safe_yaml import YamlError, boolean_hint, load_yaml
from helpers.config.study.outputs import StandardOutputs, parse_outputs
from helpers.config.study.comparisons import comparison_slug, parse_comparisons, parse_levels
from helpers.config.study.book import BOOK_KEYS, StudyBook, parse_book
from helpers.config.study.competing import CompetingRisks, parse_competing_risks
from helpers.config.validators import (boolean as _bool, choice as _choice, column_text as _column,
                                       increasing_times as _landmarks, list_value as _list,
                                       positive_float as _positive, text as _text)

#: Days per unit of time; AVALU values (case-insensitive, singular or plural) name a unit.
DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
UNIT_ALIASES = {"day": "days", "days": "days", "d": "days", "week": "weeks", "weeks": "weeks",
                "month": "months", "months": "months", "year": "years", "years": "years",
                "yr": "years", "yrs": "years"}
VARIABLE_TYPES = ("categorical", "continuous", "flag")
POPULATION_ROLES = ("full_analysis", "per_protocol", "safety")
#: Where relative paths are taken from; the default study of a run.
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_STUDY = "studies/default.yaml"  # a link to the bundled study's configuration


class StudyConfigError(ParameterError):
    """The study configuration is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class Arm:
    """One compared arm: its value of the arm variable and its display label."""

    value: str
    label: str


@dataclass(frozen=True)
class Endpoint:
    """A time-to-event endpoint: ADTTE PARAMCD, display label, event wording (plural, for
    "218 deaths were observed"), and whether the arms are compared (``compare: false`` with a
    ``note`` when the event is the experimental treatment itself)."""

    paramcd: str
    label: str
    events: str = "events"
    compare: bool = True
    note: str = ""


@dataclass(frozen=True)
class Variable:
    """An ADSL variable shown by the supplement: label, type and, for categorical ones, the
    display order of its levels (values outside them are a data error)."""

    name: str
    label: str
    type: str = "categorical"
    levels: tuple = ()
    #: labelled levels (``levels: {0: Female, 1: Male}``): the data values, and ``levels`` are
    #: their labels (what the mapped ADSL column holds); empty for plain levels
    level_values: tuple = ()


@dataclass(frozen=True)
class Proportion:
    """A binary (Y/N) ADSL outcome compared between arms (Fisher's exact test)."""

    name: str
    label: str


#: How the prose names the compared arms when ``arms.names`` does not.
DEFAULT_ARM_NAMES = {"control": "the control arm", "experimental": "the experimental arm"}


@dataclass(frozen=True)
class StudyConfig:
    """A validated study configuration (see ``studies/README.md`` for every key).

    Times: ``time_unit`` is the unit of ADTTE.AVAL where ADTTE has no AVALU (None: AVALU is
    required); analyses and figures use ``display_unit``. ``landmarks`` and ``rmst_horizon``
    are in the display unit.
    """

    path: Path
    study_id: str
    title: str
    arm_variable: str
    arm_label_variable: str | None
    control: Arm
    experimental: Arm
    other_arms: tuple | None
    populations: dict
    primary: Endpoint
    secondary: tuple
    time_unit: str | None
    display_unit: str
    strata: tuple
    subgroups: tuple
    baseline: tuple
    covariates: tuple
    proportions: tuple
    landmarks: tuple
    rmst_horizon: float | None
    reference: str | None
    blank_flag_as: str | None = None
    outputs: StandardOutputs = field(default_factory=StandardOutputs)
    book: StudyBook | None = None  # the study's words (helpers.config.study.book)
    competing_risks: CompetingRisks | None = None
    sha256: str = field(default="", compare=False)
    #: (experimental, control) arm values of every comparison (``comparisons``; default the one
    #: pair of ``arms``); the selected one is ``control``/``experimental`` (``comparison``: slug)
    comparisons: tuple = ()
    arm_value_labels: dict = field(default_factory=dict)
    comparison: str = ""
    #: How the prose names the compared arms, by role (``arms.names``; see ``arm_names``).
    role_names: tuple = (("control", DEFAULT_ARM_NAMES["control"]),
                         ("experimental", DEFAULT_ARM_NAMES["experimental"]))

    publication = property(lambda self: self.book.publication if self.book else None)
    registrations = property(lambda self: self.book.registrations if self.book else ())

    @property
    def arms(self) -> dict[str, Arm]:
        """Supplement arm code -> arm: the control arm is shown as arm A, the experimental
        arm as arm B, whatever the sponsor's values (stated in the flow table)."""
        return {"A": self.control, "B": self.experimental}

    @property
    def arm_labels(self) -> dict[str, str]:
        return {code: arm.label for code, arm in self.arms.items()}

    @property
    def arm_names(self) -> dict[str, str]:
        """Supplement arm code -> how a sentence names the arm (``arms.names``: e.g.
        "arm A"/"arm B"; default "the control arm"/"the experimental arm", so that no study's
        own arm codes are read as the supplement's A and B)."""
        names = dict(self.role_names)
        return {"A": names["control"], "B": names["experimental"]}

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        return (self.primary, *self.secondary)

    def endpoint(self, paramcd: str) -> Endpoint:
        for endpoint in self.endpoints:
            if endpoint.paramcd == paramcd:
                return endpoint
        return Endpoint(paramcd=paramcd, label=paramcd)

    def variable_label(self, name: str) -> str:
        for variable in (*self.subgroups, *self.baseline):
            if variable.name == name:
                return variable.label
        return name

    @property
    def comparison_slugs(self) -> tuple[str, ...]:
        """The run sub-directory name of each comparison (``arm-a-vs-arm-b``)."""
        return tuple(comparison_slug(*pair) for pair in self.comparisons)

    def for_comparison(self, slug: str | None) -> "StudyConfig":
        """The configuration comparing the pair named by ``slug`` (None: the first pair):
        its experimental arm as arm B, its control as arm A, every other arm among the others."""
        if not self.comparisons:
            return self
        slugs = self.comparison_slugs
        if slug is None:
            slug = slugs[0]
        if slug not in slugs:
            raise StudyConfigError(f"{self.path}: parameter 'comparison': unknown comparison "
                                   f"{slug!r} (the study's comparisons: {', '.join(slugs)})")
        experimental, control = self.comparisons[slugs.index(slug)]
        labels = self.arm_value_labels
        every = list(labels)
        others = tuple(v for v in every if v not in (experimental, control))
        if self.other_arms is None and len(self.comparisons) == 1:
            others = None
        return replace(self, control=Arm(control, labels[control]),
                       experimental=Arm(experimental, labels[experimental]),
                       other_arms=others, comparison=slug)

    def level_labels(self) -> dict[str, dict[str, str]]:
        """ADSL column -> {level value (as text) -> display label}, for labelled levels."""
        out: dict[str, dict[str, str]] = {}
        for variable in (*self.subgroups, *self.baseline):
            if variable.level_values:
                out.setdefault(variable.name, {
                    (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)): label
                    for v, label in zip(variable.level_values, variable.levels)})
        return out

    def levels(self) -> dict[str, tuple]:
        """ADSL column -> allowed levels, from the subgroups and Table 1 variables."""
        out: dict[str, tuple] = {}
        for variable in (*self.baseline, *self.subgroups):
            if variable.levels:
                out.setdefault(variable.name, variable.level_values or variable.levels)
        return out

    def shown_levels(self) -> dict[str, tuple]:
        """ADSL column -> its levels in the configured order as the analysis data hold them
        after the ADaM mapping: the display labels where the study labels levels
        (``levels: {F: Female}``), the values otherwise (``levels`` gives the raw values)."""
        out: dict[str, tuple] = {}
        for variable in (*self.baseline, *self.subgroups):
            if variable.levels:
                out.setdefault(variable.name, tuple(variable.levels))
        return out

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration, for the run record and results."""
        out = asdict(self)
        out["path"] = str(self.path)
        if self.book is not None:
            out["book"]["folder"] = str(self.book.folder)
        return out


# --- validation -----------------------------------------------------------------------------

class _Reader:
    """Reads keys of one mapping with errors naming the file and the dotted key."""

    def __init__(self, source: str, data: Any, key: str = "",
                 booleans: Mapping[str, tuple[str, int]] | None = None) -> None:
        self.source, self.key = source, key
        self.booleans = booleans if booleans is not None else {}
        if not isinstance(data, Mapping):
            self.fail(f"expected a mapping, got {type(data).__name__}")
        self.data = dict(data)

    def at(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def fail(self, message: str, name: str | None = None) -> None:
        key = self.at(name) if name is not None else (self.key or "(top level)")
        hint = boolean_hint(self.booleans, key) if name is not None or self.key else ""
        raise StudyConfigError(f"{self.source}: key {key!r}: {message}{hint}")

    def check_keys(self, known: tuple[str, ...]) -> None:
        for name in self.data:
            if name not in known:
                close = difflib.get_close_matches(str(name), known, n=2)
                hint = f"; did you mean {' or '.join(close)}?" if close else ""
                self.fail(f"unknown key{hint} (known: {', '.join(known)})", str(name))

    def get(self, name: str, check: Callable[[Any], Any], default: Any = ..., ) -> Any:
        if name not in self.data or self.data[name] is None:
            if default is ...:
                self.fail("is required", name)
            return default
        try:
            return check(self.data[name])
        except ValueError as exc:
            self.fail(str(exc), name)

    def sub(self, name: str, required: bool = True) -> "_Reader | None":
        if name not in self.data or self.data[name] is None:
            if required:
                self.fail("is required", name)
            return None
        return _Reader(self.source, self.data[name], self.at(name), self.booleans)

    def item(self, data: Any, key: str) -> "_Reader":
        return _Reader(self.source, data, key, self.booleans)


def _unit(value: Any) -> str:
    unit = UNIT_ALIASES.get(_text(value).lower())
    if unit is None:
        raise ValueError(f"unknown time unit {value!r}; expected one of {', '.join(DAYS_PER_UNIT)}")
    return unit


def _list_item(reader: _Reader, name: str, i: int, value: Any, check: Callable[[Any], Any]) -> Any:
    """``check(value)`` of item ``i`` of list ``name``; a failure names ``name[i]``."""
    try:
        return check(value)
    except ValueError as exc:
        reader.fail(str(exc), f"{name}[{i}]")


def _columns(reader: _Reader, name: str) -> tuple[str, ...]:
    names = [_list_item(reader, name, i, item, _column)
             for i, item in enumerate(reader.get(name, _list, []))]
    if len(set(names)) != len(names):
        reader.fail(f"names repeat: {names}", name)
    return tuple(names)


def _arm(reader: _Reader, name: str) -> Arm:
    sub = reader.sub(name)
    sub.check_keys(("value", "label"))
    value = sub.get("value", _text)
    return Arm(value=value, label=sub.get("label", _text, value))


def _other_arm(arms: _Reader, i: int, item: Any, labels: dict) -> str:
    """One of ``arms.others``: a value or ``{value, label}`` (its label when it is compared)."""
    if not isinstance(item, Mapping):
        value = _list_item(arms, "others", i, item, _text)
        labels.setdefault(value, value)
        return value
    sub = arms.item(item, f"{arms.at('others')}[{i}]")
    sub.check_keys(("value", "label"))
    value = sub.get("value", _text)
    labels.setdefault(value, sub.get("label", _text, value))  # a compared arm: refused below
    return value


def _endpoint(reader: _Reader) -> Endpoint:
    reader.check_keys(("paramcd", "label", "events", "compare", "note"))
    paramcd = reader.get("paramcd", _text)
    return Endpoint(paramcd=paramcd, label=reader.get("label", _text, paramcd),
                    events=reader.get("events", _text, "events"),
                    compare=reader.get("compare", _bool, True), note=reader.get("note", _text, ""))


def _variables(reader: _Reader, name: str) -> tuple[Variable, ...]:
    out = []
    for i, item in enumerate(reader.get(name, _list, [])):
        if isinstance(item, str):
            item = {"variable": item}
        sub = reader.item(item, f"{reader.at(name)}[{i}]")
        sub.check_keys(("variable", "label", "type", "levels"))
        variable = sub.get("variable", _column)
        kind = sub.get("type", _text, "categorical")
        if kind not in VARIABLE_TYPES:
            sub.fail(f"expected one of {', '.join(VARIABLE_TYPES)}, got {kind!r}", "type")
        for j, level in enumerate(sub.data.get("levels") or []
                                  if isinstance(sub.data.get("levels"), list) else []):
            if not isinstance(level, Mapping):  # not a boolean (unquoted yes/no): names the item
                _list_item(sub, "levels", j, level, _text)
        levels, level_labels = sub.get("levels", parse_levels, ((), ()))
        if levels and kind != "categorical":
            sub.fail(f"levels are for categorical variables, not {kind}", "levels")
        if len(set(map(str, levels))) != len(levels):
            sub.fail(f"levels repeat: {list(levels)}", "levels")
        if levels and len(levels) < 2:
            sub.fail("a variable with one level has nothing to compare", "levels")
        out.append(Variable(variable, sub.get("label", _text, variable), kind,
                            level_labels or levels, levels if level_labels else ()))
    names = [v.name for v in out]
    if len(set(names)) != len(names):
        reader.fail(f"variables repeat: {names}", name)
    return tuple(out)


TOP_KEYS = ("study", "arms", "populations", "time", "endpoints", "strata", "subgroups",
            "baseline", "covariates", "proportions", "landmarks", "rmst_horizon", "blank_flag_as",
            "outputs", "comparisons", "competing_risks")
#: ``blank_flag_as``: a blank ``*FL`` flag read as N (absent: blank population flags are errors)
BLANK_FLAG_VALUES = ("N",)


def parse_study(data: Any, source: str, path: Path,
                booleans: Mapping[str, tuple[str, int]] | None = None) -> StudyConfig:
    """Validate the parsed YAML ``data`` of a study configuration read from ``source``
    (``booleans``: where YAML read an unquoted word as a boolean, for the error messages)."""
    top = _Reader(source, data, booleans=booleans)
    top.check_keys(TOP_KEYS)

    study = top.sub("study")
    study.check_keys(("id", "title", "reference", *BOOK_KEYS))
    study_id = study.get("id", _text)
    book = parse_book(study, study_id, path.parent, _text, _list, _column)

    arms = top.sub("arms")
    arms.check_keys(("variable", "label_variable", "control", "experimental", "others", "names"))
    control, experimental = _arm(arms, "control"), _arm(arms, "experimental")
    names = arms.sub("names", required=False)
    role_names = dict(DEFAULT_ARM_NAMES)
    if names is not None:
        names.check_keys(tuple(DEFAULT_ARM_NAMES))
        role_names.update({role: names.get(role, _text, role_names[role]) for role in role_names})
        if role_names["control"].lower() == role_names["experimental"].lower():
            names.fail(f"control and experimental have the same name {role_names['control']!r}",
                       "experimental")
    if control.value == experimental.value:
        arms.fail(f"control and experimental have the same value {control.value!r}",
                  "experimental.value")
    others = arms.get("others", _list, None)
    value_labels = {control.value: control.label, experimental.value: experimental.label}
    if others is not None:
        others = tuple(_other_arm(arms, i, v, value_labels) for i, v in enumerate(others))
        clash = {control.value, experimental.value} & set(others)
        if clash:
            arms.fail(f"lists a compared arm among the others: {sorted(clash)}", "others")

    comparisons = ((experimental.value, control.value),)
    if top.data.get("comparisons") is not None:
        try:
            comparisons = parse_comparisons(top.data["comparisons"], list(value_labels))
        except ValueError as exc:
            index, sep, message = str(exc).partition("]: ")
            if sep and index.startswith("["):
                top.fail(message, f"comparisons{index}]")
            top.fail(str(exc), "comparisons")

    pops = top.sub("populations")
    pops.check_keys(POPULATION_ROLES)
    populations = {role: pops.get(role, _column, None) for role in POPULATION_ROLES}
    if populations["full_analysis"] is None:
        pops.fail("is required (the ADSL flag of the full analysis set, e.g. ITTFL or FASFL)",
                  "full_analysis")

    time = top.sub("time", required=False) or _Reader(source, {}, "time")
    time.check_keys(("unit", "display_unit"))

    endpoints = top.sub("endpoints")
    endpoints.check_keys(("primary", "secondary"))
    primary = _endpoint(endpoints.sub("primary"))
    secondary = []
    for i, item in enumerate(endpoints.get("secondary", _list, [])):
        secondary.append(_endpoint(top.item(item, f"endpoints.secondary[{i}]")))
    codes = [e.paramcd for e in (primary, *secondary)]
    if len(set(codes)) != len(codes):
        endpoints.fail(f"PARAMCD repeats: {codes}")
    if not primary.compare:
        endpoints.fail("the primary endpoint must compare the arms", "primary.compare")

    strata = _columns(top, "strata")
    subgroups = _variables(top, "subgroups")
    baseline = _variables(top, "baseline")
    for variable in subgroups:
        if variable.type == "continuous":
            top.fail(f"subgroup {variable.name!r} is continuous: give a categorical variable "
                     "(e.g. AGEGR1) with its levels", "subgroups")
    proportions = []
    for i, item in enumerate(top.get("proportions", _list, [])):
        sub = top.item(item, f"proportions[{i}]")
        sub.check_keys(("variable", "label"))
        column = sub.get("variable", _column)
        proportions.append(Proportion(column, sub.get("label", _text, column)))

    arm_columns = {arms.get("variable", _column), arms.get("label_variable", _column, None)}
    for name, columns in (("strata", strata), ("subgroups", [v.name for v in subgroups]),
                          ("covariates", _columns(top, "covariates"))):
        clash = arm_columns & set(columns)
        if clash:
            top.fail(f"the arm variable {sorted(clash)[0]} cannot also be in {name}", name)

    return StudyConfig(
        path=path, study_id=study_id, title=study.get("title", _text, study_id),
        arm_variable=arms.get("variable", _column),
        arm_label_variable=arms.get("label_variable", _column, None),
        control=control, experimental=experimental, other_arms=others,
        populations=populations, primary=primary, secondary=tuple(secondary),
        time_unit=time.get("unit", _unit, None),
        display_unit=time.get("display_unit", _unit, "months"),
        strata=strata,
        subgroups=subgroups,
        baseline=baseline,
        covariates=_columns(top, "covariates"),
        proportions=tuple(proportions),
        landmarks=top.get("landmarks", _landmarks, ()),
        rmst_horizon=top.get("rmst_horizon", _positive, None),
        reference=study.get("reference", _text, None),
        blank_flag_as=top.get("blank_flag_as", _choice(*BLANK_FLAG_VALUES), None),
        outputs=parse_outputs(top.sub("outputs", required=False), book.procedure),
        comparisons=comparisons,
        arm_value_labels=value_labels,
        role_names=tuple(role_names.items()),
        book=book,
        competing_risks=parse_competing_risks(top.sub("competing_risks", required=False),
                                              (primary, *secondary)),
    )


def resolve_study_path(path: str | os.PathLike | None) -> Path:
    """``path`` as an absolute path (relative ones from the repository root); None: the
    default study (``DEFAULT_STUDY``, the study of the bundled synthetic data)."""
    path = Path(path if path is not None else DEFAULT_STUDY).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def load_study(path: str | os.PathLike | None = None) -> StudyConfig:
    """Read and validate a study configuration (default: ``DEFAULT_STUDY``)."""
    import hashlib

    path = resolve_study_path(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise StudyConfigError(f"{path}: study configuration is a directory, not a YAML file") from None
    except OSError as exc:
        raise StudyConfigError(f"{path}: cannot read study configuration ({exc.strerror})") from None
    sha256 = hashlib.sha256(raw).hexdigest()
    try:
        document = _read_yaml(raw, str(path), sha256)
    except YamlError as exc:
        raise StudyConfigError(str(exc)) from None
    if document.data is None:
        raise StudyConfigError(f"{path}: the study configuration is empty")
    config = parse_study(document.data, str(path), path, document.booleans)
    return replace(config, sha256=sha256)


#: Parsed study YAML by (path, sha256 of its bytes): a run's runner validates every notebook's
#: parameters, and each reads the study (~50 reads of one file, ~15 ms each to parse). Keyed
#: by content, so an edited file is read again; the checks of ``parse_study`` (files that must
#: exist, ...) run on every call.
_PARSED: dict[tuple[str, str], Any] = {}


def _read_yaml(raw: bytes, source: str, sha256: str):
    """``load_yaml(raw, source)``, a deep copy of the parse of the same bytes when there is one."""
    import copy

    key = (source, sha256)
    if key not in _PARSED:
        if len(_PARSED) >= 16:
            _PARSED.clear()
        _PARSED[key] = load_yaml(raw, source)
    return copy.deepcopy(_PARSED[key])
