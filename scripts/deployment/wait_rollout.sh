#!/usr/bin/env bash
# Waits until the RayService serves IMAGE: its status describes the applied spec (observed
# generation), no upgrade is pending, the active cluster's every pod template runs IMAGE, and
# every application on it is RUNNING. Fails after DEPLOY_TIMEOUT_SECONDS (900) with the
# RayService's conditions and application messages.
#
#   scripts/deployment/wait_rollout.sh IMAGE [kubectl flags, e.g. --context prod]
#
# `kubectl wait --for=condition=Ready` is not enough: during a NewCluster upgrade Ready stays
# true from the old cluster, so it returns before the new image serves, or even if it never does.
set -euo pipefail
image="${1:?usage: $0 IMAGE [kubectl flags]}"
shift
kubectl=(kubectl "$@" -n ai-backend)
timeout_s="${DEPLOY_TIMEOUT_SECONDS:-900}"
interval_s="${DEPLOY_POLL_SECONDS:-10}"
started=$SECONDS
service='{.metadata.generation}|{.status.observedGeneration}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="UpgradeInProgress")].status}|{.status.activeServiceStatus.rayClusterName}|{.status.activeServiceStatus.applicationStatuses.*.status}'
images='{.spec.headGroupSpec.template.spec.containers[*].image} {.spec.workerGroupSpecs[*].template.spec.containers[*].image}'

while :; do
  IFS='|' read -r generation observed ready upgrading cluster statuses \
    < <("${kubectl[@]}" get rayservice ai-backend -o "jsonpath=$service" 2>/dev/null || true) \
    || true  # jsonpath output ends without a newline, where read reports end of input
  running=""
  if [ -n "${cluster:-}" ]; then
    running="$("${kubectl[@]}" get raycluster "$cluster" -o "jsonpath=$images" 2>/dev/null || true)"
  fi
  others="$(tr ' ' '\n' <<<"$running" | grep -v -x -F -e "$image" -e '' || true)"
  apps="$(tr ' ' '\n' <<<"${statuses:-}" | grep -v -x -e RUNNING -e '' || true)"
  if [ -n "${generation:-}" ] && [ "$generation" = "${observed:-}" ] && [ "${ready:-}" = True ] \
    && [ "${upgrading:-}" != True ] && [ -n "$running" ] && [ -z "$others" ] \
    && [ -n "${statuses:-}" ] && [ -z "$apps" ]; then
    echo "rayservice/ai-backend serves $image on $cluster: applications ${statuses}"
    exit 0
  fi
  if (( SECONDS - started >= timeout_s )); then
    echo "rayservice/ai-backend does not serve $image after ${timeout_s} s:" >&2
    echo "  generation ${generation:-?} (status of ${observed:-none}), Ready=${ready:-?}," \
      "UpgradeInProgress=${upgrading:-?}, active cluster ${cluster:-none} runs ${running:-nothing}," \
      "applications ${statuses:-none}" >&2
    "${kubectl[@]}" get rayservice ai-backend -o \
      'jsonpath={range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\n"}{end}{range .status.activeServiceStatus.applicationStatuses.*}  application {.status}: {.message}{"\n"}{end}{range .status.pendingServiceStatus.applicationStatuses.*}  pending cluster application {.status}: {.message}{"\n"}{end}' \
      >&2 2>/dev/null || true
    exit 1
  fi
  sleep "$interval_s"
done
