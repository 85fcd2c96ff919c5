# The two commands of the README are `make run` and `make test`; the rest are shortcuts.
PY := .venv/bin/python
FINEASY := .venv/bin/fineasy
# Ray token auth on for the long-running cluster and for every CLI call that talks to it.
export RAY_AUTH_MODE := token
.PHONY: soak setup run test check fmt test-unit test-app test-deploy test-integration test-cluster train evaluate backtest migrate seed token demo-business deploy status stop env config graph

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

check:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy kernel demo_data eval_world deployments serve_app ops testkit

graph:  # the package import graph docs/architecture.md shows
	$(PY) -m tests.support.imports

fmt:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

test-unit test-app test-deploy test-integration test-cluster: test-%:
	$(PY) -m pytest tests/$* -q

# The soak tier (tests/soak: T21-T23, about 80 minutes; CI skips it). SOAK_MINUTES,
# SOAK_LONG_MINUTES, SOAK_MAX_MINUTES shorten it.
soak:
	bash scripts/setup.sh --test
	$(FINEASY) train --version v1
	RAY_USAGE_STATS_ENABLED=0 OMP_NUM_THREADS=1 $(PY) -m pytest tests/soak -q -s

train:
	$(FINEASY) train

evaluate:
	$(FINEASY) evaluate

backtest:
	$(FINEASY) backtest

migrate:
	$(FINEASY) migrate

seed:
	$(FINEASY) seed

config:
	$(FINEASY) config

env:
	$(FINEASY) env

token:
	@$(FINEASY) token

demo-business:
	@$(FINEASY) businesses --first

# A long-running local Ray (with config/ray.env), then `serve deploy` of config/serve.yaml to it (after `make run`
# or `make setup train seed env`, so the model, the demo data and .env exist).
HAPROXY_DIR := /tmp/fineasy-hap-$(shell id -u)

deploy:
	set -a && . config/ray.env && set +a && eval "$$(bash scripts/haproxy_env.sh $(HAPROXY_DIR))" && \
	.venv/bin/ray start --head --num-cpus=2 --node-ip-address=127.0.0.1 \
		--dashboard-host=127.0.0.1 --disable-usage-stats
	$(FINEASY) config
	.venv/bin/serve deploy config/serve.yaml

status:
	.venv/bin/serve status

stop:
	.venv/bin/ray stop
	bash scripts/haproxy_env.sh --stop $(HAPROXY_DIR)   # Ray leaves its HAProxy running
