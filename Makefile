# The two commands of the README are `make run` and `make test`; the rest are shortcuts.
PY := .venv/bin/python
# Ray token auth on for the long-running cluster and for every CLI call that talks to it.
export RAY_AUTH_MODE := token
.PHONY: setup run test check fmt test-unit test-app test-integration train evaluate backtest migrate seed token demo-business deploy status stop env

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

backtest:
	$(PY) -m serve_app.cli backtest

migrate:
	$(PY) -m serve_app.cli migrate

seed:
	$(PY) -m serve_app.cli seed

env:
	$(PY) -m serve_app.cli env

token:
	@$(PY) -m serve_app.cli token

demo-business:
	@$(PY) -m serve_app.cli businesses --first

# A long-running local Ray, then `serve deploy` of config/serve.yaml to it (after `make run`
# or `make setup train seed env`, so the model, the demo data and .env exist).
deploy:
	.venv/bin/ray start --head --num-cpus=2 --node-ip-address=127.0.0.1 \
		--dashboard-host=127.0.0.1 --disable-usage-stats
	.venv/bin/serve deploy config/serve.yaml

status:
	.venv/bin/serve status

stop:
	.venv/bin/ray stop
