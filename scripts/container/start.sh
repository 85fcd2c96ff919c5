#!/usr/bin/env bash
# The image's default command (docker run, docker compose): one Ray node in this container with
# the app deployed from config/serve.yaml, on :8000. KubeRay does not use it: it starts Ray
# itself and deploys the RayService's serveConfigV2.
#   FINEASY_MIGRATE=1   apply the database migrations first
#   FINEASY_SEED=1      load the demo businesses first (development only; idempotent)
set -euo pipefail
cd "$(dirname "$0")/../.."
set -a; . config/ray.env; set +a   # the Ray process settings the app is tuned for
# Ray's own token auth (dashboard, job API, GCS), whoever starts this: `serve run` makes the token.
export RAY_AUTH_MODE=token
if [ "${FINEASY_MIGRATE:-0}" = 1 ]; then fineasy migrate; fi
if [ "${FINEASY_SEED:-0}" = 1 ]; then fineasy seed; fi
exec serve run config/serve.yaml
