import json
import logging
from pathlib import Path

import pytest

from serve_app.contract.errors import Unauthenticated
from serve_app.infra.auth import Caller, SupabaseAuth, mint_token
from serve_app.infra.logs import audit, configure_logging, deny


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logs")
    configure_logging(folder)
    configure_logging(folder)  # idempotent: no duplicated lines
    return folder


def lines(path: Path) -> list[dict[str, object]]:
    for handler in logging.getLogger("ai_backend").handlers:
        handler.flush()
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_audit_events_are_json_lines_in_audit_and_app_logs(log_dir: Path) -> None:
    audit("fraud_analysis", caller="u-1", business_id="b-1", alerts=3)
    entry = lines(log_dir / "audit.log")[-1]
    assert {k: entry[k] for k in ("level", "logger", "message", "event", "caller", "alerts")} == {
        "level": "INFO",
        "logger": "ai_backend.audit",
        "message": "fraud_analysis",
        "event": "fraud_analysis",
        "caller": "u-1",
        "alerts": 3,
    }
    assert sum(e.get("event") == "fraud_analysis" for e in lines(log_dir / "ai_backend.log")) == 1


def test_rejected_tokens_and_denied_tenancy_reach_the_security_log(log_dir: Path) -> None:
    forged = mint_token("x" * 48, "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11")
    with pytest.raises(Unauthenticated):
        SupabaseAuth("y" * 48).authenticate(f"Bearer {forged}")
    deny(Caller("u-2", "authenticated"), "b-9", exists=True)
    events = lines(log_dir / "security.log")
    assert [e["event"] for e in events[-2:]] == ["token_rejected", "tenancy_denied"]
    assert events[-2]["reason"] == "InvalidSignatureError"
    assert forged not in (log_dir / "security.log").read_text()


def test_lines_written_while_serving_a_request_carry_its_id(log_dir: Path) -> None:
    from serve_app.infra.logs import request_id

    token = request_id.set("req-42")
    try:
        audit("fraud_score", caller="u-3")
    finally:
        request_id.reset(token)
    audit("fraud_score", caller="u-4")
    last_two = lines(log_dir / "audit.log")[-2:]
    assert [e.get("request_id") for e in last_two] == ["req-42", None]
