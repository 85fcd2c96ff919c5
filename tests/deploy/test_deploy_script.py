"""scripts/deployment/deploy.sh --dry-run: the exact commands for each environment, target and
the monitoring argument; a missing variable stops it before any command, naming it; secret
values never printed. Run from a copy of the script so a developer's own .env files are not
read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run, tool

SECRETS = {
    "SUPABASE_URL": "https://demo.supabase.co",
    "SUPABASE_SERVICE_KEY": "service-key-value",
    "SUPABASE_ANON_KEY": "anon-key-value",
    "SUPABASE_JWT_SECRET": "jwt-secret-value-" + "x" * 20,
    "REDIS_PASSWORD": "redis-password-value",
}
OTHER_SECRETS = ("grafana-password-value", "ops-token-value-" + "x" * 12)
COMPOSE = "+ docker compose -f docker-compose.prod.yml"
KUBE = [
    "+ kubectl apply -f k8s/00-namespace.yaml",
    "+ kubectl -n ai-backend create secret generic ai-backend-secrets"
    " --from-literal=supabase-url=*** --from-literal=supabase-service-key=***"
    " --from-literal=supabase-anon-key=*** --from-literal=supabase-jwt-secret=***"
    " --from-literal=redis-password=*** --from-literal=ops-token=***"
    " --dry-run=client -o yaml",
    "+ kubectl apply -f -",
]
WAIT = "+ scripts/deployment/wait_rollout.sh ghcr.io/fineasy/ai-backend:0.1.0"
"""The overlays' image; tests/deploy/test_rollout_wait.py holds what the wait waits for."""
NO_MIGRATION = (
    "no DATABASE_URL: the migrations are not run (Supabase's REST API cannot run DDL; run"
    " serve_app/infra/migrations/*.sql in the project's SQL editor)"
)


def deploy(run: Run, checkout: Path, *args: str, **env: str) -> tuple[int, list[str], str]:
    names = [*SECRETS, "REDIS_URL", "IMAGE", "DATABASE_URL", "KUBE_CONTEXT", "ENVIRONMENT",
             "GRAFANA_ADMIN_PASSWORD", "OPS_TOKEN", "REGISTRY_USERNAME",
             "REGISTRY_TOKEN", "MONITORING_NAMESPACE"]  # fmt: skip
    clean = dict.fromkeys([*names, "DEPLOY_TARGET"], "")
    done = run("bash", "scripts/deployment/deploy.sh", *args, cwd=checkout, **{**clean, **env})
    return done.returncode, done.stdout.splitlines(), done.stderr


def env_file(checkout: Path, environment: str) -> None:
    lines = [f"ENVIRONMENT={environment}", *(f"{k}={v}" for k, v in SECRETS.items())]
    lines.append("REDIS_URL=redis://:redis-password-value@redis:6379/1")
    lines.append("GRAFANA_ADMIN_PASSWORD=grafana-password-value")
    lines.append(f"OPS_TOKEN={OTHER_SECRETS[1]}")
    (checkout / f".env.{environment}").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("environment", ["staging", "production"])
@pytest.mark.parametrize("monitoring", [False, True])
def test_compose_commands(run: Run, checkout: Path, environment: str, monitoring: bool) -> None:
    env_file(checkout, environment)
    args = ["--dry-run", *(["monitoring"] if monitoring else [])]
    env = {} if environment == "staging" else {"ENVIRONMENT": "production"}
    code, out, _ = deploy(run, checkout, *args, **env)
    compose = COMPOSE + (" --profile monitoring" if monitoring else "")
    assert code == 0 and not (checkout / "secrets").exists()  # a dry run writes nothing
    assert not [line for line in out if any(v in line for v in (*SECRETS.values(), *OTHER_SECRETS))]
    grafana = ["+ write secrets/grafana_admin_password and secrets/ops_token (mode 600)"]
    assert out == [
        *(grafana if monitoring else []),
        f"{compose} pull",
        f"{compose} up -d --remove-orphans --wait --wait-timeout 600",
        f"dry run: nothing was changed (ENVIRONMENT={environment} DEPLOY_TARGET=compose"
        f" monitoring={int(monitoring)})",
    ]


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_kubernetes_commands(run: Run, checkout: Path, environment: str) -> None:
    code, out, _ = deploy(
        run,
        checkout,
        "--dry-run",
        "monitoring",
        ENVIRONMENT=environment,
        DEPLOY_TARGET="kubernetes",
        OPS_TOKEN=OTHER_SECRETS[1],
        **SECRETS,
    )
    assert code == 0
    assert out[:-1] == [
        *KUBE,
        NO_MIGRATION,
        f"+ kubectl apply -k k8s-overlays/{environment}",
        "+ kubectl apply -k k8s/monitoring",
        "+ kubectl label namespace monitoring fineasy.io/scrapes-ai-backend=true --overwrite",
        WAIT,
    ]
    assert not [line for line in out if any(v in line for v in (*SECRETS.values(), *OTHER_SECRETS))]


def kubernetes_dry_run(run: Run, checkout: Path, **env: str) -> tuple[int, list[str], str]:
    """A staging deploy to Kubernetes, printed, with every required variable and `env`."""
    return deploy(
        run, checkout, "--dry-run", DEPLOY_TARGET="kubernetes", OPS_TOKEN=OTHER_SECRETS[1],
        **SECRETS, **env,
    )  # fmt: skip


def test_kubernetes_with_an_image_and_a_context(run: Run, checkout: Path) -> None:
    code, out, _ = kubernetes_dry_run(
        run, checkout, KUBE_CONTEXT="prod-cluster", IMAGE="ghcr.io/fineasy/ai-backend:abc123"
    )
    assert code == 0
    assert out[0] == "+ kubectl --context prod-cluster apply -f k8s/00-namespace.yaml"
    assert out[-3:-1] == [
        "+ kubectl --context prod-cluster kustomize k8s-overlays/staging"
        " (image ghcr.io/fineasy/ai-backend:abc123) | kubectl --context prod-cluster apply -f -",
        "+ scripts/deployment/wait_rollout.sh ghcr.io/fineasy/ai-backend:abc123"
        " --context prod-cluster",
    ]


def test_a_pull_secret_for_a_private_registry_never_shows_its_token(
    run: Run, checkout: Path
) -> None:
    code, out, _ = kubernetes_dry_run(
        run, checkout, REGISTRY_USERNAME="fineasy-bot", REGISTRY_TOKEN="ghp_registry-token-value"
    )
    assert code == 0
    assert out[3] == (
        "+ kubectl -n ai-backend create secret docker-registry ai-backend-registry"
        " (from REGISTRY_USERNAME, REGISTRY_TOKEN) | kubectl apply -f -"
    )
    assert not [line for line in out if "registry-token-value" in line or "fineasy-bot" in line]


@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_the_image_the_wait_expects_is_the_one_the_overlay_builds(run: Run, overlay: str) -> None:
    built = run(tool("kubectl"), "kustomize", f"k8s-overlays/{overlay}").stdout
    named = [line.split("image:")[1].strip() for line in built.splitlines() if "image:" in line]
    images = {image for image in named if "/ai-backend:" in image}
    assert images == {WAIT.split()[-1]}


@pytest.mark.parametrize("target", ["compose", "kubernetes"])
def test_a_missing_variable_stops_it_naming_the_variable(
    run: Run, checkout: Path, target: str
) -> None:
    env_file(checkout, "staging")
    (checkout / ".env.staging").write_text(
        (checkout / ".env.staging").read_text().replace("SUPABASE_ANON_KEY=anon-key-value\n", "")
    )
    given = {k: v for k, v in SECRETS.items() if k != "SUPABASE_ANON_KEY"}
    code, out, err = deploy(
        run, checkout, "--dry-run", DEPLOY_TARGET=target, OPS_TOKEN=OTHER_SECRETS[1], **given
    )
    assert code == 1 and out == []
    assert "missing: SUPABASE_ANON_KEY" in err


@pytest.mark.parametrize("target", ["compose", "kubernetes"])
def test_without_the_operator_credential_nothing_is_deployed(
    run: Run, checkout: Path, target: str
) -> None:
    """Outside development the app does not start without OPS_TOKEN, so a deploy without it
    stops before any command, monitoring or not."""
    env_file(checkout, "staging")
    text = (checkout / ".env.staging").read_text()
    (checkout / ".env.staging").write_text(text.replace("OPS_TOKEN=", "X="))
    code, out, err = deploy(run, checkout, "--dry-run", DEPLOY_TARGET=target, **SECRETS)
    assert code == 1 and out == [] and "missing: OPS_TOKEN" in err


@pytest.mark.parametrize("written", ["", "ENVIRONMENT=production\n", "ENVIRONMENT=\n"])
def test_an_env_file_must_name_its_own_environment(run: Run, checkout: Path, written: str) -> None:
    """The container reads ENVIRONMENT from the env file alone and the app has no default:
    a file that omits it, or names another, stops the deploy before any command."""
    env_file(checkout, "staging")
    text = (checkout / ".env.staging").read_text().replace("ENVIRONMENT=staging\n", written)
    (checkout / ".env.staging").write_text(text)
    code, out, err = deploy(run, checkout, "--dry-run", ENVIRONMENT="staging")
    assert code == 1 and out == []
    assert ".env.staging must set ENVIRONMENT=staging" in err


def test_a_missing_env_file_and_bad_arguments(run: Run, checkout: Path) -> None:
    code, out, err = deploy(run, checkout, "--dry-run", ENVIRONMENT="production")
    assert code == 1 and out == [] and "missing: .env.production" in err
    assert deploy(run, checkout, "--dry-run", ENVIRONMENT="prod")[0] == 2
    assert deploy(run, checkout, "--dry-run", "grafana")[0] == 2


def test_monitoring_needs_the_grafana_password(run: Run, checkout: Path) -> None:
    env_file(checkout, "staging")
    text = (checkout / ".env.staging").read_text()
    (checkout / ".env.staging").write_text(text.replace("GRAFANA_ADMIN_PASSWORD=", "X="))
    code, out, err = deploy(run, checkout, "--dry-run", "monitoring")
    assert code == 1 and out == [] and "missing: GRAFANA_ADMIN_PASSWORD" in err
    assert deploy(run, checkout, "--dry-run")[0] == 0  # without monitoring it is not needed


def test_prometheus_in_another_namespace_is_let_through_by_its_label(
    run: Run, checkout: Path
) -> None:
    """The metrics NetworkPolicy admits the namespace labelled so, whatever it is called."""
    code, out, _ = kubernetes_dry_run(run, checkout, MONITORING_NAMESPACE="observability")
    assert code == 0 and "+ kubectl label namespace monitoring" not in " ".join(out)
    code, out, _ = deploy(
        run, checkout, "--dry-run", "monitoring", DEPLOY_TARGET="kubernetes",
        MONITORING_NAMESPACE="observability", OPS_TOKEN=OTHER_SECRETS[1], **SECRETS,
    )  # fmt: skip
    assert code == 0
    assert (
        "+ kubectl label namespace observability fineasy.io/scrapes-ai-backend=true --overwrite"
    ) in out
    policies = yaml.safe_load_all((PROJECT_ROOT / "k8s" / "networkpolicy.yaml").read_text())
    (metrics,) = [p for p in policies if p["metadata"]["name"] == "ai-backend-metrics"]
    selector = metrics["spec"]["ingress"][0]["from"][0]["namespaceSelector"]
    assert selector == {"matchLabels": {"fineasy.io/scrapes-ai-backend": "true"}}


def test_with_a_database_url_the_schema_is_migrated_before_the_new_code_is_applied(
    run: Run, checkout: Path
) -> None:
    code, out, _ = kubernetes_dry_run(
        run, checkout, DATABASE_URL="postgresql://u:database-password@db:5432/postgres",
        IMAGE="ghcr.io/fineasy/ai-backend:abc123",
    )  # fmt: skip
    assert code == 0
    start = out.index("+ kubectl -n ai-backend delete job ai-backend-migrate --ignore-not-found")
    assert out[start : start + 4] == [
        "+ kubectl -n ai-backend delete job ai-backend-migrate --ignore-not-found",
        "+ kubectl -n ai-backend apply -f k8s/jobs/migrate.yaml"
        " (image ghcr.io/fineasy/ai-backend:abc123)",
        "+ kubectl -n ai-backend wait --for=condition=complete job/ai-backend-migrate"
        " --timeout=10m",
        "+ kubectl kustomize k8s-overlays/staging (image ghcr.io/fineasy/ai-backend:abc123)"
        " | kubectl apply -f -",
    ]
    assert not [line for line in out if "database-password" in line]
