# Antre — the two commands a newcomer needs are `make run` and `make test`.
# Everything they need is installed by these targets: the virtualenv, the Python packages, and
# (when missing) the Debian packages the tests use.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DB     ?= var/antre.db
HOST   ?= 127.0.0.1
PORT   ?= 8700
# Set to run the building's clock from another instant, e.g. outside office hours:
#   make run CLOCK=2026-11-23T09:00+07:00
CLOCK  ?=

.PHONY: run run-central test bench soak lint format system-deps clean help mutate mutate-clean

help:
	@echo "make run    - set up .venv and run the demo building (MPP Kota Contoh) on $(HOST):$(PORT)"
	@echo "make run-central - the demo building (:$(PORT)) delivering to a local central (PostgreSQL in var/central) on 127.0.0.1:8800"
	@echo "make test   - set up .venv and system packages, then lint and run every test"
	@echo "make bench  - the benchmarks, each figure beside a baseline from the same run (~7 min)"
	@echo "make soak   - long fault runs: 60 SIGKILLs and 30 power cuts under load, five rounds of the building-central faults, then a compressed day"
	@echo "make mutate - mutation testing of the queue core, roles, auth and the number words (~15 min)"

# Re-install whenever pyproject.toml changes; the stamp makes repeated runs instant.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@mkdir -p $(dir $(DB))
	$(VENV)/bin/antre server --db $(DB) --host $(HOST) --port $(PORT) $(if $(CLOCK),--clock $(CLOCK))

# Central reporting for the demo building (docs/central.md): its own PostgreSQL in var/central.
run-central: $(STAMP) system-deps
	$(PY) -m server.central.demo_building $(if $(CLOCK),--clock $(CLOCK))

system-deps:
	@bash scripts/system-deps.sh

# Four pytest workers (pytest-xdist): most tests wait on sockets, Chromium and subprocesses, so
# they overlap well on two cores. TEST_WORKERS=0 runs in one process (e.g. to debug a failure).
TEST_WORKERS ?= 4

test: $(STAMP) system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist worksteal)

# Not part of `make test`: figures, never timed assertions (docs/benchmarks.md).
bench: $(STAMP)
	$(PY) -m bench.run

soak: $(STAMP)
	ANTRE_FAULT_KILLS=60 $(VENV)/bin/pytest -q -s tests/faults/test_fault_crash.py -k sigkill --timeout 1800
	ANTRE_POWER_CUTS=30 $(VENV)/bin/pytest -q -s tests/faults/test_fault_power_cut.py -k under_load --timeout 1800
	ANTRE_E2E_ROUNDS=5 $(VENV)/bin/pytest -q -s tests/central/test_building_to_central_faults.py --timeout 1800
	$(PY) -m bench.soak

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var mutants .pytest_cache .ruff_cache .hypothesis

# Not part of `make test` (~13 min on one shared core): mutation testing of the modules whose
# mistakes hurt citizens most, module by module; prints each score and every survivor
# (docs/testing.md). MUTATE_JOBS=2 for two children; MODULES="policy waitlist" for some.
mutate: $(STAMP)
	@$(PY) -c "import mutmut" 2>/dev/null || $(PY) -m pip install --quiet -e '.[test,mutate]'
	MUTATE_JOBS=$(or $(MUTATE_JOBS),1) $(PY) scripts/mutate.py $(MODULES)

mutate-clean:
	rm -rf mutants var/mutate
