import pytest

from demo_data.tables import DEMO_USER_IDS
from ops import cli
from serve_app.infra.auth import SupabaseAuth

SECRET = "c" * 48


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Runs the CLI with a JWT secret and the given extra environment; returns (code, out, err)."""

    def go(argv: list[str], **env: str) -> tuple[int, str, str]:
        monkeypatch.setenv("SUPABASE_JWT_SECRET", SECRET)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = cli.main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return go


def test_token_is_accepted_by_the_servers_verifier(run) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(["token"], ENVIRONMENT="development")
    assert code == 0
    assert SupabaseAuth(SECRET).authenticate(f"Bearer {out.strip()}").user_id == DEMO_USER_IDS[0]


def test_token_refuses_to_run_in_production(run) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(["token"], ENVIRONMENT="production")
    assert (code, out) == (2, "") and "production" in err


def test_configuration_errors_exit_2_naming_the_variable(run) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(["token"], MODEL_TIMEOUT_SECONDS="soon")
    assert code == 2 and "MODEL_TIMEOUT_SECONDS" in err
