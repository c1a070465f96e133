# Two commands for a fresh machine: `make demo` and `make test`. Nothing else is needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Two workers match CI's two cores.
PYTEST_WORKERS ?= 2

# The oldest Flask and Werkzeug we support, in their own venv, without the optional toolbar.
COMPAT_VENV ?= .venv-compat
COMPAT_PINS ?= flask==2.2.5 werkzeug==2.2.3

.PHONY: demo test test-compat lint bench screenshots browser install clean

$(PY):
	@echo "==> creating $(VENV)"
	$(PYTHON) -m venv $(VENV)

# What the demo needs: the package and Flask-DebugToolbar (the demo shows the Routes panel).
$(VENV)/.demo: pyproject.toml | $(PY)
	@echo "==> installing the demo's packages into $(VENV)"
	$(PIP) install --progress-bar off -e '.[toolbar]'
	touch $@

# Everything the tests and the lint gate need.
$(VENV)/.test: pyproject.toml | $(PY)
	@echo "==> installing the test and lint tools into $(VENV)"
	$(PIP) install --progress-bar off -e '.[toolbar,test,lint]'
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
	@$(MAKE) --no-print-directory test-compat

$(COMPAT_VENV)/.installed: pyproject.toml
	@echo "==> creating $(COMPAT_VENV) with $(COMPAT_PINS)"
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip --disable-pip-version-check install --progress-bar off $(COMPAT_PINS) pytest pytest-xdist hypothesis
	$(COMPAT_VENV)/bin/python -m pip --disable-pip-version-check install --progress-bar off -e . $(COMPAT_PINS)
	touch $@

# The suite on the oldest supported Flask and Werkzeug (no browser, no toolbar: the [toolbar] extra needs Flask 2.3).
test-compat: $(COMPAT_VENV)/.installed
	@echo "==> compat tests: $(COMPAT_PINS), pytest on $(PYTEST_WORKERS) workers"
	$(COMPAT_VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not browser and not slow" -p no:cacheprovider

bench: $(VENV)/.test
	$(PY) -m bench

# Rewrites docs/*.png from the running demo app (make test never touches docs/).
screenshots: $(VENV)/.test browser
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) $(COMPAT_VENV) dist build *.egg-info
