#!/usr/bin/env bash
# Sets up and runs every check and test tier. Starts its own PostgreSQL, Redis and local Ray
# (on free ports) inside the tests and stops them by PID; joins no existing cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export RAY_USAGE_STATS_ENABLED=0 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

echo "== lint and types"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy kernel demo_data eval_world deployments serve_app ops testkit

status=0
for tier in unit app deploy integration cluster; do
  echo "== tests/$tier"
  set +e
  .venv/bin/python -m pytest "tests/$tier" -q --durations=5 "$@"
  code=$?
  set -e
  if [ "$code" -eq 5 ]; then
    echo "tests/$tier: no tests collected"   # an empty tier is not a failure of the others
  elif [ "$code" -ne 0 ]; then
    status=$code
  fi
done
exit $status
