"""k8s/jobs/migrate.yaml, the schema migration deploy.sh runs before the RayService: a valid Job
(Kubernetes' strict schema), the app's own command with the image and settings the Ray pods
use, never started by `kubectl apply -f k8s/`."""

from __future__ import annotations

import pytest

from kernel.paths import PROJECT_ROOT
from ops import k8s
from tests.deploy.conftest import Run
from tests.deploy.test_k8s import (
    build,
    by_kind,
    documents,
    plain_manifests,
    started_environment,
    validate_core,
)

MIGRATE = PROJECT_ROOT / "k8s" / "jobs" / "migrate.yaml"


def test_the_migration_job_is_valid_and_never_applied_with_the_folder(run: Run) -> None:
    validate_core(run, str(MIGRATE))
    assert MIGRATE not in plain_manifests()
    assert "jobs" not in (PROJECT_ROOT / "k8s" / "Kustomization").read_text()


@pytest.mark.parametrize("overlay", ["staging", "production"])
def test_it_runs_fineasy_migrate_with_the_ray_pods_image_and_settings(
    run: Run, overlay: str
) -> None:
    from ops.cli import main
    from serve_app.infra.settings import load_settings

    (job,) = documents(MIGRATE.read_text())
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == ["fineasy", "migrate"]
    with pytest.raises(SystemExit) as shown:
        main(["migrate", "--help"])
    assert shown.value.code == 0
    (service,) = documents(k8s.RAYSERVICE.read_text())
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]
    assert container["image"] == head["containers"][0]["image"]
    assert pod["imagePullSecrets"] == head["imagePullSecrets"]
    assert pod["automountServiceAccountToken"] is False
    docs = build(run, f"k8s-overlays/{overlay}")
    configs = by_kind(docs, "ConfigMap")
    (config,) = [d for d in configs if d["metadata"]["name"] == "ai-backend-config"]
    settings = load_settings(started_environment(container, config["data"]))
    assert (settings.ENVIRONMENT, settings.store_kind) == (overlay, "postgres")
