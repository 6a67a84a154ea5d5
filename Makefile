# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make run    set up (system libraries for Qt, a virtualenv with the app) and launch the app
#   make test   set up, then lint (ruff), type-check (mypy), check the import contract and run the tests
PYTHON ?= python3
VENV   ?= .venv
SUDO   := $(shell [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null && echo sudo)

# Qt's runtime libraries: the first line is enough offscreen, the second adds the X11 window plugin.
QT_LIBS = libgl1 libegl1 libfontconfig1 libglib2.0-0 libdbus-1-3 libxkbcommon0 fonts-dejavu-core \
          libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 \
          libxcb-shape0 libxcb-xinerama0 libxcb-randr0

.PHONY: run test lint setup system-libs bench clean

run: setup
	$(VENV)/bin/graphviz-app

test: setup lint
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/python -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: setup
	for b in benchmarks/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(VENV)/bin/python $$b; done

setup: system-libs $(VENV)/.installed

# Installs only what is missing, and only where apt-get exists (elsewhere: install Qt's libraries yourself).
system-libs:
	@if command -v apt-get >/dev/null && command -v dpkg >/dev/null; then \
	  missing=""; for p in $(QT_LIBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  $(PYTHON) -c "import ensurepip, venv" 2>/dev/null || missing="$$missing python3-venv"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing system packages:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  fi; \
	fi

# [video]: imageio-ffmpeg (a 30 MB wheel, seconds to install) so that the MP4 export is tested too.
$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip "setuptools>=70"
	$(VENV)/bin/pip install -q -e ".[test,video]"
	touch $@

clean:
	rm -rf $(VENV) build dist *.egg-info
