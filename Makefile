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
# A stand-in for another CPU: torch's and NumPy's portable code paths instead of AVX2/AVX-512
# (every feature NumPy dispatches on above its baseline is switched off).
NPY_DISPATCH = $(shell $(BIN)/python -c "from numpy._core._multiarray_umath import __cpu_dispatch__; print(*__cpu_dispatch__)")
OTHER_CPU = ATEN_CPU_CAPABILITY=default NPY_DISABLE_CPU_FEATURES="$(NPY_DISPATCH)"

.PHONY: book test test-fast test-portable lab notebooks lint typecheck format bench clean python-check pdf handouts

python-check:
	@if ! command -v "$(PYTHON)" >/dev/null 2>&1; then \
	  found="not installed"; \
	elif ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1; then \
	  found="$$("$(PYTHON)" --version 2>&1 | head -n 1)"; \
	fi; \
	if [ -n "$$found" ]; then \
	  echo "LR Lab needs Python 3.10 or newer, but '$(PYTHON)' is $$found."; \
	  echo "Install Python >= 3.10 and run again, or point make at it: make book PYTHON=python3.11"; \
	  exit 1; \
	fi

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
	$(BIN)/python scripts/make_handouts.py
	@echo
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

# The whole book as one PDF, printed from the built HTML by headless Chromium
# (no TeX): _build/html/editions/lrlab.pdf, linked from the front page.
pdf: book
	$(BIN)/python scripts/build_pdf.py

# Student notebooks without solutions and the teacher's pack, generated from the
# chapters into _build/html/editions (make book writes them too).
handouts: $(STAMP)
	$(BIN)/python scripts/make_handouts.py

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_FLAGS) --doctest-modules lrlab tests book $(NBVAL)

# Unit, property and parity tests and the docstring examples: no notebooks, no browser.
test-fast: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_FLAGS) -m "not slow and not browser" --doctest-modules lrlab tests

# The chapter notebooks again, on the portable code paths: stored outputs must not depend on the CPU.
test-portable: $(STAMP)
	$(OTHER_CPU) $(BIN)/python -m pytest $(PYTEST_FLAGS) book $(NBVAL)

# JupyterLab on the chapters, with lrlab importable and the explorers' sliders live
# (as root, e.g. in a container, Jupyter needs --allow-root).
lab: $(STAMP)
	$(BIN)/jupyter lab book/ $(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: $(STAMP)
	$(BIN)/python scripts/colab_cell.py book/*.ipynb
	$(BIN)/python scripts/execute_notebooks.py book/*.ipynb
	$(BIN)/python scripts/exercise_index.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy lrlab

format: $(STAMP)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_schedules.py
	$(BIN)/python benchmarks/bench_train.py
	$(BIN)/python benchmarks/bench_experiments.py

clean:
	rm -rf _build $(JS)
