# uniq-nets: every target that runs the book's code bootstraps .venv from pyproject.toml
# first (only Python 3.11 or newer and make are needed; PYTHON=python3.12 picks another
# interpreter), and does nothing it has already done.
#
#   make book       build the HTML book, every notebook executed  -> _build/html/index.html
#   make test       the whole test suite (.ci/run runs make test-core, then this)
#   make test-core  install the numerical library alone (no extras) in a fresh venv and
#                   import every numerical module without the book's tooling
#   make test-browser  build the book, then open every page of it in headless Chromium
#   make notebooks  generate the .ipynb twins of notebooks/*.md into ipynb/
#   make lab        JupyterLab on the notebooks (.md files open as notebooks, MyST rendered,
#                   citations and cross-references as the book shows them)
#   make sweep      rerun a chapter over a grid of parameters (SWEEP_NB, SWEEP_GRID, SWEEP_OUT)
#   make robustness  rerun every chapter over 10 seeds; how often each verdict holds
#                   (book/_data/robustness.json, shown on the page book/robustness.md)
#   make sweep-practice  page 11's learning-rate scan over widths and seeds (about six
#                   minutes with 2 jobs) -> book/_data/sweep_practice.json, on book/sweep_practice.md
#   make sweep-fashion  page 12's Fashion-MNIST runs: four networks x five seeds trained to
#                   convergence (about 1.5 hours on 2 cores) -> book/_data/fashion_runs.json
#   make sweep-stability  page 19's mode connectivity, weight matching and sources of
#                   variability of the Fashion-MNIST MLP (about half an hour on 2 cores)
#                   -> book/_data/stability_runs.json
#   make data       install Fashion-MNIST (Debian's dataset-fashion-mnist) where apt-get can
#   make bench      measure speed and accuracy against peer libraries (benchmarks/)
#   make clean      remove build products (keeps .venv);  make distclean also removes .venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXTRAS := book,dev,dask,practice
# notebooks (make book) and pytest workers (make test) at a time
JOBS   ?= 2

# One BLAS thread: bit-for-bit reproducible results for a fixed seed on one machine.
export OMP_NUM_THREADS      := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS      := 1
export PYTHONHASHSEED       := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS := $(wildcard notebooks/*.md)
IPYNB     := $(patsubst notebooks/%.md,ipynb/%.ipynb,$(NOTEBOOKS))

.PHONY: all book test test-core test-browser notebooks lab bench clean distclean venv data

all: book

venv: $(STAMP)

$(STAMP): pyproject.toml
	@echo ">> creating $(VENV) and installing uniqnets[$(EXTRAS)] (first run takes a few minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# the practice extra's JAX 0.10 has wheels for Python 3.11 and newer only
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11) and "$(VENV) has Python " + sys.version.split()[0] + ": the book needs 3.11 or newer (make distclean, then make PYTHON=python3.11 ...)")'
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar off -e ".[$(EXTRAS)]"
	@touch $@

ipynb/%.ipynb: notebooks/%.md $(STAMP)
	@mkdir -p ipynb
	$(BIN)/jupytext --quiet --to ipynb --output $@ $<

notebooks: $(IPYNB)
	@echo ">> notebooks generated in ipynb/ (open the .md sources in JupyterLab: make lab)"

# the chapters not yet in the execution cache run $(JOBS) at a time (kernels on Unix
# sockets: lib/uniqnets/book/_execute.py), then the build takes every chapter from the cache
book: $(STAMP) notebooks data
	$(BIN)/python -m uniqnets.book._execute --jobs $(JOBS) .
	$(BIN)/jupyter-book build . -n --keep-going
	@echo ">> the book is at $(CURDIR)/_build/html/index.html"

# $(JOBS) pytest-xdist workers, each notebook's cells on one worker (--dist loadfile).
# Kernels listen on Unix sockets, not TCP ports, so kernels started side by side
# cannot race for a port. The nbval pass stores each executed chapter in the book's
# cache; the strict book build (tests marked `book`, skipped on xdist workers) runs
# afterwards, alone, and takes every chapter from that cache.
test: $(STAMP) data
	$(BIN)/python -m pytest -v -n $(JOBS) --dist loadfile
	$(BIN)/python -m pytest -v -m book tests/test_book.py

# Fashion-MNIST is read from disk, never downloaded (uniqnets.data.fashion_mnist): from
# $(UNIQNETS_FASHION_MNIST) when set, else from Debian's package dataset-fashion-mnist, which
# this target installs where apt-get is available as root; elsewhere it says what to do
FASHION_DIR := /usr/share/datasets/fashion-mnist
data:
	@if [ -z "$$UNIQNETS_FASHION_MNIST" ] && [ ! -f $(FASHION_DIR)/t10k-labels-idx1-ubyte.gz ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo ">> installing Fashion-MNIST (Debian package dataset-fashion-mnist)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; \
	  else \
	    echo ">> Fashion-MNIST is not installed: sudo apt-get install dataset-fashion-mnist, or put"; \
	    echo "   its four IDX files in a folder and export UNIQNETS_FASHION_MNIST=<folder> (README)"; \
	  fi; \
	fi

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

# Lab starts at the top of the checkout (where jupytext.toml is: jupytext looks for it
# only inside Lab's root folder) and shows notebooks/ in its file browser. Jupyter refuses
# to run as root without --allow-root (containers, CI machines): given only there.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
lab: $(STAMP)
	@$(BIN)/python -c "import jupyterlab, jupyterlab_myst" 2>/dev/null || $(BIN)/python -m pip install -e ".[$(EXTRAS),lab]"
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@# open .md files as notebooks by default (jupytext's setting; postBuild does the same on Binder)
	@cp jupyterlab-settings.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@# jupyterlab-myst has no bibliography and no cross-page targets: the book's small Lab
	@# extension shows citations and cross-references as the book does (book/_lab/)
	@$(BIN)/python book/_lab/references.py . --out _build/lab
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks \
		--LabApp.extra_labextensions_path="$(CURDIR)/_build/lab" $(LAB_ROOT_FLAG)

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

# make robustness: rerun chapters at their fast-rerun sizes over ROBUST_SEEDS seeds with
# the sweep and write, per claim, in how many seeds its verdict held and the spread of
# its evidence, to book/_data/robustness.json (the page book/robustness.md shows it).
# Chapters not rerun keep their entries; finished runs in sweeps/robustness are reused.
#   make robustness ROBUST_NB="notebooks/00_same_network.md notebooks/01_chaotic_divergence.md"
ROBUST_NB    ?=
# (empty: every chapter)
ROBUST_SEEDS ?= 10
ROBUST_JOBS  ?= 1

.PHONY: robustness
robustness: $(STAMP)
	$(BIN)/python -c "import sys; from uniqnets.book._verdict import main; sys.exit(main())" \
		$(ROBUST_NB) --seeds $(ROBUST_SEEDS) --jobs $(ROBUST_JOBS) \
		--out sweeps/robustness --data book/_data/robustness.json

# make sweep-practice: page 11's learning-rate scan (SGD, momentum and Adam, each at the
# chapter's own learning rates, on the CNN) over network widths and seeds, with shortened
# runs, $(JOBS) at a time. Writes book/_data/sweep_practice.json (the command, the grid, the
# date, the machine and each run's scan), which the page book/sweep_practice.md shows; the
# page does not run the grid itself. Finished runs in sweeps/practice_width are reused.
PRACTICE_WIDTHS ?= 0.5,1,2,4
PRACTICE_SEEDS  ?= 0:3
PRACTICE_GRID   ?= -p width=$(PRACTICE_WIDTHS) -p seed=$(PRACTICE_SEEDS) \
	-p 'scan_architectures=[CNN]' -p 'architectures=[MLP]' -p n_transient=20 -p n_steps=40 \
	-p n_twin_steps=20 -p n_seeds=2 -p n_dist_steps=20

.PHONY: sweep-practice
sweep-practice: $(STAMP)
	$(BIN)/python -m uniqnets.book.sweep notebooks/11_scale_of_practice.md $(PRACTICE_GRID) \
		-o sweeps/practice_width --jobs $(JOBS) --timeout 900 \
		--data book/_data/sweep_practice.json --keep scan_table,n_params_scan,chapter_seconds

# make sweep-fashion: the Fashion-MNIST runs of page 12, each network trained to the end of
# its 8-epoch schedule at several seeds, with its exponents, twins and flips at three stages
# (about 1 min per run of the MLP or the linear network, 4 of the CNN, 12 of the ResNet on
# 2 cores). Each finished run is appended to book/_data/fashion_runs.json with the command,
# the date, the machine, the versions and the device; runs already there are not repeated,
# so the grid can be extended, e.g. make sweep-fashion FASHION_NETWORKS=ResNet FASHION_SEEDS=5:8
FASHION_NETWORKS ?= linear,MLP,CNN,ResNet
FASHION_SEEDS    ?= 0:5
FASHION_JOBS     ?= 1

.PHONY: sweep-fashion
sweep-fashion: $(STAMP) data
	$(BIN)/python -m uniqnets.book.fashion_runs --networks $(FASHION_NETWORKS) \
		--seeds $(FASHION_SEEDS) --jobs $(FASHION_JOBS) --data book/_data/fashion_runs.json

# make sweep-stability: the units of page 19 (uniqnets.book.stability_runs): children
# spawned at five points of the schedule from five parents, five runs per source of
# variability (and five initialisations of the linear network), three pairs of
# independent networks at each of three widths before and after weight matching. Each finished unit is appended to book/_data/stability_runs.json with its
# provenance; units already there are not repeated, so the grid can be extended, e.g.
# make sweep-stability STABILITY_NETWORKS=CNN (some hours on 2 cores: a CNN child takes
# about four minutes; the book holds the CNN's children spawned at initialisation only)
STABILITY_NETWORKS ?= MLP
STABILITY_DATA     := book/_data/stability_runs.json

.PHONY: sweep-stability
sweep-stability: $(STAMP) data
	$(BIN)/python -m uniqnets.book.stability_runs instability \
		--networks $(STABILITY_NETWORKS) --data $(STABILITY_DATA)
	$(BIN)/python -m uniqnets.book.stability_runs variability \
		--networks $(STABILITY_NETWORKS) --data $(STABILITY_DATA)
	$(BIN)/python -m uniqnets.book.stability_runs variability --networks linear \
		--sources initialisation --data $(STABILITY_DATA)
	$(BIN)/python -m uniqnets.book.stability_runs matching --networks MLP --data $(STABILITY_DATA)
