# The few commands everyone runs. `make report` and `make test` set up on their own:
# inside an activated conda env (environment.yml) or virtualenv they use it; otherwise they
# create .venv with Python 3.11 and install the project with its pinned ranges.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ifneq ($(strip $(CONDA_PREFIX)),)
  ifneq ($(CONDA_DEFAULT_ENV),base)
    ENV_PREFIX := $(CONDA_PREFIX)
    PIP_FLAGS := --no-deps
  endif
endif
ifneq ($(strip $(VIRTUAL_ENV)),)
  ENV_PREFIX ?= $(VIRTUAL_ENV)
endif
ENV_PREFIX ?= $(CURDIR)/.venv
PYTHON := $(ENV_PREFIX)/bin/python
STAMP := $(ENV_PREFIX)/.jcog1017-installed
BOOTSTRAP_PYTHON ?= $(shell command -v python3.11 || command -v python3)

PARAMS ?= params/default.yaml
WORKERS ?= 2

.PHONY: help setup fonts report run preview quarto test test-fast lab data colon pharmaverse bench r-fixtures quarto-check qc clean

help:
	@echo "make report   run every notebook on the bundled data, then render the book (Quarto, else pandoc + Typst)"
	@echo "make test     run the test suite"
	@echo "make lab      open JupyterLab on notebooks/"
	@echo "make data     regenerate the synthetic dataset in data/"
	@echo "make colon    R's colon trial as ADaM (data/examples/colon), run with studies/colon.yaml"
	@echo "make pharmaverse  a pharmaverse-shaped three-arm ADaM (data/examples/pharmaverse), both comparisons"
	@echo "make bench    run the benchmarks (benchmarks/)"
	@echo "make r-fixtures  regenerate R reference values (needs Rscript)"
	@echo "make qc       independent R QC of the published run of PARAMS, each comparison's run of a study with several (validation/qc/; needs Rscript)"

$(ENV_PREFIX)/bin/python:
	$(BOOTSTRAP_PYTHON) -m venv $(ENV_PREFIX)

$(STAMP): pyproject.toml | $(ENV_PREFIX)/bin/python
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet $(PIP_FLAGS) -e ".[dev]"
	$(PYTHON) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# JupyterLab only for `make lab`: its jsonschema format extras (rfc3987-syntax) add ~1.3 s to
# every import of nbformat, i.e. to the runner and each of its workers.
LAB_STAMP := $(ENV_PREFIX)/.jcog1017-lab-installed
$(LAB_STAMP): $(STAMP)
	$(PYTHON) -m pip install --quiet $(PIP_FLAGS) -e ".[lab]"
	touch $(LAB_STAMP)

setup: $(STAMP) fonts

# Japanese labels in figures and the PDF need a CJK font (helpers/core/fonts.py): Debian's
# fonts-noto-cjk, installed here when apt-get is available and we are root; otherwise a warning.
HAS_CJK_FONT = $(PYTHON) -c "from helpers.core.fonts import cjk_font_file; raise SystemExit(cjk_font_file() is None)" 2>/dev/null
fonts: $(STAMP)
	@if $(HAS_CJK_FONT); then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing fonts-noto-cjk (Japanese labels in figures and the PDF)"; \
	  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && \
	   apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null) || \
	  echo "warning: could not install fonts-noto-cjk: Japanese labels will be drawn as empty boxes" >&2; \
	else \
	  echo "warning: font Noto Sans CJK JP is not installed (Debian/Ubuntu: sudo apt-get install" \
	       "fonts-noto-cjk): Japanese labels will be drawn as empty boxes" >&2; \
	fi

run: setup
	$(ENV_PREFIX)/bin/jcog1017-run $(PARAMS) --workers $(WORKERS)

# Quarto when it is on PATH, else the same book (HTML + PDF) through pandoc and Typst
report: run
	$(PYTHON) -m helpers.render auto $(PARAMS)

test: setup
	$(PYTHON) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

test-fast: setup
	$(PYTHON) -m pytest -n $(WORKERS) -m "not slow" $(PYTEST_ARGS)

lab: $(LAB_STAMP)
	$(ENV_PREFIX)/bin/jupyter lab --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks

data: setup
	$(PYTHON) studies/jcog1017/synthetic.py data

colon: setup
	$(PYTHON) validation/colon_adam.py data/examples/colon
	$(ENV_PREFIX)/bin/jcog1017-run params/colon.yaml --workers $(WORKERS)

# random.cdisc.data-shaped ADaM taken as it comes (studies/pharmaverse.yaml): two comparisons,
# each into runs/pharmaverse/<comparison>/
pharmaverse: setup
	$(PYTHON) validation/pharmaverse_adam.py data/examples/pharmaverse
	$(ENV_PREFIX)/bin/jcog1017-run params/pharmaverse.yaml --workers $(WORKERS)

bench: setup
	$(PYTHON) benchmarks/bench_survival.py
	$(PYTHON) benchmarks/bench_report.py
	$(PYTHON) benchmarks/bench_render.py

# Quarto's own schema on _quarto.yml and every notebook's #| cell options (offline; ../shared)
quarto-check: setup
	$(PYTHON) ../shared/quarto/validate_quarto.py .

r-fixtures:
	Rscript validation/r/datasets.R tests/fixtures/r/data
	for script in validation/r/reference_*.R; do Rscript $$script tests/fixtures/r || exit 1; done

# Independent double programming (validation/qc/README.md): R recomputes the run's statistics
# from the data and settings its run_record.json names, then compares them with RUN/ard.csv
# and the printed tables; RUN/qc/qc_report.{json,html}; exit 1 on any mismatch. No Python.
# A study with several comparisons (make pharmaverse): each comparison's run RUN/<slug>/.
qc:
	Rscript validation/qc/qc.R --params $(PARAMS)
	Rscript validation/qc/compare.R --params $(PARAMS)

clean:
	rm -rf runs _site _book .pytest_cache
