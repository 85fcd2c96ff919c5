import pytest

from serve_app import cli
from serve_app.auth import SupabaseAuth
from serve_app.demo_data import DEMO_USER_IDS

SECRET = "c" * 48


def test_token_is_accepted_by_the_servers_verifier(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPABASE_JWT_SECRET", SECRET)
    monkeypatch.setenv("ENVIRONMENT", "development")
    assert cli.main(["token"]) == 0
    token = capsys.readouterr().out.strip()
    assert SupabaseAuth(SECRET).authenticate(f"Bearer {token}").user_id == DEMO_USER_IDS[0]


def test_token_refuses_to_run_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPABASE_JWT_SECRET", SECRET)
    monkeypatch.setenv("ENVIRONMENT", "production")
    assert cli.main(["token"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "production" in captured.err


def test_configuration_errors_exit_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUPABASE_JWT_SECRET", SECRET)
    monkeypatch.setenv("MODEL_TIMEOUT_SECONDS", "soon")
    assert cli.main(["token"]) == 2
    assert "MODEL_TIMEOUT_SECONDS" in capsys.readouterr().err
