import json
from pathlib import Path

import pytest

from demo_data.tables import DEMO_USER_IDS
from deployments.hosting.artifacts import ARTIFACT_FILE, file_sha256
from ops import cli, models
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

    def fake(version: str, businesses: int | None) -> models.Trained:
        trained.append(version)
        return {"weights": [1]}, {"recall": 1.0}, "data-hash"

    monkeypatch.setitem(models.TRAINERS, "fraud", fake)
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
