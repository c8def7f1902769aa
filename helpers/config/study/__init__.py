"""The study configuration (a YAML file per trial): ``load_study`` reads and validates it
(PyYAML only: the runner decides what is unchanged without pandas). Its mapping of ADaM data
onto the supplement is ``helpers.data.adam_mapping``.
"""

from helpers.config.study.competing import CompetingRisks
from helpers.config.study.config import (DEFAULT_STUDY, Arm, Endpoint, Proportion, StudyConfig,
                                         StudyConfigError, Variable, load_study, resolve_study_path)

__all__ = ["DEFAULT_STUDY", "Arm", "CompetingRisks", "Endpoint", "Proportion", "StudyConfig",
           "StudyConfigError", "Variable", "load_study", "resolve_study_path"]
