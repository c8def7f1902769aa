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
data_dir = "data"
data_format = "auto"
population = "ITTFL"
data_cut = None

# %%
from IPython.display import Markdown, display

from helpers.notebook import start
from helpers.tables import DEFAULT_VARIABLES, table1
from helpers.tables.baseline import baseline_highlights, in_clinical_order

nb = start("02_baseline", globals())
adsl = nb.data.adsl
analysed = in_clinical_order(adsl[(adsl[nb.params["population"]] == "Y") & adsl["ARMCD"].notna()])
highlights = baseline_highlights(analysed)
nb.ctx.write_results({"population": nb.params["population"], **highlights})
n_arm, median_age = highlights["n"], highlights["median_age"]
pct_premenopausal, pct_single_organ = highlights["pct_premenopausal"], highlights["pct_single_organ"]

# %%
arms = list(pct_premenopausal)
both = " and ".join
display(Markdown(
    f"The {nb.population_label} comprised {len(analysed)} patients: "
    + ", ".join(f"{n_arm[c]} in arm {c}" for c in arms) + ". "
    + f"In arm {both(arms)} respectively, median age was "
    + both(f"{median_age[c]:g}" for c in arms) + " years, "
    + both(f"{pct_premenopausal[c]:.1f}%" for c in arms) + " of patients were premenopausal and "
    + both(f"{pct_single_organ[c]:.1f}%" for c in arms) + " had metastases in a single organ. "
    "All characteristics are in @tbl-baseline."
))

# %%
#| label: tbl-baseline
#| tbl-cap: "Baseline characteristics by arm and in total: n (%) or median (min–max)."
baseline = table1(analysed, by="ARM", variables=DEFAULT_VARIABLES)
nb.table(baseline.set_index(["Characteristic", "Statistic"]), "baseline")
