"""The study configuration (a YAML file per trial) and its mapping of ADaM data onto the
supplement: ``load_study`` reads and validates it (PyYAML only: the runner decides what is
unchanged without pandas), ``map_adsl``/``map_adtte`` apply it (pandas, imported on first use).
"""

from helpers.study.config import (DEFAULT_STUDY, Arm, Endpoint, Proportion, StudyConfig,
                                  StudyConfigError, Variable, load_study, resolve_study_path)

_MAPPING = ("check_flag", "level_text", "map_adsl", "map_adtte")

__all__ = ["DEFAULT_STUDY", "Arm", "Endpoint", "Proportion", "StudyConfig", "StudyConfigError",
           "Variable", "load_study", "resolve_study_path", *_MAPPING]


def __getattr__(name: str):
    if name in _MAPPING:
        from helpers.study import mapping

        return getattr(mapping, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
