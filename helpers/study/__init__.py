"""The study configuration (a YAML file per trial) and its mapping of ADaM data onto the
supplement: ``load_study`` reads and validates it, ``map_adsl``/``map_adtte`` apply it."""

from helpers.study.config import (DEFAULT_STUDY, Arm, Endpoint, Proportion, StudyConfig,
                                  StudyConfigError, Variable, load_study, resolve_study_path)
from helpers.study.mapping import check_flag, level_text, map_adsl, map_adtte

__all__ = ["DEFAULT_STUDY", "Arm", "Endpoint", "Proportion", "StudyConfig", "StudyConfigError",
           "Variable", "check_flag", "level_text", "load_study", "map_adsl", "map_adtte",
           "resolve_study_path"]
