# The habits: `make demo`, `make test`, `make lint`, `make bench`, `make docs`.
# Every target creates its own virtual environment in .venv; nothing else is assumed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The compiled engine (engine/, Rust) is built into cidrkit/_engine by every
# install below: `pip install -e .` runs maturin, which runs cargo. Editing a
# Rust source reinstalls, which rebuilds only what changed.
ENGINE_SOURCES := engine/Cargo.toml engine/Cargo.lock $(wildcard engine/src/*.rs)
CARGO ?= cargo
ENGINE_MANIFEST := --manifest-path engine/Cargo.toml
# Seconds of the bounded differential fuzz run (make fuzz-native).
FUZZ_SECONDS ?= 120

.PHONY: demo test lint unit fuzz engine-test engine-lint fuzz-native fuzz-cargo bench bench-commands bench-core bench-start bench-bulk bench-audit bench-plan bench-ipam bench-discover docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "cidrkit needs Python >= 3.11"'
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(ENGINE_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(ENGINE_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml $(ENGINE_SOURCES) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $@ $(VENV)/.installed $(VENV)/.installed-test

## demo: install cidrkit and run its main jobs on the shipped examples
demo: $(VENV)/.installed
	@bash examples/demo.sh $(BIN)/cidrkit

## test: lint, type-check and run the whole test suite (Python and Rust)
test: lint engine-lint unit engine-test

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

# The engine's own tests build without Python (the `python` feature is off).
engine-test:
	$(CARGO) test $(ENGINE_MANIFEST) --quiet

engine-lint:
	$(CARGO) clippy $(ENGINE_MANIFEST) --all-targets --quiet -- -D warnings
	$(CARGO) clippy $(ENGINE_MANIFEST) --features python --quiet -- -D warnings

## fuzz-native: the engine against the Python path on random text, for FUZZ_SECONDS
fuzz-native: $(VENV)/.installed-test
	CIDRKIT_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -p no:cacheprovider \
		tests/bulk/test_engine_fuzz.py tests/bulk/test_engine_lists_fuzz.py \
		tests/bulk/test_engine_table_fuzz.py

## fuzz-cargo: cargo fuzz (libFuzzer) on the parser, the scanner, plain prefix lists and lookup tables,
# FUZZ_CARGO_SECONDS each. AddressSanitizer needs a nightly compiler: without one
# the targets run on the stable toolchain, coverage-guided but without the sanitizer.
# cargo-fuzz is installed through cargo when missing.
FUZZ_CARGO_SECONDS ?= 60
FUZZ_TARGETS := parse_address scan_candidates plain_lists table_text
CARGO_FUZZ_VERSION := 0.13.2
fuzz-cargo:
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked
	@if rustup run nightly rustc --version >/dev/null 2>&1; then toolchain=+nightly; sanitizer=address; \
	else echo "fuzz-cargo: no nightly toolchain, so no AddressSanitizer (rustup toolchain install nightly)"; \
		toolchain=; sanitizer=none; fi; \
	cd engine/fuzz && for target in $(FUZZ_TARGETS); do \
		mkdir -p corpus/$$target && \
		$(CARGO) $$toolchain fuzz run --sanitizer $$sanitizer -O $$target corpus/$$target seeds/$$target -- \
			-max_total_time=$(FUZZ_CARGO_SECONDS) -dict=fuzz.dict -rss_limit_mb=2048 || exit 1; \
	done

## bench: speed against the peer libraries and tools, printed as ratios (medians)
bench: bench-core bench-start bench-bulk bench-commands bench-audit bench-plan bench-ipam bench-discover

bench-core: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_core.py
# Compares with Debian's ipcalc, ipcalc-ng and sipcalc where installed.
bench-start: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_cli_start.py
bench-bulk: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_bulk.py --quick
# Whole commands beside grepcidr (apt-get install grepcidr), pytricia and ipset_c scripts.
bench-commands: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_commands.py --runs 3
bench-audit: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_audit.py --runs 3
bench-plan: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_plan.py --quick
# Set CIDRKIT_BENCH_PG_URL to include PostgreSQL.
bench-ipam: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_ipam.py
# 3 accounts x 4 regions x 50 VPCs from moto's server on loopback.
bench-discover: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_discover.py --runs 3

## docs: regenerate the CLI reference from --help
docs: $(VENV)/.installed
	$(BIN)/python -m cidrkit.cli.docgen > docs/cli.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
	rm -rf engine/target cidrkit/_engine*.so
