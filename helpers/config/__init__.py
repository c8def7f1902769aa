"""What a run is configured with: the run parameters (``params``), the study configuration
(``study/``: arms, populations, endpoints, strata, subgroups of a trial), the published figures
(``reference`` and the ``reference/`` YAML files) and the validators both configurations use
(``validators``). Imports only ``helpers.core``; PyYAML only, no pandas."""
