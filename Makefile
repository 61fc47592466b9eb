# uniq-nets: every target bootstraps .venv from pyproject.toml first (only Python 3 and
# make are needed), and does nothing it has already done.
#
#   make book       build the HTML book, every notebook executed  -> _build/html/index.html
#   make test       the whole test suite (the command CI runs)
#   make test-core  install the numerical library alone (no extras) in a fresh venv and
#                   import every numerical module without the book's tooling
#   make test-browser  open every page of the built book in headless Chromium
#   make notebooks  generate the .ipynb twins of notebooks/*.md into ipynb/
#   make lab        JupyterLab on the notebooks (.md files open as notebooks)
#   make bench      measure speed and accuracy against peer libraries (benchmarks/)
#   make clean      remove build products (keeps .venv);  make distclean also removes .venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := book,dev,dask,practice

# One BLAS thread: bit-for-bit reproducible results for a fixed seed on one machine.
export OMP_NUM_THREADS      := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS      := 1
export PYTHONHASHSEED       := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS := $(wildcard notebooks/*.md)
IPYNB     := $(patsubst notebooks/%.md,ipynb/%.ipynb,$(NOTEBOOKS))

.PHONY: all book test test-core test-browser notebooks lab bench clean distclean venv

all: book

venv: $(STAMP)

$(STAMP): pyproject.toml
	@echo ">> creating $(VENV) and installing uniqnets[$(EXTRAS)] (first run takes a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar off -e ".[$(EXTRAS)]"
	@touch $@

ipynb/%.ipynb: notebooks/%.md $(STAMP)
	@mkdir -p ipynb
	$(BIN)/jupytext --quiet --to ipynb --output $@ $<

notebooks: $(IPYNB)
	@echo ">> notebooks generated in ipynb/ (open the .md sources in JupyterLab: make lab)"

book: $(STAMP) notebooks
	$(BIN)/jupyter-book build . -n --keep-going
	@echo ">> the book is at $(CURDIR)/_build/html/index.html"

# Serial on purpose: Jupyter kernels started side by side can race for the same TCP
# port ("kernel died before replying"); one at a time, and the suite stays well
# inside its time budget.
test: $(STAMP)
	$(BIN)/python -m pytest -v

# `pip install .` without extras must give a working numerical library: a fresh venv
# (outside the checkout, so nothing of .venv leaks in), then import every module
CORE_VENV ?= $(or $(TMPDIR),/tmp)/uniqnets-core-venv
test-core:
	rm -rf $(CORE_VENV)
	$(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CORE_VENV)/bin/python -m pip install --quiet --progress-bar off .
	cd $(CORE_VENV) && $(CORE_VENV)/bin/python $(CURDIR)/.ci/import_core.py
	rm -rf $(CORE_VENV)

# needs Debian's chromium (apt-get install chromium); skips with a message without it
test-browser: book
	$(BIN)/python -m pytest tests/test_book.py -k browser -v -rs

bench: $(STAMP)
	@$(BIN)/python -c "import nolds, ripser, ot" 2>/dev/null || $(BIN)/python -m pip install -e ".[$(EXTRAS),bench]"
	@set -e; for f in benchmarks/bench_*.py; do echo ">> $$f"; $(BIN)/python $$f; done
	@echo ">> results in benchmarks/results/; make book shows them on the performance page"

lab: $(STAMP)
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/python -m pip install -e ".[$(EXTRAS),lab]"
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@# open .md files as notebooks by default (jupytext's setting; postBuild does the same on Binder)
	@cp jupyterlab-settings.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build ipynb .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) lib/*.egg-info

# make sweep: rerun a chapter over a grid of parameters with papermill and collect its
# recorded values into $(SWEEP_OUT)/results.csv (python -m uniqnets.book.sweep --help). Override
# the variables for your own grid; rerunning reuses the runs that already finished, e.g.
#   make sweep SWEEP_GRID="-p lr=0.01,0.02,0.05 -p seed=0:4" JOBS=2
SWEEP_NB   ?= notebooks/00_same_network.md
SWEEP_GRID ?= -p lr=0.02,0.05 -p seed=0:2 -p n_steps=400 -p n_seeds=3
SWEEP_OUT  ?= sweeps/$(basename $(notdir $(SWEEP_NB)))
JOBS       ?= 2

.PHONY: sweep
sweep: $(STAMP)
	$(BIN)/python -m uniqnets.book.sweep $(SWEEP_NB) $(SWEEP_GRID) -o $(SWEEP_OUT) --jobs $(JOBS)
