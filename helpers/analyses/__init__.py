"""One module per analysis of the supplement, numbers only (their tables, texts and figures are
``helpers.report``): ``endpoint`` (one time-to-event endpoint), ``secondary`` (proportion
endpoints), ``sensitivity``, ``subgroups``, ``populations`` (CONSORT counts), ``safety``
(AE counts), ``reproduction`` (published figures beside computed values), ``design_scenarios``
and ``design_simulation`` (the design review). Imports the layers below: core, config, data,
survival, design, meta."""
