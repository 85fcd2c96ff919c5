import importlib
import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo_data.tables import DEMO_USER_IDS
from deployments.fraud import offline as fraud_offline
from deployments.hosting.artifacts import ARTIFACT_FILE, file_sha256, save_artifact
from deployments.offline.commands import Run, Shipped, Trained
from kernel.models import Seam
from kernel.models.fraud import FraudTuning
from kernel.models.registry import SEAMS
from ops import cli
from serve_app.infra.auth import SupabaseAuth
from serve_app.serve_config import SERVE_YAML

SECRET = "c" * 48


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Runs the CLI with a JWT secret, in development unless told otherwise, and the given
    extra environment; returns (code, out, err)."""

    def go(argv: list[str], **env: str) -> tuple[int, str, str]:
        monkeypatch.setenv("SUPABASE_JWT_SECRET", SECRET)
        monkeypatch.setenv("ENVIRONMENT", "development")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = cli.main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return go


async def test_token_is_accepted_by_the_servers_verifier(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(["token"], ENVIRONMENT="development")
    assert code == 0
    assert (
        await SupabaseAuth(SECRET).authenticate(f"Bearer {out.strip()}")
    ).user_id == DEMO_USER_IDS[0]


def test_token_refuses_to_run_in_production(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        ["token"],
        ENVIRONMENT="production",  # with all production needs, so the refusal is what answers
        DATABASE_URL="postgresql://u:p@db:5432/x",
        SUPABASE_URL="https://ref.supabase.co",
        OPS_TOKEN="o" * 24,
    )
    assert (code, out) == (2, "") and "refusing to mint tokens" in err


def test_env_writes_what_the_development_file_lacks_and_keeps_what_it_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from serve_app.infra.settings import load_settings

    path = tmp_path / ".env"
    assert cli.write_development_env(path) == ["ENVIRONMENT", "SUPABASE_JWT_SECRET"]
    assert path.stat().st_mode & 0o777 == 0o600
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    monkeypatch.delenv("SUPABASE_JWT_SECRET", raising=False)
    assert load_settings(folder=tmp_path).ENVIRONMENT == "development"  # a fresh clone's make run
    first = path.read_text()
    assert cli.write_development_env(path) == [] and path.read_text() == first
    # a .env written before ENVIRONMENT had no default: its secret stays, ENVIRONMENT is added
    path.write_text("SUPABASE_JWT_SECRET=" + "k" * 48)
    assert cli.write_development_env(path) == ["ENVIRONMENT"]
    assert path.read_text() == "SUPABASE_JWT_SECRET=" + "k" * 48 + "\nENVIRONMENT=development\n"


def test_configuration_errors_exit_2_naming_the_variable(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(["token"], MODEL_TIMEOUT_SECONDS="soon")
    assert code == 2 and "MODEL_TIMEOUT_SECONDS" in err


def test_train_keeps_a_readable_version_and_retrains_an_unreadable_one(
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    trained: list[str] = []

    def fake(version: str, businesses: int | None, shipped: Shipped) -> Trained:
        trained.append(version)
        return {"weights": [1]}, {"recall": 1.0}, "data-hash"

    monkeypatch.setattr(fraud_offline, "train", fake)
    argv = ["train", "--model", "fraud", "--version", "v1", "--models-dir", str(tmp_path)]
    assert run(argv)[0] == 0 and trained == ["v1"]
    code, out, _ = run(argv)
    assert code == 0 and trained == ["v1"] and "already exists" in out
    path = tmp_path / "fraud" / "v1" / ARTIFACT_FILE
    path.write_bytes(b"cdeployments.fraud_predictor\nFraudModels\n.")  # written by older code
    manifest = tmp_path / "fraud" / "v1" / "manifest.json"
    manifest.write_text(
        json.dumps({**json.loads(manifest.read_text()), "sha256": file_sha256(path)})
    )
    code, out, _ = run(argv)
    assert code == 0 and trained == ["v1", "v1"] and "retraining" in out


def test_config_names_a_bad_field(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = SERVE_YAML.read_text().replace("min_confidence: 0.5", "min_confidence: 2")
    (tmp_path / "serve.yaml").write_text(bad)
    code, _, err = run(["config", str(tmp_path / "serve.yaml")])
    assert code == 1 and "FraudDeployment].user_config.min_confidence" in err
    assert run(["config"])[0] == 0


def test_training_pins_each_artifact_in_the_config_it_serves_from(
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """`fineasy train` writes the sha256 of what it trained into the serve.yaml that serves it
    (one line, the rest of the file as it was); training another version only says how to pin
    it; an artifact that is not the pinned one is retrained; --check-pins writes nothing and
    fails on a digest that is not the pin (the image's reproducible build)."""
    from ops import pins

    def fake(version: str, businesses: int | None, shipped: Shipped) -> Trained:
        return {"weights": [1], "version": version}, {"recall": 1.0}, "data-hash"

    monkeypatch.setattr(fraud_offline, "train", fake)
    config = tmp_path / "serve.yaml"
    config.write_text(SERVE_YAML.read_text())
    models_dir = tmp_path / "models"
    argv = ["train", "--model", "fraud", "--models-dir", str(models_dir), "--config", str(config)]
    code, out, _ = run([*argv, "--version", "v1"])
    digest = json.loads((models_dir / "fraud" / "v1" / "manifest.json").read_text())["sha256"]
    assert code == 0 and "fraud v1: pinned in" in out
    assert pins.pinned("fraud", config) == ("v1", digest)
    before, after = SERVE_YAML.read_text().splitlines(), config.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1 and digest in changed[0][1]  # the one pin line, nothing else
    assert run([*argv, "--version", "v1"])[1].count("already exists") == 1

    code, out, _ = run([*argv, "--version", "v2"])
    assert code == 0 and 'model_version: v2 and model_sha256: "' in out
    assert pins.pinned("fraud", config) == ("v1", digest)

    pins.pin("fraud", "v1", "ab" * 32, config)  # the pin names another artifact
    code, out, err = run([*argv, "--version", "v1", "--check-pins"])
    assert code == 1 and "not the pinned artifact" in out and "pinned abab" in err
    assert pins.pinned("fraud", config) == ("v1", "ab" * 32)  # nothing written
    code, out, _ = run([*argv, "--version", "v1"])
    assert code == 0 and "not the pinned artifact; retraining" in out
    assert pins.pinned("fraud", config) == ("v1", digest)


def test_training_runs_on_one_blas_and_openmp_thread(
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The pins are the bytes any machine trains: on two threads HistGradientBoosting sums its
    histograms, and BLAS its products, in another order (other float bits, another digest), so
    training runs on one, whatever the caller's OMP_NUM_THREADS."""
    import sklearn.ensemble  # noqa: F401  (loads scikit-learn's OpenMP runtime)
    from threadpoolctl import threadpool_info, threadpool_limits

    seen: list[int] = []

    def fake(version: str, businesses: int | None, shipped: Shipped) -> Trained:
        seen.extend(pool["num_threads"] for pool in threadpool_info())
        return {"weights": [1]}, {"recall": 1.0}, "data-hash"

    monkeypatch.setattr(fraud_offline, "train", fake)
    with threadpool_limits(limits=2):
        assert {pool["num_threads"] for pool in threadpool_info()} == {2}
        code, _, _ = run(["train", "--model", "fraud", "--models-dir", str(tmp_path / "m")])
    assert code == 0 and seen and set(seen) == {1}


@pytest.mark.parametrize("seam", SEAMS, ids=lambda seam: seam.name)
def test_each_model_has_the_offline_entry_points_fineasy_calls(seam: Seam[Any]) -> None:
    """ops finds a model's offline code by its seam (deployments/offline/commands.py): a new
    model is trained, and evaluated, without a change to ops."""
    package = importlib.import_module(f"deployments.{seam.name}.offline")
    parameters = list(inspect.signature(package.train).parameters)
    assert parameters == ["version", "businesses", "shipped"]
    assert list(inspect.signature(package.evaluate).parameters) == ["run"]


def test_evaluate_prints_what_the_models_offline_package_reports(
    run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The artifact is loaded (sha256 checked) and handed over with the options and the shipped
    tuning of the version asked for; each line the package yields is printed as it comes."""

    def report(given: Run) -> Iterator[str]:
        yield f"{given.payload['weights']} {given.manifest.version} {given.businesses}"
        yield f"{given.tuning(FraudTuning, min_confidence=0.7).model_version} {given.count}"

    save_artifact(tmp_path, "fraud", "v3", {"weights": [2]}, metrics={}, training_data_hash="h")
    monkeypatch.setattr(fraud_offline, "evaluate", report)
    argv = ["evaluate", "--model", "fraud", "--version", "v3", "--models-dir", str(tmp_path)]
    assert run(argv)[:2] == (0, "[2] v3 10\nv3 None\n")


def test_a_pin_is_written_quoted_after_the_version_when_missing(tmp_path: Path) -> None:
    from ops import pins

    config = tmp_path / "serve.yaml"
    config.write_text(
        "applications:\n  - deployments:\n      - name: OcrDeployment\n        user_config:\n"
        "          model_version: v1  \n          timeout_s: 9  # seconds\n"
        "      - name: FraudDeployment\n        user_config:\n          model_version: v1\n"
    )
    assert pins.pin("ocr", "v1", "1" * 64, config)
    assert config.read_text().splitlines()[5] == f'          model_sha256: "{"1" * 64}"'
    assert "timeout_s: 9  # seconds" in config.read_text()
    assert pins.pinned("ocr", config) == ("v1", "1" * 64)  # digits only, still a string
    assert pins.pinned("fraud", config) == ("v1", None)
    assert not pins.pin("ocr", "v2", "2" * 64, config)  # not the version it serves
