"""Operating characteristics of a two-arm survival design by simulation.

- ``hazards``: piecewise-exponential and Weibull event times, per (arm, stratum) cell
- ``scenario``: accrual, stratified randomisation, hazards, dropout, analysis time
  (``Scenario``; ``proportional_hazards``, ``subgroup_effect``, ``delayed_effect``,
  ``crossing_hazards``)
- ``trial``: one trial drawn and analysed with the supplement's stratified log-rank and Cox
- ``summary``: power / type I error with Monte-Carlo SE, accumulated over streamed batches
- ``batch``: many trials drawn and analysed at once as 2-D arrays (the numbers of ``trial``
  bit for bit, faster: the path ``runner`` uses)
- ``runner``: ``simulate`` on local processes or a Dask cluster, seeded per replicate
"""

from .hazards import PiecewiseExponential, Weibull
from .runner import replicate_rng, simulate, simulate_batch
from .scenario import (Accrual, Scenario, crossing_hazards, delayed_effect, proportional_hazards,
                       subgroup_effect)
from .summary import OperatingCharacteristics
from .trial import STATISTICS, Analysis, TrialData, analyse_trial, simulate_trial

__all__ = [
    "Accrual", "Analysis", "OperatingCharacteristics", "PiecewiseExponential", "STATISTICS",
    "Scenario", "TrialData", "Weibull", "analyse_trial", "crossing_hazards", "delayed_effect",
    "proportional_hazards", "replicate_rng", "simulate", "simulate_batch", "simulate_trial",
    "subgroup_effect",
]
