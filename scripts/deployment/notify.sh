#!/usr/bin/env bash
# Posts one line to Slack when SLACK_WEBHOOK is set; otherwise says so and succeeds.
#   SLACK_WEBHOOK=https://hooks.slack.com/services/... scripts/deployment/notify.sh "message"
set -euo pipefail
message="${1:?usage: $0 message}"
if [ -z "${SLACK_WEBHOOK:-}" ]; then
  echo "SLACK_WEBHOOK not set: not posting '$message'"
  exit 0
fi
payload=$(python3 -c 'import json, sys; print(json.dumps({"text": sys.argv[1]}))' "$message")
curl -fsS -X POST -H 'Content-Type: application/json' --data "$payload" "$SLACK_WEBHOOK" >/dev/null
echo "posted to Slack: $message"
