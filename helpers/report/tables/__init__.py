"""Tables of the supplement as pandas DataFrames (the notebooks display them, Quarto renders
them): Table 1, AE tables, Cox table, CONSORT tables, the reproduction table, the chapter tables
of the endpoints, subgroups, sensitivity analyses and the meta-analysis. Numbers are formatted
by ``helpers.report.format``."""

from .baseline import table1
from .models import hazard_ratio_table
from .populations import analysis_sets_table, arm_b_surgery_table, consort_table
from .reproduction import reproduction_table
from .safety import ae_table, operative_morbidity_table

__all__ = [
    "ae_table", "analysis_sets_table", "arm_b_surgery_table", "consort_table", "hazard_ratio_table",
    "operative_morbidity_table", "reproduction_table", "table1",
]
