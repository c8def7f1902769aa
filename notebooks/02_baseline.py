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
#
# Baseline characteristics at registration are summarised by arm and in total for the
# analysis population (the full analysis set by default): categorical variables as number
# (percentage of the column N), continuous variables as median (minimum–maximum). Receptor
# status and subtype are those used to choose primary systemic therapy; metastatic sites are
# not mutually exclusive; visceral metastasis means lung, liver or brain. No statistical tests
# compare the arms, as is usual for a randomised trial.

# %% tags=["parameters"]
run_label = "interactive"
output_dir = "runs/interactive"
study = "studies/jcog1017.yaml"  # the study configuration (studies/README.md)
data_dir = "data"
data_format = "auto"
population = None  # None: the study's full analysis set flag
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook import start
from helpers.tables import table1
from helpers.tables.baseline import baseline_highlights, in_clinical_order
from helpers.textsafe import md_text  # data and configuration text, shown literally

nb = start("02_baseline", globals())
adsl = nb.data.adsl
variables = [v for v in nb.study.baseline if v.name in adsl]
absent = [v.name for v in nb.study.baseline if v.name not in adsl]
analysed = in_clinical_order(adsl[(adsl[nb.params["population"]] == "Y") & adsl["ARMCD"].notna()],
                             {v.name: list(v.levels) for v in variables if v.levels})
highlights = baseline_highlights(analysed)
nb.write_results({"population": nb.params["population"], **highlights,
                  **({"variables_not_in_data": absent} if absent else {})})
n_arm = highlights["n"]

# %%
arms = [c for c in n_arm if c != "total"]
both = " and ".join
facts = []
if "median_age" in highlights:
    facts.append("median age was " + both(f"{highlights['median_age'][c]:g}" for c in arms) + " years")
if "pct_premenopausal" in highlights:
    facts.append(both(f"{highlights['pct_premenopausal'][c]:.1f}%" for c in arms)
                 + " of patients were premenopausal")
if "pct_single_organ" in highlights:
    facts.append(both(f"{highlights['pct_single_organ'][c]:.1f}%" for c in arms)
                 + " had metastases in a single organ")
display(Markdown(
    f"The {md_text(nb.population_label)} comprised {len(analysed)} patients: "
    + ", ".join(f"{n_arm[c]} in arm {c}" for c in arms) + ". "
    + (f"In arm {both(arms)} respectively, " + ", ".join(facts[:-1])
       + (" and " if len(facts) > 1 else "") + facts[-1] + ". " if facts else "")
    + "All characteristics are in @tbl-baseline."
    + (f" Not in the data (left out of the table): {md_text(', '.join(absent))}." if absent else "")
))

# %%
#| label: tbl-baseline
#| tbl-cap: "Baseline characteristics by arm and in total: n (%) or median (min–max)."
baseline = table1(analysed, by="ARM", variables=[(v.name, v.label, v.type) for v in variables])
nb.table(baseline.set_index(["Characteristic", "Statistic"]), "baseline")
