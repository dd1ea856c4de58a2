# The two set-up commands: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install coverage bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/cogito serve --host 127.0.0.1 --port 9229

test: $(STAMP)
	$(PY) -m pytest

coverage: $(STAMP)
	$(PY) scripts/coverage.py

bench: $(STAMP)
	$(PY) bench/startup.py

clean:
	rm -rf $(VENV) .cogito .pytest_cache
