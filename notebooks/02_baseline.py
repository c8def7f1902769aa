# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Baseline characteristics {#sec-baseline}

# %% tags=["parameters"]
run_label = None  # None: "interactive"
output_dir = None  # None: runs/interactive
study = None  # None: the default study, studies/default.yaml (studies/README.md)
data_dir = None  # None: data/ (the bundled synthetic data)
data_format = None  # None: from the files' suffixes
population = None  # None: the study's full analysis set flag
data_cut = None  # None: all follow-up

# %%
from dataclasses import replace

from IPython.display import Markdown, display

from helpers.analyses.baseline import baseline_ard
from helpers.notebook.session import start
from helpers.report.tables import table1
from helpers.report.tables.baseline import baseline_highlights, in_clinical_order
from helpers.report.text.baseline import baseline_results

nb = start("02_baseline", globals())
adsl, flag = nb.data.adsl, nb.params["population"]
# categories in the configured order: Table 1's own, else the subgroups'; as the data hold
# them, i.e. their labels where the study labels levels (study.levels() gives the values)
subgroup_levels = {s.name: s.levels for s in nb.study.subgroups if s.levels}
variables = [replace(v, levels=v.levels or (subgroup_levels.get(v.name, ())
                                            if v.type == "categorical" else ()))
             for v in nb.study.baseline if v.name in adsl]
absent = [v.name for v in nb.study.baseline if v.name not in adsl]
analysed = in_clinical_order(adsl[(adsl[flag] == "Y") & adsl["ARMCD"].notna()],
                             {v.name: list(v.levels) for v in variables if v.levels})
baseline_ard(nb.ard, analysed, variables, population=flag, output_id="tbl-baseline")
nb.write_results({"population": flag, **baseline_highlights(analysed),
                  **({"variables_not_in_data": absent} if absent else {})})
view = nb.ard_view()

# %%
#| echo: false
nb.intro("""
Baseline characteristics at registration are summarised by arm and in total for the
analysis population of this book: categorical variables as number
(percentage of the patients with a value), continuous variables as n, mean (SD) and median
(minimum–maximum); a "Missing" row counts the patients without a value. No statistical tests
compare the arms, as is usual for a randomised trial.
""")

# %%
display(Markdown(baseline_results(view, nb.population_label, absent)))

# %%
#| label: tbl-baseline
#| tbl-cap: "Baseline characteristics by arm and in total: n (%), or n, mean (SD) and median (min–max)."
nb.table(table1(view, variables, nb.study.arm_labels).set_index(["Characteristic", "Statistic"]),
         "baseline")
