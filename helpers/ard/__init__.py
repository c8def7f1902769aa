"""Analysis results data (ARD): every statistic the supplement shows, as one row.

The long format of R's {cards} (``group1``, ``group1_level``, ..., ``stat_name``, ``stat``,
``warning``, ``error``) plus CDISC ARS traceability (``analysis_id``, ``output_id``,
``method_id``, ``paramcd``, ``population``, ``data_cut``, ``conf_level``); documented in
``docs/ard.md``. Analyses compute result objects; the builders here turn them into rows; the
report layer formats rows into tables, annotations and sentences.

- ``schema``: the columns, ``validate_ard`` (types, required values, unique keys), ``combine``
- ``build``: ``ArdBuilder``, which collects rows sharing an analysis's context
- ``survival``: rows of Kaplan-Meier, Cox, log-rank, follow-up and RMST results
- ``lookup``: ``ArdView``, reading one statistic back (the report layer's only entry)
"""

from .build import ArdBuilder
from .lookup import ArdLookupError, ArdView
from .schema import ARD_COLUMNS, ARD_KEY, ArdSchemaError, combine, empty_ard, validate_ard

__all__ = ["ARD_COLUMNS", "ARD_KEY", "ArdBuilder", "ArdLookupError", "ArdSchemaError", "ArdView",
           "combine", "empty_ard", "validate_ard"]
