# The habits: `make demo`, `make test`, `make lint`, `make bench`, `make docs`.
# Every target creates its own virtual environment in .venv; nothing else is assumed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# compat mode: a plain .pth entry, so `cidrkit` starts without an import hook.
EDITABLE := --config-settings editable_mode=compat

.PHONY: demo test lint unit fuzz bench bench-core bench-start bench-bulk bench-audit bench-plan bench-ipam docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cidrkit needs Python >= 3.11"'
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . $(EDITABLE)
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]' $(EDITABLE)
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]' $(EDITABLE)
	@touch $@ $(VENV)/.installed $(VENV)/.installed-test

## demo: install cidrkit and run its main jobs on the shipped examples
demo: $(VENV)/.installed
	@bash examples/demo.sh $(BIN)/cidrkit

## test: lint, type-check and run the whole test suite
test: lint unit

unit: $(VENV)/.installed-test
	@# pytest exits 5 when it collects no tests; say so rather than fail.
	@code=0; $(BIN)/python -m pytest || code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$code

## fuzz: every command fed hostile argv, files and stdin, many examples each
# (the normal suite runs a few); FUZZ_EXAMPLES=N sets how many per command.
FUZZ_EXAMPLES ?= 500
fuzz: $(VENV)/.installed-test
	CIDRKIT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/cli/test_fuzz.py -q -p no:cacheprovider

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

## bench: speed against the peer libraries and tools, printed as ratios (medians)
bench: bench-core bench-start bench-bulk bench-audit bench-plan bench-ipam

bench-core: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_core.py
# Compares with Debian's ipcalc, ipcalc-ng and sipcalc where installed.
bench-start: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_cli_start.py
bench-bulk: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_bulk.py --quick
bench-audit: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_audit.py --runs 3
bench-plan: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_plan.py --quick
# Set CIDRKIT_BENCH_PG_URL to include PostgreSQL.
bench-ipam: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_ipam.py

## docs: regenerate the CLI reference from --help
docs: $(VENV)/.installed
	$(BIN)/python -m cidrkit.cli.docgen > docs/cli.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
