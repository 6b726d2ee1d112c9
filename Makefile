# Two commands do all set-up on a fresh machine: `make book` and `make test`.
# Everything installs into .venv from the project's own files.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
JB := $(BIN)/jupyter-book
INSTALLED := $(VENV)/.installed-core
TEST_INSTALLED := $(VENV)/.installed-test
NODE_INSTALLED := node_modules/.installed

.PHONY: book export lint test test-fast test-server bench bench-class clean install install-test class lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test tools at the versions CI last passed with (.ci/test-constraints.txt, made by
# `make lock`); pyproject.toml says which versions quizbook supports.
$(TEST_INSTALLED): pyproject.toml .ci/test-constraints.txt $(INSTALLED)
	$(BIN)/python -m pip install --quiet -c .ci/test-constraints.txt -e '.[test]'
	touch $@

$(NODE_INSTALLED): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(INSTALLED)
install-test: $(TEST_INSTALLED) $(NODE_INSTALLED)

## The student edition of the book, with zero warnings allowed.
book: $(INSTALLED)
	$(BIN)/quizbook check
	$(JB) build . -W -n --keep-going
	@echo "The student book is in _build/html: open $(CURDIR)/_build/html/index.html"

## Everything an instructor needs: instructor edition, PDFs, LMS files, notebooks.
export: $(INSTALLED)
	$(BIN)/quizbook export --edition all

## Class mode: the class edition (no answer key in any page) served by the class server,
## which grades and records every attempt (docs/class-server.md). It prints the student URL,
## the instructor URL (with its secret token) and the class code. More options:
##   make class CLASS_ARGS="--host 0.0.0.0 --port 8080"
CLASS_ARGS ?=
class: $(INSTALLED)
	$(BIN)/quizbook check
	$(BIN)/quizbook class build
	$(BIN)/quizbook serve $(CLASS_ARGS)

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	npx --no-install tsc -p .
	npx --no-install tsc -p src/quizbook/server/assets
	$(BIN)/quizbook check
	$(BIN)/quizbook lint --strict

## Both test targets run two pytest-xdist workers, a test module each at a time
## (--dist loadscope: a module's own builds stay in one worker); the shared book builds
## are made once for both (tests/conftest.py, docs/testing.md). PYTEST_WORKERS=0 runs
## in one process; PYTEST_ARGS adds pytest options. `-p no:nbval`: the suite runs nbval
## only in its own subprocess (tests/test_notebooks.py), and the plugin's imports (nbformat,
## jsonschema's format checkers) cost about 3 s of CPU in every pytest process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
PYTEST := $(BIN)/python -m pytest -p no:nbval $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadscope)

## The whole suite: lint, unit tests, real book builds, browser, kernel and notebook tests.
test: install-test lint
	$(PYTEST) $(PYTEST_ARGS)

## The fast lane while you work: the core (model, loading, grading, lint, patterns, config,
## bundles, LMS files, the runtime under Node, the class server in-process), no book build
## and no Chromium. `make test` still runs everything. Python keeps its bytecode caches
## here even where the environment says PYTHONDONTWRITEBYTECODE: without them every pytest
## process compiles the package and rewrites the asserts of every test module again (about
## 5 s of CPU per process); the caches are __pycache__ folders, which git ignores.
test-fast: install-test
	PYTHONDONTWRITEBYTECODE= $(PYTEST) -m "not slow and not browser" $(PYTEST_ARGS)

## The class server's tests alone (SQLite and a throwaway PostgreSQL cluster; real server
## processes and Chromium included).
test-server: install-test
	$(BIN)/python -m pytest tests/server

## Build and page figures (benchmarks/run.py), then the lecture hall: 300 simulated students
## against a real quizbook serve on SQLite and on PostgreSQL (benchmarks/lecture_hall.py,
## about 6 minutes of the total). Figures go in BENCHMARKS.md.
bench: install-test
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/lecture_hall.py

## The lecture hall alone; BENCH_ARGS="--quick" for a one-minute rehearsal on SQLite only,
## e.g. make bench-class BENCH_ARGS="--quick --db sqlite".
BENCH_ARGS ?=
bench-class: install-test
	$(BIN)/python benchmarks/lecture_hall.py $(BENCH_ARGS)

## Pin the test environment: a fresh venv with pyproject.toml's ranges, frozen into
## .ci/test-constraints.txt (commit it; `make install-test` installs exactly those).
lock:
	rm -rf _build/lock-venv
	$(PYTHON) -m venv _build/lock-venv
	_build/lock-venv/bin/python -m pip install --quiet --upgrade pip
	_build/lock-venv/bin/python -m pip install --quiet -e '.[test]'
	(echo "# Made by make lock: the test environment CI runs (pip install -c this -e '.[test]')."; \
	 _build/lock-venv/bin/python -m pip freeze --exclude-editable) > .ci/test-constraints.txt
	rm -rf _build/lock-venv

clean:
	rm -rf _build
