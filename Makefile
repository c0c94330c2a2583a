# Every target sets itself up on a fresh machine: uv, then .venv from the lock file.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := python3 -m uv
RUN := $(UV) run --frozen
DEMO_DIR ?= demo

.PHONY: setup demo test test-fast fuzz bench bench-scale lint format clean

setup: .venv/.installed

.venv/.installed: pyproject.toml uv.lock
	$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen
	touch $@

demo: setup ## generate, load, train, submit, run, approve, release; print the summary
	$(RUN) crossverify demo --out $(DEMO_DIR)

test: setup ## all tests, the slow ones (PostgreSQL, end to end) included
	$(RUN) pytest -n 2

test-fast: setup ## skip the slow, PostgreSQL, Spark and browser tests
	$(RUN) pytest -n 2 -m "not slow and not postgres and not spark and not browser"

fuzz: setup ## the hostile-file property tests with 50x their example budget (12,000 files, ~6 min)
	CROSSVERIFY_FUZZ_SCALE=50 $(RUN) pytest -p no:xdist -q tests/intake/test_intake_property.py

bench: setup ## benchmarks; numbers go to docs/benchmarks.md
	$(RUN) python -m bench

bench-scale: setup ## generate, load, train and one whole batch at 1M and 10M persons (~1 hour)
	$(RUN) python -m bench.scale

lint: setup
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench
	$(RUN) mypy

format: setup
	$(RUN) ruff format src tests bench
	$(RUN) ruff check --fix src tests bench

clean:
	rm -rf .venv $(DEMO_DIR) var .pytest_cache .mypy_cache .ruff_cache
