"""The trial's data in: read a table (``readers``, ``file_checks``), validate it (``schemas``),
map the sponsor's ADaM onto the supplement (``adam_mapping``), load and cross-check the
datasets (``trial_data``), apply a data cut (``datacut``), prepare a run's data
(``run_data``), say which data were read (``source``), and the calibrated synthetic data
(the bundled study's generator in its folder under ``studies/``, ``make data``).
Imports ``helpers.core`` and ``helpers.config``."""
