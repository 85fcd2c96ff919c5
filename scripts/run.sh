#!/usr/bin/env bash
# Sets up and runs the service on embedded defaults: SQLite file + in-process cache, demo data,
# fraud and insights models v1 trained here. Serve on :${PORT:-8000}, Ray dashboard on :8265.
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
echo "Serve: http://localhost:${PORT:-8000}  (Ray dashboard: http://localhost:8265)"
exec .venv/bin/serve run var/serve.run.yaml
