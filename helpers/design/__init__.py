"""The trial design: sample size and power (``sample_size``) and operating characteristics by
simulation (``simulation/``). Imports ``helpers.core`` and ``helpers.survival`` (the
simulated trials are analysed with its log-rank and Cox cores)."""
