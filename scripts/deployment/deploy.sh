#!/usr/bin/env bash
# Deploys the FinEasy AI backend. Idempotent: run it again to apply a change.
#
#   scripts/deployment/deploy.sh [--dry-run] [monitoring]
#
#   ENVIRONMENT     staging (default) or production
#   DEPLOY_TARGET   compose (default: docker-compose.prod.yml on this machine, settings from
#                   .env.<ENVIRONMENT>) or kubernetes (the RayService of k8s-overlays/<ENVIRONMENT>
#                   into namespace ai-backend; settings from the environment, as CI passes them)
#   IMAGE           the image to run (default: the one the files name, ghcr.io/fineasy/ai-backend
#                   at the overlay's tag); rollout is waited for until it serves this image
#   REGISTRY_USERNAME, REGISTRY_TOKEN
#                   optional (kubernetes): a pull secret for a private registry package (a token
#                   that can read packages; not CI's GITHUB_TOKEN, which expires with the job)
#   DEPLOY_TIMEOUT_SECONDS  how long to wait for the rollout (kubernetes; 900)
#   SLACK_WEBHOOK   optional (kubernetes, with `monitoring`): alerts to Slack through the
#                   cluster's Alertmanager (k8s/monitoring/alerting/)
#   monitoring      also Prometheus and Alertmanager (compose profile) or k8s/monitoring (the
#                   Prometheus operator's objects; its namespace, MONITORING_NAMESPACE or
#                   `monitoring`, is labelled so the NetworkPolicy lets it scrape)
#   --dry-run       print each command, run nothing (secret values are never printed)
#
# Fails before doing anything when a required variable is missing, naming it.
set -euo pipefail
cd "$(dirname "$0")/../.."

dry_run=0
monitoring=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=1 ;;
    monitoring) monitoring=1 ;;
    *) echo "usage: $0 [--dry-run] [monitoring]" >&2; exit 2 ;;
  esac
done
environment="${ENVIRONMENT:-staging}"
target="${DEPLOY_TARGET:-compose}"
case "$environment" in staging|production) ;; *)
  echo "ENVIRONMENT must be staging or production, not '$environment'" >&2; exit 2 ;;
esac
IMAGE_REPOSITORY=ghcr.io/fineasy/ai-backend  # the name every file uses; IMAGE may name another
SECRET_VARIABLES=(SUPABASE_URL SUPABASE_SERVICE_KEY SUPABASE_ANON_KEY SUPABASE_JWT_SECRET REDIS_PASSWORD
                  OPS_TOKEN)  # the app does not start outside development without OPS_TOKEN

# Prints the command (with any --from-literal value hidden), then runs it unless --dry-run.
run() {
  local shown=() word
  for word in "$@"; do
    if [[ "$word" =~ ^(--from-literal=[^=]+)= ]]; then word="${BASH_REMATCH[1]}=***"; fi
    shown+=("$word")
  done
  echo "+ ${shown[*]}"
  if [ "$dry_run" = 0 ]; then "$@"; fi
}

require() {
  local missing=() name
  for name in "$@"; do [ -n "${!name:-}" ] || missing+=("$name"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing: ${missing[*]} (set for ENVIRONMENT=$environment, DEPLOY_TARGET=$target)" >&2
    exit 1
  fi
}

deploy_compose() {
  local env_file=".env.$environment"
  if [ ! -f "$env_file" ]; then
    echo "missing: $env_file (copy .env.production.example and fill it in)" >&2
    exit 1
  fi
  # The container reads ENVIRONMENT from this file alone, and the app has no default for it.
  local named
  # shellcheck source=/dev/null
  named="$(ENVIRONMENT=; set -a; . "./$env_file"; printf '%s' "${ENVIRONMENT:-}")"
  if [ "$named" != "$environment" ]; then
    echo "$env_file must set ENVIRONMENT=$environment (it sets '${named}'; the app has no default)" >&2
    exit 1
  fi
  set -a
  # shellcheck source=/dev/null
  . "./$env_file"
  set +a
  require "${SECRET_VARIABLES[@]}" REDIS_URL
  local compose=(docker compose -f docker-compose.prod.yml)
  if [ "$monitoring" = 1 ]; then
    require GRAFANA_ADMIN_PASSWORD
    compose+=(--profile monitoring)
    # Grafana reads its admin password, Prometheus the operators' credential, from these files
    # (compose secrets), never from env.
    echo "+ write secrets/grafana_admin_password and secrets/ops_token (mode 600)"
    if [ "$dry_run" = 0 ]; then
      (umask 077 && mkdir -p secrets && printf '%s' "$GRAFANA_ADMIN_PASSWORD" \
        > secrets/grafana_admin_password && printf '%s' "$OPS_TOKEN" > secrets/ops_token)
    fi
  fi
  export ENV_FILE="$env_file"
  if [ -n "${IMAGE:-}" ]; then export AI_BACKEND_IMAGE="$IMAGE"; fi
  run "${compose[@]}" pull
  run "${compose[@]}" up -d --remove-orphans --wait --wait-timeout 600
}

deploy_kubernetes() {
  require "${SECRET_VARIABLES[@]}"
  local kubectl=(kubectl)
  if [ -n "${KUBE_CONTEXT:-}" ]; then kubectl+=(--context "$KUBE_CONTEXT"); fi
  run "${kubectl[@]}" apply -f k8s/00-namespace.yaml
  local literals=(
    "--from-literal=supabase-url=$SUPABASE_URL"
    "--from-literal=supabase-service-key=$SUPABASE_SERVICE_KEY"
    "--from-literal=supabase-anon-key=$SUPABASE_ANON_KEY"
    "--from-literal=supabase-jwt-secret=$SUPABASE_JWT_SECRET"
    "--from-literal=redis-password=$REDIS_PASSWORD"
    "--from-literal=ops-token=$OPS_TOKEN"
  )
  if [ -n "${DATABASE_URL:-}" ]; then literals+=("--from-literal=database-url=$DATABASE_URL"); fi
  # create --dry-run=client | apply: creates the secret or updates it in place.
  if [ "$dry_run" = 1 ]; then
    run "${kubectl[@]}" -n ai-backend create secret generic ai-backend-secrets "${literals[@]}" \
      --dry-run=client -o yaml
    echo "+ ${kubectl[*]} apply -f -"
  else
    echo "+ ${kubectl[*]} -n ai-backend create secret generic ai-backend-secrets (from the environment) | ${kubectl[*]} apply -f -"
    "${kubectl[@]}" -n ai-backend create secret generic ai-backend-secrets "${literals[@]}" \
      --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
  fi
  # The pods name ai-backend-registry as their pull secret; without it the image is pulled
  # anonymously (a public package), with it from a private one.
  if [ -n "${REGISTRY_USERNAME:-}" ] && [ -n "${REGISTRY_TOKEN:-}" ]; then
    local registry=(create secret docker-registry ai-backend-registry
                    "--docker-server=${IMAGE_REPOSITORY%%/*}"
                    "--docker-username=$REGISTRY_USERNAME" "--docker-password=$REGISTRY_TOKEN")
    echo "+ ${kubectl[*]} -n ai-backend ${registry[*]:0:4} (from REGISTRY_USERNAME, REGISTRY_TOKEN) | ${kubectl[*]} apply -f -"
    if [ "$dry_run" = 0 ]; then
      "${kubectl[@]}" -n ai-backend "${registry[@]}" --dry-run=client -o yaml \
        | "${kubectl[@]}" apply -f -
    fi
  fi
  local image="${IMAGE:-}"
  if [ -z "$image" ]; then
    image="$IMAGE_REPOSITORY:$(sed -n "s|^ *newTag: *||p" "k8s-overlays/$environment/kustomization.yaml" | head -1)"
  fi
  # The schema first, with the release's image: the new code never serves on an old schema.
  if [ -n "${DATABASE_URL:-}" ]; then
    run "${kubectl[@]}" -n ai-backend delete job ai-backend-migrate --ignore-not-found
    echo "+ ${kubectl[*]} -n ai-backend apply -f k8s/jobs/migrate.yaml (image $image)"
    if [ "$dry_run" = 0 ]; then
      sed "s|image: $IMAGE_REPOSITORY:.*|image: $image|" k8s/jobs/migrate.yaml \
        | "${kubectl[@]}" -n ai-backend apply -f -
    fi
    if ! run "${kubectl[@]}" -n ai-backend wait --for=condition=complete job/ai-backend-migrate \
        --timeout=10m; then
      "${kubectl[@]}" -n ai-backend logs job/ai-backend-migrate --tail=50 >&2 || true
      echo "the migrations failed: nothing else was applied" >&2
      exit 1
    fi
  else
    echo "no DATABASE_URL: the migrations are not run (Supabase's REST API cannot run DDL; run" \
      "serve_app/infra/migrations/*.sql in the project's SQL editor)"
  fi
  if [ -n "${IMAGE:-}" ]; then
    echo "+ ${kubectl[*]} kustomize k8s-overlays/$environment (image $image) | ${kubectl[*]} apply -f -"
    if [ "$dry_run" = 0 ]; then
      "${kubectl[@]}" kustomize "k8s-overlays/$environment" \
        | sed "s|image: $IMAGE_REPOSITORY:.*|image: $image|" | "${kubectl[@]}" apply -f -
    fi
  else
    run "${kubectl[@]}" apply -k "k8s-overlays/$environment"
  fi
  if [ "$monitoring" = 1 ]; then
    run "${kubectl[@]}" apply -k k8s/monitoring
    # The NetworkPolicy lets the namespace labelled so scrape the metrics ports.
    run "${kubectl[@]}" label namespace "${MONITORING_NAMESPACE:-monitoring}" \
      fineasy.io/scrapes-ai-backend=true --overwrite
    # Alerts to Slack through kube-prometheus-stack's Alertmanager, when there is a webhook.
    if [ -n "${SLACK_WEBHOOK:-}" ]; then
      local alerting=(-n ai-backend create secret generic ai-backend-alerting
                      "--from-literal=slack-webhook-url=$SLACK_WEBHOOK")
      if [ "$dry_run" = 1 ]; then
        run "${kubectl[@]}" "${alerting[@]}" --dry-run=client -o yaml
        echo "+ ${kubectl[*]} apply -f -"
      else
        echo "+ ${kubectl[*]} ${alerting[*]:0:6} (from SLACK_WEBHOOK) | ${kubectl[*]} apply -f -"
        "${kubectl[@]}" "${alerting[@]}" --dry-run=client -o yaml | "${kubectl[@]}" apply -f -
      fi
      run "${kubectl[@]}" -n ai-backend apply -f k8s/monitoring/alerting/
    fi
  fi
  local context=()
  if [ -n "${KUBE_CONTEXT:-}" ]; then context=(--context "$KUBE_CONTEXT"); fi
  run scripts/deployment/wait_rollout.sh "$image" "${context[@]}"
}

case "$target" in
  compose) deploy_compose ;;
  kubernetes) deploy_kubernetes ;;
  *) echo "DEPLOY_TARGET must be compose or kubernetes, not '$target'" >&2; exit 2 ;;
esac
if [ "$dry_run" = 1 ]; then
  echo "dry run: nothing was changed (ENVIRONMENT=$environment DEPLOY_TARGET=$target monitoring=$monitoring)"
else
  echo "deployed: ENVIRONMENT=$environment DEPLOY_TARGET=$target monitoring=$monitoring"
fi
