import json
import logging
from pathlib import Path

import pytest

from serve_app.contract.errors import Unauthenticated
from serve_app.infra.auth import Caller, SupabaseAuth, mint_token
from serve_app.infra.logs import FILES, audit, configure_logging, deny


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("logs")
    configure_logging(folder)
    configure_logging(folder)  # idempotent: no duplicated lines
    return folder


def lines(path: Path) -> list[dict[str, object]]:
    for name in FILES:
        for handler in logging.getLogger(name).handlers:
            handler.flush()
    return [json.loads(line) for line in path.read_text().splitlines()]


AUDIT_LOG, SECURITY_LOG = Path("audit/ai_audit.log"), Path("audit/ai_security.log")


def test_audit_events_are_json_lines_in_the_audit_log_only(log_dir: Path) -> None:
    audit("fraud_analysis", caller="u-1", business_id="b-1", alerts=3)
    entry = lines(log_dir / AUDIT_LOG)[-1]
    assert {k: entry[k] for k in ("level", "logger", "message", "event", "caller", "alerts")} == {
        "level": "INFO",
        "logger": "ai_backend.audit",
        "message": "fraud_analysis",
        "event": "fraud_analysis",
        "caller": "u-1",
        "alerts": 3,
    }
    app = log_dir / "ai_backend.log"
    assert not app.exists() or all(e.get("event") != "fraud_analysis" for e in lines(app))


async def test_rejected_tokens_and_denied_tenancy_reach_the_security_log(log_dir: Path) -> None:
    forged = mint_token("x" * 48, "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11")
    with pytest.raises(Unauthenticated):
        await SupabaseAuth("y" * 48).authenticate(f"Bearer {forged}")
    deny(Caller("u-2", "authenticated"), "b-9", exists=True)
    events = lines(log_dir / SECURITY_LOG)
    assert [e["event"] for e in events[-2:]] == ["token_rejected", "tenancy_denied"]
    assert events[-2]["reason"] == "InvalidSignatureError"
    assert forged not in (log_dir / SECURITY_LOG).read_text()


async def test_an_anonymous_sign_in_refused_is_one_security_line_with_the_request_id(
    log_dir: Path,
) -> None:
    from serve_app.contract.errors import AnonymousUser
    from serve_app.infra.logs import request_id

    user = "6f1d3c2a-9a53-4e4b-8d0e-2f4a6c8e0b11"
    guest = mint_token("y" * 48, user, anonymous=True)
    before = len(lines(log_dir / SECURITY_LOG))
    token = request_id.set("req-anon")
    try:
        with pytest.raises(AnonymousUser):
            await SupabaseAuth("y" * 48).authenticate(f"Bearer {guest}")
    finally:
        request_id.reset(token)
    (entry,) = lines(log_dir / SECURITY_LOG)[before:]
    assert {k: entry[k] for k in ("level", "event", "reason", "caller", "request_id")} == {
        "level": "WARNING",
        "event": "token_rejected",
        "reason": "anonymous",
        "caller": user,
        "request_id": "req-anon",
    }
    assert guest not in (log_dir / SECURITY_LOG).read_text()


def test_lines_written_while_serving_a_request_carry_its_id(log_dir: Path) -> None:
    from serve_app.infra.logs import client_request_id, request_id

    token, theirs = request_id.set("req-42"), client_request_id.set("app-7")
    try:
        audit("fraud_score", caller="u-3")
    finally:
        request_id.reset(token)
        client_request_id.reset(theirs)
    audit("fraud_score", caller="u-4")
    last_two = lines(log_dir / AUDIT_LOG)[-2:]
    assert [e.get("request_id") for e in last_two] == ["req-42", None]
    assert [e.get("client_request_id") for e in last_two] == ["app-7", None]


WRITER = """
import pathlib, sys, time
from serve_app.infra.logs import audit, configure_logging
folder, tag, pause = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "pause"
configure_logging(folder)
for k in range(400):
    if pause and k == 200:  # halfway: say so, wait until the file has been rotated
        (folder / "ready").touch()
        while not (folder / "go").exists():
            time.sleep(0.01)
    audit("fraud_score", caller=tag, n=k, padding="x" * 300)
"""


def _writers(folder: Path, tags: list[str], pause: bool = False) -> list[object]:
    import subprocess
    import sys

    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(folder), tag, "pause" if pause else "-"],
            stderr=subprocess.DEVNULL,  # the console copy of every line
        )
        for tag in tags
    ]


def _entries(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_several_processes_append_whole_lines_to_one_file(tmp_path: Path) -> None:
    """Four processes (four replicas on a node) write one audit file at once."""
    procs = _writers(tmp_path, ["a0", "a1", "a2", "a3"])
    assert [p.wait(timeout=60) for p in procs] == [0] * 4  # type: ignore[attr-defined]
    entries = _entries(tmp_path / AUDIT_LOG)
    assert len(entries) == 1600 and {e["caller"] for e in entries} == {"a0", "a1", "a2", "a3"}


def test_a_running_process_follows_an_outside_rotation(tmp_path: Path) -> None:
    """logrotate renames the file and a new one is written: a process already writing goes on
    in the new file; nothing is lost and no process rotates anything itself."""
    import time

    (proc,) = _writers(tmp_path, ["w"], pause=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "ready").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    log = tmp_path / AUDIT_LOG
    log.rename(log.with_suffix(".log.1"))
    (tmp_path / "go").touch()
    assert proc.wait(timeout=60) == 0  # type: ignore[attr-defined]
    before, after = _entries(log.with_suffix(".log.1")), _entries(log)
    assert [e["n"] for e in before] == list(range(200))
    assert [e["n"] for e in after] == list(range(200, 400))


def test_secrets_in_a_message_or_a_traceback_are_masked_as_the_line_is_written(
    log_dir: Path,
) -> None:
    """T47: a database error quoting its connection URL, a token in an exception's text, a
    bearer header written out: each line masks them, traceback included."""
    import logging

    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJlLWhlcmU"
    try:
        raise RuntimeError(f"connect to postgresql://app:pa55word@db:5432/x with {token}")
    except RuntimeError:
        logging.getLogger("ai_backend").exception("Authorization: Bearer abcdefghijklmnopq")
    line = (log_dir / "ai_backend.log").read_text().splitlines()[-1]
    assert "pa55word" not in line and token not in line and "abcdefghijklmnopq" not in line
    assert "postgresql://app:***@db" in line and "eyJ***" in line and "Bearer ***" in line
    assert "RuntimeError" in json.loads(line)["exception"]  # the traceback is still there


def test_a_forged_line_in_what_a_caller_sent_stays_inside_one_escaped_line(log_dir: Path) -> None:
    """T55: newlines, a JSON fragment, ANSI escapes and a long value in a logged field: still
    exactly one parseable line, the fragment a string inside it."""
    forged = 'x\n{"level": "INFO", "message": "user admin logged in"}\r\n\x1b[31mred' + "y" * 5000
    before = len((log_dir / AUDIT_LOG).read_text().splitlines())
    audit("fraud_score", caller="u-5", subject_id=forged)
    after = (log_dir / AUDIT_LOG).read_text().splitlines()
    assert len(after) == before + 1
    assert json.loads(after[-1])["subject_id"] == forged


def test_without_files_every_line_goes_to_the_console_only(tmp_path: Path) -> None:
    """Kubernetes (LOG_FILES=false): the pod's stream is the log; no file grows in LOG_DIR."""
    import subprocess
    import sys

    code = (
        "import sys\nfrom serve_app.infra.logs import audit, configure_logging\n"
        "configure_logging(sys.argv[1], files=False)\naudit('fraud_score', caller='u-9')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    )
    (line,) = done.stderr.splitlines()
    assert json.loads(line)["caller"] == "u-9" and list(tmp_path.iterdir()) == []
