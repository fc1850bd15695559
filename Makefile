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
export CLAIMLEDGER_HOME := $(CURDIR)
# `make run CORPUS=folder` is `claimledger run --corpus folder`: that folder alone, into its
# own warehouse folder (warehouse/<folder name>/) so the bundled sample's warehouse stays
# as it was; `make status|report|publish CORPUS=folder` read that same warehouse folder.
ifdef CORPUS
export CLAIMLEDGER_WAREHOUSE_DIR ?= $(CURDIR)/warehouse/$(notdir $(abspath $(CORPUS)))
endif

.PHONY: help venv run test lint eval-extraction extraction-gate eval-figures eval-trade bench clean report status publish rollback \
	test-faults fuzz compose-env

help:
	@echo "make run                 run the daily DAG on the bundled corpus, print the summary"
	@echo "make run CORPUS=folder   the same over any folder of HTML pages"
	@echo "make test                every test (unit, dbt, expectations, end to end)"
	@echo "make test-faults         only the fault-injection tests (kills, full disk, two runs)"
	@echo "make fuzz                the property and HTML fuzz tests at length"
	@echo "make lint                ruff and sqlfluff"
	@echo "make report              re-render the last run's HTML report, print its path"
	@echo "make status              last runs, verdicts, row counts, published versions"
	@echo "make publish             publish the checked build database (make rollback: undo)"
	@echo "make eval-extraction     extraction P/R/F1 on ../shared/eval (vs bare trafilatura)"
	@echo "make extraction-gate     the committed gate (tests/data/extraction_gate) vs its floors"
	@echo "                         (UPDATE=1: re-pin its baseline.json on purpose)"
	@echo "make eval-figures        figure parsing accuracy on ../shared/eval/newsquant-dev"
	@echo "make eval-trade          trade statement P/R on trade_dev + the ../shared sample (docs/trade_dev.md)"
	@echo "                         (DB=path/claimledger.duckdb: through that warehouse instead)"
	@echo "make bench N=10000       throughput: the real DAG vs bare trafilatura on N pages,"
	@echo "                         then warm daily runs (COPIES=0.3: a share of exact copies)"
	@echo "make compose-env         write .env with fresh secrets for docker compose (kept if present)"

venv: $(STAMP)

# --compile-bytecode: uv writes no .pyc by default, and where PYTHONDONTWRITEBYTECODE is set
# (as on CI machines here) Python never writes them either, so every process (each DAG run,
# dbt, GX, every pool worker) would compile Airflow, dbt and GX from source again.
$(STAMP): pyproject.toml uv.lock
	@if command -v uv >/dev/null 2>&1; then UV=uv; \
	elif python3 -m uv --version >/dev/null 2>&1; then UV="python3 -m uv"; \
	else echo "bootstrapping uv with pip"; python3 -m pip install --quiet uv && UV="python3 -m uv"; fi; \
	echo "installing the pinned environment into $(VENV) (uv sync --frozen)"; \
	$$UV sync --frozen --all-extras --python 3.11 --quiet --compile-bytecode
	@touch $@

$(AIRFLOW_HOME)/.initialised: $(STAMP)
	@mkdir -p $(AIRFLOW_HOME)
	@echo "initialising Airflow metadata (SQLite) in $(AIRFLOW_HOME)"
	@$(VENV)/bin/airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log 2>&1 || \
		{ cat $(AIRFLOW_HOME)/db-migrate.log; exit 1; }
	@$(VENV)/bin/airflow pools set duckdb_writer 1 "DuckDB allows one writer" > /dev/null
	@touch $@

run: $(AIRFLOW_HOME)/.initialised
	@$(PY) -m claimledger.cli run --date "$(DATE)" $(if $(CORPUS),--corpus "$(CORPUS)")

report status publish: $(STAMP)
	@$(PY) -m claimledger.cli $@

rollback: $(STAMP)
	@$(PY) -m claimledger.cli publish --rollback

# Two workers (the machine has two cores); a module's tests stay on one worker so its
# module-scoped DAG run is shared.
PYTEST_ARGS ?= -n 2 --dist loadfile
test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS)

# Only the fault-injection tests (SIGKILL, full disk, concurrent runs); `make test` runs them too.
test-faults: $(STAMP)
	@$(PY) -m pytest tests/faults $(PYTEST_ARGS)

# The property and HTML fuzz tests at length (`make test` runs 60 HTML examples).
FUZZ_EXAMPLES ?= 2000
fuzz: $(STAMP)
	@CLAIMLEDGER_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/hostile/test_fuzz_properties.py

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/sqlfluff lint dbt_project/models dbt_project/tests dbt_project/macros

eval-extraction: $(STAMP)
	@$(PY) -m claimledger.eval_extraction

# The committed extraction gate (tests/data/extraction_gate/SOURCES.md); make test runs it too.
extraction-gate: $(STAMP)
	@$(PY) -m claimledger.extraction_gate $(if $(UPDATE),--update-baseline)

eval-figures: $(STAMP)
	@$(PY) -m claimledger.eval_figures

eval-trade: $(STAMP)
	@$(PY) -m claimledger.eval_trade $(if $(DB),--through-warehouse $(DB))

# N pages built from ../shared/eval in a temporary folder; its own AIRFLOW_HOME and warehouse.
N ?= 1000
bench: $(STAMP)
	@$(PY) -m bench.run --pages $(N) $(if $(COPIES),--copies $(COPIES))

clean:
	rm -rf $(AIRFLOW_HOME) warehouse dbt_project/target dbt_project/logs

# docker-compose.yml has no default secrets; this writes random ones once. A Fernet key is
# 32 random bytes in url-safe base64, so the standard library makes one.
compose-env:
	@if [ -e .env ]; then echo ".env exists: kept as it is"; else \
	python3 -c 'import base64, os, secrets; print("\n".join([ \
	"AIRFLOW_FERNET_KEY=" + base64.urlsafe_b64encode(os.urandom(32)).decode(), \
	"AIRFLOW_JWT_SECRET=" + secrets.token_urlsafe(32), \
	"AIRFLOW_API_SECRET_KEY=" + secrets.token_urlsafe(32), \
	"_AIRFLOW_WWW_USER_PASSWORD=" + secrets.token_urlsafe(12), \
	"AIRFLOW_UID=" + str(os.getuid())]))' > .env && chmod 600 .env && \
	echo "wrote .env (the admin password is in it)"; fi
