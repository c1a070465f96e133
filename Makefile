# Two commands for a fresh machine: `make demo` and `make test`. Nothing else is needed.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Two workers match CI's two cores.
PYTEST_WORKERS ?= 2

.PHONY: demo test bench screenshots browser install clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@if command -v chromium >/dev/null 2>&1; then echo "chromium: $$(chromium --version 2>/dev/null)"; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	else echo "No chromium and no apt-get: install Chromium yourself for the browser tests."; fi

demo: $(STAMP)
	@echo
	@echo "  Demo app:        http://$(HOST):$(PORT)/"
	@echo "  Route explorer:  http://$(HOST):$(PORT)/_routes"
	@echo
	$(VENV)/bin/flask --app demo_app:create_app run --debug --host $(HOST) --port $(PORT)

test: $(STAMP) browser
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(PY) -m bench

# Rewrites docs/*.png from the running demo app (make test never touches docs/).
screenshots: $(STAMP) browser
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) dist build *.egg-info
