"""Tables of the supplement as pandas DataFrames (the notebooks display them, Quarto renders
them): Table 1, AE tables, Cox table, CONSORT counts, the reproduction table, and the number
formatting used everywhere."""

from .baseline import table1
from .formatting import format_ci, format_hr, format_median, format_n_pct, format_number, format_p
from .models import hazard_ratio_table
from .populations import consort_counts
from .reproduction import reproduction_table
from .safety import ae_table, operative_morbidity_table, safety_counts, treatment_related_deaths

__all__ = [
    "ae_table", "consort_counts", "format_ci", "format_hr", "format_median",
    "format_n_pct", "format_number", "format_p", "hazard_ratio_table", "operative_morbidity_table",
    "reproduction_table", "safety_counts", "table1", "treatment_related_deaths",
]
