# Two commands for a fresh machine with Python 3.11 and make:
#   make demo   run the baseline and early-intervention scenarios and chart them
#   make test   run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
TEACH_STAMP := $(VENV)/.installed-teach
CHROMIUM := /usr/bin/chromium

.PHONY: demo test lint format bench clean lab dist

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(STAMP)

$(TEACH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[teach]"
	touch $@ $(STAMP)

# The browser test drives Debian's Chromium (Playwright never downloads a browser here).
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "make: $(CHROMIUM) is missing: 'sudo apt-get install chromium', or the browser test is skipped" >&2; \
	fi

demo: $(STAMP)
	$(BIN)/prevsim demo

test: $(DEV_STAMP) | $(CHROMIUM)
	$(BIN)/python -m pytest

# Jupyter refuses to run as root unless told; on the project's machines everyone is root.
lab: $(TEACH_STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python benchmarks/sd_batch.py
	$(BIN)/python benchmarks/abm_scale.py
	$(BIN)/python benchmarks/abm_peers.py
	$(BIN)/python benchmarks/sensitivity_sobol.py
	$(BIN)/python benchmarks/ensemble_scaling.py
	$(BIN)/python benchmarks/ensemble_sd.py
	$(BIN)/python benchmarks/calibration.py

# A wheel in dist/ (scenarios, calibration targets and data inside): pip install dist/*.whl
dist: | $(BIN)/python
	rm -rf dist
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis dist build
