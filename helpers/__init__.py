"""Analysis helpers of the reproducible analysis supplement of a randomised trial.

Layers, each importing only itself and the layers before it (``tests/test_architecture.py``):
``core`` (errors, atomic writes) < ``config`` (run parameters, study configuration, published
figures) < ``data`` (read, validate, map, cut the trial's data) < ``survival`` (KM, log-rank,
Cox, RMST) < ``design`` (sample size, simulation) and ``meta`` (meta-analysis maths) <
``analyses`` (one module per analysis, numbers) < ``report`` (formatting, tables, figures) <
``notebook`` (what a kernel needs) < ``run`` (the runner) < ``render`` (the book). Times are in
months unless a name or docstring says otherwise.
"""

__version__ = "0.1.0"
