#!/usr/bin/env bash
# Prints the exports that give Ray's HAProxy (config/ray.env turns it on) its files in folder $1:
#   eval "$(bash scripts/haproxy_env.sh /tmp/fineasy-hap)"
# Ray starts HAProxy and does not stop it when a Ray started by `serve run` or `ray start` is
# stopped: it keeps the Serve port and answers 500. Knowing its folder, whoever started Ray can
# stop it: bash scripts/haproxy_env.sh --stop /tmp/fineasy-hap. Keep the folder short: HAProxy
# refuses socket paths over 97 characters and Ray adds a 56-character folder below it.
set -euo pipefail
if [ "${1:-}" = "--stop" ]; then
  folder="${2:?usage: $0 --stop FOLDER}"
  pattern="haproxy .*-f ${folder}/"
  pkill -f -- "$pattern" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do   # up to 5 s to finish, then KILL
    pgrep -f -- "$pattern" >/dev/null || exit 0
    sleep 0.5
  done
  pkill -KILL -f -- "$pattern" 2>/dev/null || true
  exit 0
fi
folder="${1:?usage: $0 FOLDER}"
mkdir -p "$folder"
cat <<EXPORTS
export RAY_SERVE_HAPROXY_CONFIG_FILE_LOC=$folder/haproxy.cfg
export RAY_SERVE_HAPROXY_SOCKET_PATH=$folder/admin.sock
export RAY_SERVE_HAPROXY_SERVER_STATE_BASE=$folder
export RAY_SERVE_HAPROXY_SERVER_STATE_FILE=$folder/server-state
export RAY_SERVE_HAPROXY_METRICS_SOCKET_PATH=$folder/metrics.sock
EXPORTS
