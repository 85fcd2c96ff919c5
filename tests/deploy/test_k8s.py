"""k8s/ and k8s-overlays/: what `kubectl apply -f k8s/ -n ai-backend` and `kubectl apply -k
k8s-overlays/<env>` would send, checked without a cluster: core kinds against Kubernetes'
OpenAPI schemas (kubernetes-validate), the RayService against KubeRay v1.7.0's CRD, overlays
built by a real kubectl's kustomize, the generated parts against their sources."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from ops import cli, k8s
from serve_app.serve_config import SERVE_YAML
from tests.deploy.conftest import Run, tool
from tests.support import crd
from tests.support.kuberay import container_environment

OVERLAYS = ("staging", "production")
GUIDE_SECRET_KEYS = {"supabase-url", "supabase-service-key", "supabase-anon-key"}


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def plain_manifests() -> list[Path]:
    """What `kubectl apply -f k8s/` reads: the folder's .yaml/.yml/.json files, no subfolder."""
    return sorted(
        p for p in (PROJECT_ROOT / "k8s").iterdir() if p.suffix in {".yaml", ".yml", ".json"}
    )


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind]


def build(run: Run, folder: str) -> list[dict[str, Any]]:
    done = run(tool("kubectl"), "kustomize", folder)
    assert done.returncode == 0, done.stderr
    return documents(done.stdout)


def validate_core(run: Run, *args: str, stdin: str | None = None) -> None:
    """kubernetes-validate --strict: unknown fields are errors; CRD kinds are checked apart."""
    done = run(tool("kubernetes-validate"), "--strict", "-k", "1.30.0", *args, stdin=stdin)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERROR" not in done.stdout


def test_generated_parts_match_their_sources() -> None:
    assert k8s.drifted() == []


def test_an_edit_to_a_source_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = tmp_path / "serve.yaml"
    changed.write_text(SERVE_YAML.read_text().replace("min_confidence: 0.5", "min_confidence: 0.6"))
    committed = k8s.RAYSERVICE.read_text()
    rendered = k8s.with_block(committed, "serveConfigV2", k8s.serve_config_v2(changed))
    assert rendered != committed and "min_confidence: 0.6" in rendered

    stale = tmp_path / "rayservice.yaml"
    stale.write_text(rendered)
    monkeypatch.setattr(k8s, "RAYSERVICE", stale)
    assert cli.main(["k8s", "--check"]) == 1
    assert "differs from its source" in capsys.readouterr().out
    assert cli.main(["k8s"]) == 0
    assert stale.read_text() == committed and cli.main(["k8s", "--check"]) == 0


def test_with_block_replaces_only_the_block() -> None:
    text = "a: 1\nspec:\n  block: |\n    old\n\n    older\n  after: 2\n# end\n"
    assert k8s.with_block(text, "block", "new: 1\n") == (
        "a: 1\nspec:\n  block: |\n    new: 1\n  after: 2\n# end\n"
    )


def test_the_rayservice_runs_what_the_project_files_say() -> None:
    (service,) = documents(k8s.RAYSERVICE.read_text())
    served = yaml.safe_load(service["spec"]["serveConfigV2"])
    assert served == {**yaml.safe_load(SERVE_YAML.read_text()), "proxy_location": "EveryNode"}
    cluster = service["spec"]["rayClusterConfig"]
    assert cluster["rayVersion"] == importlib.metadata.version("ray")
    version = importlib.metadata.version("fineasy-ai-backend")
    pods = [cluster["headGroupSpec"], *cluster["workerGroupSpecs"]]
    images = {c["image"] for pod in pods for c in pod["template"]["spec"]["containers"]}
    assert images == {f"ghcr.io/fineasy/ai-backend:{version}"}
    assert cluster["headGroupSpec"]["rayStartParams"]["num-cpus"] == "0"  # no replicas there
    assert cluster["enableInTreeAutoscaling"] is True
    assert cluster["gcsFaultToleranceOptions"]["redisAddress"] == "ai-backend-gcs-redis:6379"
    for pod in pods:
        (container,) = pod["template"]["spec"]["containers"]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        sources = [e["configMapRef"]["name"] for e in container["envFrom"]]
        assert sources == ["ai-backend-ray-env", "ai-backend-config"]


@crd.needs_crds
def test_rayservice_validates_against_the_kuberay_crd() -> None:
    (service,) = documents(k8s.RAYSERVICE.read_text())
    assert crd.errors(service) == []
    broken = yaml.safe_load(yaml.safe_dump(service))
    broken["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]["maxReplica"] = 3
    broken["spec"]["rayClusterConfig"]["headGroupSpec"]["rayStartParams"]["num-cpus"] = 0
    found = crd.errors(broken)
    assert any("maxReplica" in e for e in found) and any("num-cpus" in e for e in found)


def test_plain_manifests_validate_and_apply_in_order(run: Run) -> None:
    paths = plain_manifests()
    validate_core(run, *map(str, paths))
    docs = [d for p in paths for d in documents(p.read_text())]
    assert all({"apiVersion", "kind", "metadata"} <= set(d) for d in docs)
    assert by_kind(docs, "Secret") == []  # the real one is made by hand or deploy.sh
    assert docs[0]["kind"] == "Namespace" and docs[0]["metadata"]["name"] == "ai-backend"
    assert {d["kind"] for d in docs} >= {
        "RayService",
        "ConfigMap",
        "Service",
        "StatefulSet",
        "NetworkPolicy",
        "PodDisruptionBudget",
    }


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_builds_and_validates(run: Run, overlay: str) -> None:
    docs = build(run, f"k8s-overlays/{overlay}")
    validate_core(run, "-", stdin=yaml.safe_dump_all(docs))
    assert {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"} == {
        "ai-backend"
    }
    assert not {"PodMonitor", "ServiceMonitor", "PrometheusRule"} & {d["kind"] for d in docs}
    (config,) = [
        d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"] == "ai-backend-config"
    ]
    assert config["data"]["ENVIRONMENT"] == overlay
    (service,) = by_kind(docs, "RayService")
    workers = service["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]
    assert 1 <= workers["minReplicas"] <= workers["replicas"] <= workers["maxReplicas"]


@crd.needs_crds
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlays_rayservice_validates_against_the_kuberay_crd(run: Run, overlay: str) -> None:
    (service,) = by_kind(build(run, f"k8s-overlays/{overlay}"), "RayService")
    assert crd.errors(service) == []


def test_monitors_select_what_the_manifests_create(run: Run, tmp_path: Path) -> None:
    """k8s/monitoring (applied apart: it needs the Prometheus operator's CRDs)."""
    built = [d for d in build(run, "k8s/monitoring") if d["kind"] != "ConfigMap"]  # dashboards
    assert sorted(d["kind"] for d in built) == [
        "PodMonitor",
        "PodMonitor",
        "PrometheusRule",
        "ServiceMonitor",
    ]
    assert {d["metadata"]["namespace"] for d in built} == {"ai-backend"}
    (service,) = documents(k8s.RAYSERVICE.read_text())
    cluster = service["spec"]["rayClusterConfig"]
    groups = {"head": cluster["headGroupSpec"], "worker": cluster["workerGroupSpecs"][0]}
    monitors = documents((PROJECT_ROOT / "k8s/monitoring/podmonitors.yaml").read_text())
    for monitor in monitors:
        wanted = monitor["spec"]["selector"]["matchLabels"]
        node_type = wanted["ray.io/node-type"]  # KubeRay labels each pod with it
        template = groups[node_type]["template"]
        labels = {**template["metadata"]["labels"], "ray.io/node-type": node_type}
        assert wanted.items() <= labels.items()
        ports = {p["name"] for p in template["spec"]["containers"][0]["ports"]}
        assert {e["port"] for e in monitor["spec"]["podMetricsEndpoints"]} <= ports
    (service_monitor,) = documents(
        (PROJECT_ROOT / "k8s/monitoring/servicemonitor.yaml").read_text()
    )
    serve_service = service["spec"]["serveService"]
    wanted = service_monitor["spec"]["selector"]["matchLabels"]
    assert wanted.items() <= serve_service["metadata"]["labels"].items()
    assert {e["port"] for e in service_monitor["spec"]["endpoints"]} <= {
        p["name"] for p in serve_service["spec"]["ports"]
    }
    (rule,) = documents(k8s.PROMETHEUS_RULE.read_text())
    rules = tmp_path / "rules.yml"
    rules.write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    done = run(tool("promtool"), "check", "rules", str(rules))
    assert done.returncode == 0, done.stdout + done.stderr


def test_secrets_are_referenced_by_the_template_keys() -> None:
    (template,) = documents(
        (PROJECT_ROOT / "k8s/secrets/ai-backend-secrets.template.yaml").read_text()
    )
    keys = set(template["stringData"])
    assert GUIDE_SECRET_KEYS | {"supabase-jwt-secret", "redis-password"} <= keys
    referenced = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                referenced.add((node["secretKeyRef"]["name"], node["secretKeyRef"]["key"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in plain_manifests():
        for doc in documents(path.read_text()):
            walk(doc)
    assert {name for name, _ in referenced} == {"ai-backend-secrets"}
    assert {key for _, key in referenced} <= keys | {"database-url", "ops-token"}
    assert (
        "database-url" in template["stringData"]
        or "# database-url"
        in (PROJECT_ROOT / "k8s/secrets/ai-backend-secrets.template.yaml").read_text()
    )


def test_the_daily_purge_runs_the_apps_command_with_the_apps_settings() -> None:
    from ops.cli import main
    from serve_app.infra.settings import Settings

    (job,) = documents((PROJECT_ROOT / "k8s/retention-cronjob.yaml").read_text())
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == ["fineasy", "purge"]
    with pytest.raises(SystemExit) as shown:  # the command exists and takes no argument it lacks
        main(["purge", "--help"])
    assert shown.value.code == 0
    (rayservice,) = documents(k8s.RAYSERVICE.read_text())
    head = rayservice["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]
    assert container["image"] == head["containers"][0]["image"]
    assert {"name": "ai-backend-config"} in [e["configMapRef"] for e in container["envFrom"]]
    names = {e["name"] for e in container["env"]}
    assert names <= set(Settings.model_fields) and {"SUPABASE_JWT_SECRET", "DATABASE_URL"} <= names
    assert job["spec"]["concurrencyPolicy"] == "Forbid"


PLACEHOLDERS = {
    "SUPABASE_URL": "https://ref.supabase.co",
    "SUPABASE_JWT_SECRET": "s" * 40,
    "OPS_TOKEN": "o" * 24,
    "SUPABASE_SERVICE_KEY": "service-key",
    "SUPABASE_ANON_KEY": "anon-key",
    "REDIS_PASSWORD": "redis-password",
    "DATABASE_URL": "postgresql://user:password@db:5432/postgres",  # optional but in one Job
}
"""A value for each secret the pods read: what the real Secret holds is not in the repo."""


def started_environment(container: dict[str, Any], config: dict[str, str]) -> dict[str, str]:
    """What a container's process environment holds when every required Secret key exists and
    no optional one does: its ConfigMap's data, then its own env, as Kubernetes expands it."""
    stored: dict[str, dict[str, str]] = {}
    for entry in container["env"]:
        reference = entry.get("valueFrom", {}).get("secretKeyRef")
        if reference is not None and not reference.get("optional", False):
            stored.setdefault(reference["name"], {})[reference["key"]] = PLACEHOLDERS[entry["name"]]
    return {**config, **container_environment({"env": container["env"]}, {}, stored)}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_of_each_overlay_has_what_start_up_requires(run: Run, overlay: str) -> None:
    """ENVIRONMENT has no default and OPS_TOKEN and SUPABASE_URL are required outside
    development: each Ray container and the purge job load the app's settings from what the
    overlay gives them, the operator credential from a Secret key that is not optional."""
    from serve_app.infra.settings import load_settings

    docs = build(run, f"k8s-overlays/{overlay}")
    (config,) = [
        d for d in by_kind(docs, "ConfigMap") if d["metadata"]["name"] == "ai-backend-config"
    ]
    (service,) = by_kind(docs, "RayService")
    (job,) = by_kind(docs, "CronJob")
    cluster = service["spec"]["rayClusterConfig"]
    pods = [
        cluster["headGroupSpec"],
        *cluster["workerGroupSpecs"],
        job["spec"]["jobTemplate"]["spec"],
    ]
    containers = [pod["template"]["spec"]["containers"][0] for pod in pods]
    for container in containers:
        settings = load_settings(started_environment(container, config["data"]))
        assert (settings.ENVIRONMENT, settings.OPS_TOKEN is not None) == (overlay, True)
        given = {e["name"]: e for e in container["env"]}
        assert "optional" not in given["OPS_TOKEN"]["valueFrom"]["secretKeyRef"]


def service_account_token_holders(docs: list[dict[str, Any]]) -> dict[str, bool]:
    """Each pod template of the built objects -> whether its service account token is mounted
    (Kubernetes mounts it unless the pod says otherwise)."""
    found = {}
    for doc in docs:
        if doc["kind"] == "RayService":
            cluster = doc["spec"]["rayClusterConfig"]
            groups = {"ray head": cluster["headGroupSpec"]}
            groups |= {f"ray worker {g['groupName']}": g for g in cluster["workerGroupSpecs"]}
            pods = {name: group["template"]["spec"] for name, group in groups.items()}
        elif doc["kind"] == "CronJob":
            pods = {doc["metadata"]["name"]: doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]}
        elif doc["kind"] in ("Deployment", "StatefulSet"):
            pods = {doc["metadata"]["name"]: doc["spec"]["template"]["spec"]}
        else:
            continue
        found |= {name: pod.get("automountServiceAccountToken", True) for name, pod in pods.items()}
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_ray_head_mounts_its_token_which_its_autoscaler_needs(
    run: Run, overlay: str
) -> None:
    """KubeRay runs Ray's autoscaler beside the head (enableInTreeAutoscaling); Ray's KubeRay
    node provider reads the pod's service account token to scale the worker group. Unmounted,
    the autoscaler cannot start and the head never settles Ready. No other pod calls the API."""
    docs = build(run, f"k8s-overlays/{overlay}")
    (service,) = by_kind(docs, "RayService")
    assert service["spec"]["rayClusterConfig"]["enableInTreeAutoscaling"] is True
    holders = service_account_token_holders(docs)
    assert [name for name, mounted in holders.items() if mounted] == ["ray head"], holders


def test_a_head_without_its_token_is_caught() -> None:
    (service,) = documents(k8s.RAYSERVICE.read_text())
    service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"][
        "automountServiceAccountToken"
    ] = False
    assert not service_account_token_holders([service])["ray head"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_of_the_apps_image_may_pull_it_from_a_private_registry(
    run: Run, overlay: str
) -> None:
    """One image name (ghcr.io/fineasy/ai-backend, CI's push and deploy.sh's IMAGE replace the
    owner and tag) and one optional pull secret, made by deploy.sh from REGISTRY_USERNAME and
    REGISTRY_TOKEN; without it Kubernetes pulls anonymously."""
    docs = build(run, f"k8s-overlays/{overlay}")
    (service,) = by_kind(docs, "RayService")
    (job,) = by_kind(docs, "CronJob")
    cluster = service["spec"]["rayClusterConfig"]
    pods = [g["template"]["spec"] for g in (cluster["headGroupSpec"], *cluster["workerGroupSpecs"])]
    pods.append(job["spec"]["jobTemplate"]["spec"]["template"]["spec"])
    for pod in pods:
        assert pod["containers"][0]["image"].startswith("ghcr.io/fineasy/ai-backend:")
        assert pod["imagePullSecrets"] == [{"name": "ai-backend-registry"}]


def redis_args(name: str) -> list[str]:
    (stateful,) = by_kind(documents((PROJECT_ROOT / "k8s" / name).read_text()), "StatefulSet")
    args: list[str] = stateful["spec"]["template"]["spec"]["containers"][0]["args"]
    return args


def test_rays_state_and_the_apps_cache_live_in_two_redis_servers() -> None:
    """The GCS state never shares memory with the cache: its Redis never evicts; the app's is
    bounded and evicts only keys with an expiry (cached results, budgets), never the outbox."""
    gcs, cache = redis_args("gcs-redis.yaml"), redis_args("redis.yaml")
    assert gcs[gcs.index("--maxmemory-policy") + 1] == "noeviction"
    assert gcs[gcs.index("--appendonly") + 1] == cache[cache.index("--appendonly") + 1] == "yes"
    assert cache[cache.index("--maxmemory-policy") + 1] == "volatile-lru"
    assert cache[cache.index("--maxmemory") + 1] == "256mb"
    (service,) = documents(k8s.RAYSERVICE.read_text())
    cluster = service["spec"]["rayClusterConfig"]
    assert cluster["gcsFaultToleranceOptions"]["redisAddress"].startswith("ai-backend-gcs-redis:")
    env = {
        e["name"]: e for e in cluster["headGroupSpec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert "@ai-backend-redis:6379/" in env["REDIS_URL"]["value"]


def test_kubectl_is_the_pinned_one(run: Run) -> None:
    """Not the machine's own kubectl: the one scripts/setup.sh --test puts in .tools/."""
    done = run(tool("kubectl"), "version", "--client")
    assert tool("kubectl") == str(PROJECT_ROOT / ".tools" / "kubectl")
    assert "v1.35.2" in done.stdout and "Kustomize Version: v5.7.1" in done.stdout


def test_rays_token_auth_is_on_wherever_ray_starts() -> None:
    """T46: the dashboard and job API need Ray's token in every shipped way to start Ray: `make
    run` and the image's command, the Makefile's shell (`make deploy`), the RayService's
    authOptions."""
    for script in ("scripts/run.sh", "scripts/container/start.sh"):
        assert "export RAY_AUTH_MODE=token\n" in (PROJECT_ROOT / script).read_text(), script
    assert "export RAY_AUTH_MODE := token" in (PROJECT_ROOT / "Makefile").read_text()
    (rayservice,) = documents((PROJECT_ROOT / "k8s" / "rayservice.yaml").read_text())
    assert rayservice["spec"]["rayClusterConfig"]["authOptions"]["mode"] == "token"
