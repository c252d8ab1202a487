# make: set up .venv and build every edition into dist/.  make test: run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

ACE := $(VENV)/ace/node_modules/.bin/ace-puppeteer

.PHONY: all test lint golden ace bench clean system system-test

all: system $(VENV)/.installed
	$(BIN)/python build.py

test: system-test $(VENV)/.installed
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# Ruff, configured in pyproject.toml.
lint: $(VENV)/.installed
	$(BIN)/ruff check .

# Rewrites tests/golden/ from a build of texts/ when a change to the EPUB's documents is intended.
golden: $(VENV)/.installed
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

# The system packages (Debian or Ubuntu; sudo when not root), or one line saying what to install.
system:
	@.ci/system-packages

system-test:
	@.ci/system-packages --test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Times every edition against Pandoc and the daily loop (installs Pandoc from PyPI's pypandoc-binary).
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python build.py --bench

# DAISY Ace, the EPUB accessibility checker, for the tests (needs Node.js, npm and Debian's chromium).
ace: $(ACE)

$(ACE):
	mkdir -p $(VENV)/ace
	PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
	  npm install --prefix $(VENV)/ace --no-audit --no-fund --silent @daisy/ace@1.4.6

clean:
	rm -rf $(VENV) dist
