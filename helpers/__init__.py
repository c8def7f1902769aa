"""Analysis helpers of the JCOG1017 (PRIM-BC) supplement.

Modules by concern: data loading and validation (``io``, ``schemas``, ``dataset``), the
synthetic dataset (``synthetic``), survival statistics (``survival``), sample size
(``design``), figures (``plots``), tables (``tables``), and the run orchestration (``run``,
``render``). Times are in months unless a name or docstring says otherwise.
"""

__version__ = "0.1.0"
