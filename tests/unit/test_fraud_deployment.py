"""The FraudDeployment shell's own logic (user_config handling), constructed without Serve."""

from pathlib import Path

import pytest

from deployments.fraud.deployment import FraudDeployment
from deployments.hosting.artifacts import ARTIFACT_FILE, ArtifactError
from kernel.tuning import ModelsConfig
from testkit.factories import write_model
from tests.support.config import pinned_config

Shell = FraudDeployment.func_or_class


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    write_model(tmp_path, "v1")
    write_model(tmp_path, "v2")
    tampered = tmp_path / "fraud" / "v2" / ARTIFACT_FILE
    tampered.write_bytes(tampered.read_bytes()[:-1] + b"\x00")
    write_model(tmp_path, "v3")
    return tmp_path


def test_a_replica_without_a_loadable_model_fails(models_dir: Path) -> None:
    shell = Shell(ModelsConfig(models_dir=str(models_dir)))
    with pytest.raises(ArtifactError):
        shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v2"))
    with pytest.raises(RuntimeError):
        shell.check_health()


def test_a_tampered_version_is_refused_and_the_old_one_keeps_serving(models_dir: Path) -> None:
    shell = Shell(ModelsConfig(models_dir=str(models_dir)))
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v1"))
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v2"))
    info = shell.info()
    assert info.version == "v1" and "v2 refused" in (info.load_error or "")
    shell.check_health()


def test_tuning_changes_apply_in_place_and_new_versions_load(models_dir: Path) -> None:
    shell = Shell(ModelsConfig(models_dir=str(models_dir)))
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v1"))
    predictor = shell._ready()
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v1", min_confidence=0.9))
    assert shell._ready() is predictor and predictor.tuning.min_confidence == 0.9
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v3"))
    assert shell.info().version == "v3" and shell.info().load_error is None


def test_a_pinned_digest_that_does_not_match_is_refused(models_dir: Path) -> None:
    shell = Shell(ModelsConfig(models_dir=str(models_dir)))
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v1"))
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v1", model_sha256="0" * 64))
    assert "refused" in (shell.info().load_error or "")


def test_an_artifact_swapped_with_its_manifest_is_refused_by_the_pin(models_dir: Path) -> None:
    """Whoever can write the models' volume replaces v1's artifact and its manifest together
    (they agree with each other): the pin in the config, which they cannot write, refuses it
    before anything is unpickled."""
    import joblib

    from deployments.hosting.artifacts import save_artifact

    config = pinned_config(models_dir, "FraudDeployment", "v1")  # pinned before the swap
    payload = joblib.load(models_dir / "fraud" / "v1" / ARTIFACT_FILE)
    payload.swapped = True
    save_artifact(models_dir, "fraud", "v1", payload, metrics={}, training_data_hash="x")
    shell = Shell(ModelsConfig(models_dir=str(models_dir)))
    with pytest.raises(ArtifactError, match="does not match the config"):
        shell.reconfigure(config)
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v3"))
    shell.reconfigure(config)  # serving v3, the swapped v1 is refused and v3 serves on
    assert shell.info().version == "v3" and "v1 refused" in (shell.info().load_error or "")


def test_the_shipped_config_pins_every_model_and_a_config_without_a_pin_is_refused() -> None:
    from kernel.tuning import ModelTuning
    from tests.support.config import SHIPPED

    for deployment, options in SHIPPED.options.items():
        if "user_config" in options:
            assert len(options["user_config"]["model_sha256"]) == 64, deployment
    with pytest.raises(ValueError, match="model_sha256"):
        ModelTuning.model_validate({"model_version": "v1"})


async def test_a_prediction_stuck_in_its_thread_fails_the_health_check(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request that gave up (the ingress cancels it) leaves a stuck thread behind: the health
    check sees it, so Serve replaces the replica."""
    import asyncio
    import threading

    import deployments.hosting.host as host

    shell = Shell(ModelsConfig(models_dir=str(models_dir)))
    shell.reconfigure(pinned_config(models_dir, "FraudDeployment", "v1"))
    monkeypatch.setattr(host, "HUNG_AFTER_S", 0.05)
    stuck, release = threading.Event(), threading.Event()

    def hangs() -> str:
        stuck.set()
        release.wait(10)
        return "late"

    call = asyncio.ensure_future(shell._threaded(hangs))
    await asyncio.to_thread(stuck.wait, 5)
    call.cancel()  # the request gave up; the thread did not
    await asyncio.sleep(0.1)
    with pytest.raises(RuntimeError, match="hung"):
        shell.check_health()
    release.set()
    await asyncio.sleep(0.1)
    shell.check_health()  # the thread finished: healthy again
