# The two commands of the README are `make run` and `make test`; the rest are shortcuts.
PY := .venv/bin/python
.PHONY: setup run test check fmt test-unit test-app test-integration train evaluate migrate seed token demo-business deploy stop

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

check:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy serve_app deployments

fmt:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

test-unit test-app test-integration: test-%:
	$(PY) -m pytest tests/$* -q

train:
	$(PY) -m serve_app.cli train

evaluate:
	$(PY) -m serve_app.cli evaluate

migrate:
	$(PY) -m serve_app.cli migrate

seed:
	$(PY) -m serve_app.cli seed

token:
	@$(PY) -m serve_app.cli token

demo-business:
	@$(PY) -m serve_app.cli businesses --first

# A long-running local Ray, then `serve deploy` of config/serve.yaml to it.
deploy:
	.venv/bin/ray start --head --num-cpus=2 --dashboard-host=127.0.0.1 --disable-usage-stats
	.venv/bin/serve deploy config/serve.yaml

stop:
	.venv/bin/ray stop
