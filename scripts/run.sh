#!/usr/bin/env bash
# Sets up and runs the service on embedded defaults: SQLite file + in-process cache, demo data,
# the models v1 trained here (OCR: Tesseract from apt, pinned and measured).
# Serve on :${PORT:-8000}, Ray dashboard on :8265.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
.venv/bin/fineasy env
.venv/bin/fineasy train --version v1
.venv/bin/fineasy seed
mkdir -p var
$PY - "${PORT:-8000}" <<'PYEOF'
import sys, yaml
config = yaml.safe_load(open("config/serve.yaml"))
config["http_options"]["port"] = int(sys.argv[1])
yaml.safe_dump(config, open("var/serve.run.yaml", "w"), sort_keys=False)
PYEOF
set -a; . config/ray.env; set +a   # the Ray process settings the app is tuned for
# Ray's own token auth (dashboard, job API, GCS), whoever starts this: `serve run` makes the token.
export RAY_AUTH_MODE=token
hap=$(mktemp -d /tmp/fineasy-hap-XXXXXX)
eval "$(bash scripts/haproxy_env.sh "$hap")"
# Ray leaves its HAProxy running (holding the port) when serve run stops: stop it here.
trap 'bash scripts/haproxy_env.sh --stop "$hap"; rm -rf "$hap"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "Serve: http://localhost:${PORT:-8000}  (Ray dashboard: http://localhost:8265)"
.venv/bin/serve run var/serve.run.yaml
