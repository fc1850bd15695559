# claimledger — the two commands: `make run` and `make test`.
# Both create .venv with uv when it is missing (uv itself is bootstrapped with pip).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.claimledger-synced
DATE        ?= $(shell date -u +%F)
export AIRFLOW_HOME ?= $(CURDIR)/airflow_home
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__UNIT_TEST_MODE := False
export AIRFLOW__LOGGING__LOGGING_LEVEL ?= WARNING
export CLAIMLEDGER_HOME := $(CURDIR)
# `make run CORPUS=folder` ingests that folder alone, into its own warehouse folder
# (warehouse/<folder name>/) so the bundled sample's warehouse stays as it was.
ifdef CORPUS
export CLAIMLEDGER_CORPUS := $(abspath $(CORPUS))
export CLAIMLEDGER_WAREHOUSE_DIR ?= $(CURDIR)/warehouse/$(notdir $(abspath $(CORPUS)))
endif

.PHONY: help venv run test lint eval-extraction eval-figures clean

help:
	@echo "make run                 run the daily DAG on the bundled corpus, print the summary"
	@echo "make run CORPUS=folder   the same over any folder of HTML pages"
	@echo "make test                every test (unit, dbt, expectations, end to end)"
	@echo "make lint                ruff and sqlfluff"
	@echo "make eval-extraction     extraction P/R/F1 on ../shared/eval (vs bare trafilatura)"
	@echo "make eval-figures        figure parsing accuracy on ../shared/eval/newsquant-dev"

venv: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@if command -v uv >/dev/null 2>&1; then UV=uv; \
	elif python3 -m uv --version >/dev/null 2>&1; then UV="python3 -m uv"; \
	else echo "bootstrapping uv with pip"; python3 -m pip install --quiet uv && UV="python3 -m uv"; fi; \
	$$UV sync --frozen --all-extras --python 3.11
	@touch $@

$(AIRFLOW_HOME)/.initialised: $(STAMP)
	@mkdir -p $(AIRFLOW_HOME)
	@echo "initialising Airflow metadata (SQLite) in $(AIRFLOW_HOME)"
	@$(VENV)/bin/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || \
		{ cat $(AIRFLOW_HOME)/db-migrate.log; exit 1; }
	@$(VENV)/bin/airflow pools set duckdb_writer 1 "DuckDB allows one writer" > /dev/null
	@touch $@

run: $(AIRFLOW_HOME)/.initialised
	@$(PY) -m transforms.cli run --date $(DATE)

test: $(STAMP)
	@$(PY) -m pytest

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/sqlfluff lint dbt_project/models dbt_project/tests dbt_project/macros

eval-extraction: $(STAMP)
	@$(PY) -m transforms.eval_extraction

eval-figures: $(STAMP)
	@$(PY) -m transforms.eval_figures

clean:
	rm -rf $(AIRFLOW_HOME) warehouse dbt_project/target dbt_project/logs
