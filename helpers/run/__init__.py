"""The runner (``supplement-run``, ``python -m helpers.run``): the command line (``cli``), what to
execute and the content keys (``plan``), the checks before anything is written
(``preflight``), parallel papermill execution and the all-or-nothing publication
(``execute``), the run directory's generations (``layout``), the run record (``record``) and
processes that die with the runner (``process_death``)."""
