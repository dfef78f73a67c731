# microgpt book: build, test and run everything from one virtualenv (.venv).
# Needs only GNU make and Python >= 3.11 (the pinned numpy/matplotlib need 3.11+;
# the microgpt package itself supports 3.10+).
#
#   make book      build the HTML book into _build/html (zero warnings allowed)
#   make test      lint (ruff), unit tests, notebook regression tests (nbval), strict
#                  book build, browser tests
#   make lint      ruff check on the package, tests, benchmarks and scripts
#   make lab       JupyterLab on book/ with live widgets
#   make bench     python benchmarks/bench.py
#   make clean     remove _build (keeps .venv);  make distclean  removes .venv too

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
KERNEL_CFG := $(VENV)/etc/ipython/ipython_kernel_config.json
VENV_READY := $(STAMP) $(KERNEL_CFG)
REQS   := requirements.txt requirements-test.txt constraints.txt pyproject.toml

# Book build: the book's _config.yml/_toc.yml are at the top level, so the source
# dir is "." and --path-output . puts the HTML in ./_build/html.
JB_FLAGS  ?= -W -n --keep-going
BUILD_LOG := _build/book-build.log
# nbval: strict output comparison (not --nbval-lax), in this venv's kernel.
NB_FLAGS  ?= --nbval --nbval-current-env --nbval-cell-timeout=1200 \
             --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:cacheprovider
LAB_ARGS  ?=

# Use the venv's tools (jupyter, kernels) first; keep the kernel quiet about
# debugpy and frozen modules (that notice on stderr would read as a warning).
export PATH := $(abspath $(BIN)):$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Browser tests drive Debian's Chromium; never `playwright install`.
export CHROMIUM ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

NOTEBOOKS = $(sort $(wildcard book/*.ipynb))
UNIT_TESTS = $(wildcard tests/test_*.py tests/*/test_*.py)

.PHONY: help venv .venv book test lint test-unit test-nb test-book test-browser \
        lab bench clean distclean constraints

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# ---------------------------------------------------------------- environment
venv .venv: $(VENV_READY)

# Re-installs only when a requirements/packaging file changes.
$(STAMP): $(REQS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: $(PYTHON) is Python %d.%d; the pinned toolchain needs >= 3.11 (use make PYTHON=python3.11)" % sys.version_info[:2])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install -r requirements.txt -r requirements-test.txt -c constraints.txt
	$(PY) -m pip install --no-deps -e .
	touch $@

# Kernels started for the book build and nbval log at ERROR level only:
# ipykernel >= 7.4 logs "WARNING | Kernel is running over TCP without
# encryption" on every start (the notebook runners do not provision CurveZMQ
# keys), which would otherwise trip the zero-warning check of test-book.
# Applies to this venv's kernels only ($(VENV)/etc/ipython).
$(KERNEL_CFG): $(STAMP)
	mkdir -p $(dir $@)
	printf '%s\n' '{"IPKernelApp": {"log_level": "ERROR"}}' > $@

# Regenerate constraints.txt from a throwaway venv (review the diff, then commit).
constraints:
	rm -rf _build/constraints-venv
	$(PYTHON) -m venv _build/constraints-venv
	_build/constraints-venv/bin/python -m pip install --quiet --upgrade pip
	_build/constraints-venv/bin/python -m pip install --quiet -r requirements.txt -r requirements-test.txt
	{ sed -n '/^#/p' constraints.txt; \
	  _build/constraints-venv/bin/python -m pip freeze --exclude-editable | grep -viE '^microgpt([=@ ]|$$)'; \
	} > constraints.txt.new && mv constraints.txt.new constraints.txt
	rm -rf _build/constraints-venv
	@echo "constraints.txt regenerated; review with: git diff constraints.txt"

# ----------------------------------------------------------------------- book
book: $(VENV_READY)
	$(BIN)/jupyter-book build . --path-output . $(JB_FLAGS)
	@echo
	@echo "Book built. Open: $(CURDIR)/_build/html/index.html"

# ----------------------------------------------------------------------- test
test: lint test-unit test-nb test-book test-browser
	@echo "make test: all stages passed"

# Ruff (pinned in requirements-test.txt; configured in pyproject.toml): first, as it takes a second.
lint: $(VENV_READY)
	$(BIN)/ruff check microgpt tests benchmarks scripts

test-unit: $(VENV_READY)
	@if [ -z "$(strip $(UNIT_TESTS))" ]; then \
	  echo "test-unit: no tests/test_*.py yet, skipping"; \
	else \
	  echo "$(PY) -m pytest -n 2 tests --ignore=tests/browser"; \
	  $(PY) -m pytest -n 2 tests --ignore=tests/browser; \
	fi

# One notebook (one kernel) at a time, in chapter order: starting two kernels at
# once can race for the same ports ("Kernel died before replying to kernel_info"),
# and chapter 7 compares the engines using the scalar run that chapter 5 saves
# (book/checkpoints/ch05_scalar.json).
test-nb: $(VENV_READY)
	@if [ -z "$(strip $(NOTEBOOKS))" ]; then \
	  echo "test-nb: no book/*.ipynb yet, skipping"; exit 0; \
	fi
	$(PY) -m pytest $(NB_FLAGS) $(NOTEBOOKS)

# The strict build: zero warnings. A full (--all) rebuild so that warnings from
# unchanged pages are reported too. It renders the notebooks' committed outputs
# (execute_notebooks: off) because test-nb has just re-executed every notebook
# and checked that each output comes out identical; `make book` executes them
# (cache mode). Fails on a non-zero exit OR on any warning in the log: Sphinx's
# "WARNING:", Python's "...Warning:" lines, Jupyter Book's "[Warning]" boxes.
# (local_extensions paths are relative to the config file, hence the absolute path.)
TEST_CONFIG := _build/_config.test.yml

test-book: $(VENV_READY)
	@mkdir -p _build
	sed -e 's/^\(  *execute_notebooks:\).*/\1 off/' \
	    -e 's|^\(  *book_fixes:\) book/_ext|\1 $(CURDIR)/book/_ext|' _config.yml > $(TEST_CONFIG)
	grep -q '^ *execute_notebooks: off' $(TEST_CONFIG)
	$(BIN)/jupyter-book build . --config $(TEST_CONFIG) --path-output . --all $(JB_FLAGS) 2>&1 | tee $(BUILD_LOG)
	@if grep -nE 'WARNING|[Ww]arning:|\[Warning\]' $(BUILD_LOG); then \
	  echo "test-book: the build log above contains warnings ($(BUILD_LOG))"; exit 1; \
	fi
	@echo "test-book: built with zero warnings"

# Browser tests (tests/browser/, Playwright driving Debian's $(CHROMIUM)): every page
# of the built _build/html (run after test-book) in light and dark mode, internal
# links, and the live sliders of chapters 4 and 6 in JupyterLab. Screenshots go to
# _build/screenshots/. Without Chromium they are SKIPPED with the reason printed
# (-ra); with CI=true a missing Chromium is a failure.
test-browser: $(VENV_READY)
	$(PY) -m pytest tests/browser -ra --tb=short -p no:cacheprovider

# ------------------------------------------------------------------ run / misc
# e.g. make lab LAB_ARGS="--no-browser --port 8889". JupyterLab refuses to run
# as root (containers, CI) unless told it may.
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(VENV_READY)
	$(BIN)/jupyter lab --ServerApp.root_dir=book $(LAB_ROOT) $(LAB_ARGS)

bench: $(VENV_READY)
	$(PY) benchmarks/bench.py

clean:
	rm -rf _build

distclean: clean
	rm -rf $(VENV) *.egg-info
