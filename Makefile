# Two commands for a fresh machine: `make demo` and `make test`. Nothing else is needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check --progress-bar off
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Two workers match CI's two cores.
PYTEST_WORKERS ?= 2

.PHONY: demo test lint bench screenshots browser install clean

$(PY):
	@echo "==> creating $(VENV)"
	$(PYTHON) -m venv $(VENV)

# What the demo needs: the package and Flask-DebugToolbar (the demo shows the Routes panel).
$(VENV)/.demo: pyproject.toml | $(PY)
	@echo "==> installing the demo's packages into $(VENV)"
	$(PIP) install -e '.[toolbar]'
	touch $@

# Everything the tests and the lint gate need.
$(VENV)/.test: pyproject.toml | $(PY)
	@echo "==> installing the test and lint tools into $(VENV)"
	$(PIP) install -e '.[toolbar,test,lint]'
	touch $@

install: $(VENV)/.test

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "==> chromium: $$(chromium --version 2>/dev/null)"; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "==> installing Debian's chromium for the browser tests (about a minute)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core; \
	else echo "No chromium and no apt-get: install Chromium yourself for the browser tests."; fi

demo: $(VENV)/.demo
	@echo
	@echo "  Demo app:        http://$(HOST):$(PORT)/"
	@echo "  Route explorer:  http://$(HOST):$(PORT)/_routes"
	@echo
	$(VENV)/bin/flask --app demo_app:create_app run --debug --host $(HOST) --port $(PORT)

lint: $(VENV)/.test
	@echo "==> lint: ruff check, ruff format --check, mypy"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: $(VENV)/.test browser lint
	@echo "==> tests: pytest on $(PYTEST_WORKERS) workers"
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

bench: $(VENV)/.test
	$(PY) -m bench

# Rewrites docs/*.png from the running demo app (make test never touches docs/).
screenshots: $(VENV)/.test browser
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) dist build *.egg-info
