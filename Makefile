# The two commands of the README: `make run` starts the app, `make test` runs the whole suite.
# Each creates the virtual environment (.venv) on first use and refreshes it when pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint coverage bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/storeroom-desktop

lint: $(STAMP)
	$(VENV)/bin/ruff check desktop tests bench migrations
	$(VENV)/bin/ruff format --check desktop tests bench migrations
	$(VENV)/bin/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q

# the whole suite once more, measuring which lines and branches of desktop/ it runs
coverage: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q --cov --cov-report=term:skip-covered

bench: $(STAMP)
	$(VENV)/bin/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
