# Two commands a new user needs (Python 3.11 and pip; no conda):
#   make lab    create .venv, install the course, open JupyterLab on the first lesson
#   make test   create the same .venv and run every test the project has
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# One BLAS thread: on a 2-core machine running a kernel and pytest side by side,
# multi-threaded matrix products are slower, and single-threaded sums are reproducible.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: lab test install notebooks exercises site pdf bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# Serve the repository root (so a lesson's link to ../exercises/ opens) and show lesson 00.
lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" notebooks/00_start_here.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest

# Re-execute every lesson and solution notebook and store clean outputs.
notebooks: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py notebooks solutions

# Regenerate the student copies in exercises/ from solutions/.
exercises: $(STAMP)
	$(BIN)/python scripts/make_exercises.py

# The course as a static website in build/site (opens from disk, works offline); SOLUTIONS=0 leaves
# the worked solutions out. Then one PDF per lesson and one for the course in build/pdf.
SOLUTIONS ?= 1
site: $(STAMP)
	$(BIN)/python scripts/build_site.py --out build/site $(if $(filter 0,$(SOLUTIONS)),--no-solutions)

pdf: site
	$(BIN)/python scripts/build_pdf.py --site build/site --out build/pdf

bench: $(STAMP)
	$(BIN)/python bench/bench_widgets.py
	$(BIN)/python bench/bench_mlp_digits.py
	$(BIN)/python bench/bench_conv.py
	$(BIN)/python bench/bench_cnn_digits.py
	$(BIN)/python bench/bench_cnn_bn_aug.py

clean:
	rm -rf $(VENV) build *.egg-info
