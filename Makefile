# LR Lab: `make book` builds the HTML book, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JS := .jsdeps
JS_STAMP := $(JS)/.installed
BOOK_FLAGS ?= -W --keep-going
PYTEST_FLAGS ?= -n 2 --dist loadfile
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout=300

.PHONY: book test notebooks lint format bench clean python-check

python-check:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { \
	  echo "LR Lab needs Python 3.10 or newer, but '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo 'not installed')."; \
	  echo "Install Python >= 3.10 and run again, or point make at it: make book PYTHON=python3.11"; \
	  exit 1; }

$(STAMP): requirements.txt pyproject.toml | python-check
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# MathJax is served from the build, so pages render offline.
$(JS_STAMP): scripts/vendor_js.sh | $(STAMP)
	NPM="$(CURDIR)/$(BIN)/npm" bash scripts/vendor_js.sh $(JS)
	touch $(JS_STAMP)

book: $(STAMP) $(JS_STAMP)
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)
	@echo
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_FLAGS) --doctest-modules lrlab tests book $(NBVAL)

notebooks: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py book/*.ipynb tests/explorer_book/explorers.ipynb
	$(BIN)/python scripts/exercise_index.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_schedules.py
	$(BIN)/python benchmarks/bench_train.py

clean:
	rm -rf _build $(JS)
