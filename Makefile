# Two commands for a new user: `make demo` and `make test`. Both set up what is missing first.
PY := .venv/bin/python

.PHONY: setup demo test bench clean
setup:
	@bash scripts/setup.sh

# The broken demo world has findings on purpose: exit status 1 is its expected outcome.
demo: setup
	@$(PY) runner.py demo $(DEMO_ARGS) || [ $$? -eq 1 ]

test: setup
	@$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var .pytest_cache
