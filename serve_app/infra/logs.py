"""JSON logs: one object per line, to stdout (containers) and to files in LOG_DIR, at the
deployment guide's paths:

    ai_backend.log           the application (`ai_backend` loggers), not the two below
    audit/ai_audit.log       `ai_backend.audit`: who ran which prediction on which business,
                             never the financial rows themselves
    audit/ai_security.log    `ai_backend.security`: rejected tokens (anonymous sign-ins too),
                             denied tenancy

Several processes write each file (every Serve replica on a node): each appends whole lines
(O_APPEND, one write per line) and none rotates. Rotation belongs to one outside tool
(logrotate with `create`, or the container runtime for stdout): the handlers notice a rotated
file and reopen the path. No two replicas ever rename one file under each other.

Set up once per process (each Serve replica calls `configure_logging`); no Ray import.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any

APP, AUDIT, SECURITY = "ai_backend", "ai_backend.audit", "ai_backend.security"
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""Set per HTTP request by the ingress; every log line written while serving it carries it."""
client_request_id: ContextVar[str | None] = ContextVar("client_request_id", default=None)
"""The caller's own X-Request-ID, when it sent one that looks like an id."""
STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
FILES = {APP: "ai_backend.log", AUDIT: "audit/ai_audit.log", SECURITY: "audit/ai_security.log"}


SECRETS = [
    # a password in a connection URL (postgresql://user:pw@, redis://:pw@)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@"), r"\1***@"),
    # a JWT (an access token, a project's anon or service key)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}"), "eyJ***"),
    # a bearer credential in a header written out
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), r"\1***"),
]
"""What never reaches a log line, whatever an exception's text or a message holds: a line is
masked as it is written, tracebacks included."""


def redacted(line: str) -> str:
    for pattern, mask in SECRETS:
        line = pattern.sub(mask, line)
    return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "module": record.module,
            "message": record.getMessage(),
        }
        if (current := request_id.get()) is not None:
            entry["request_id"] = current
        if (theirs := client_request_id.get()) is not None:
            entry["client_request_id"] = theirs
        entry |= {k: v for k, v in vars(record).items() if k not in STANDARD}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redacted(json.dumps(entry, default=str, ensure_ascii=False))


def _file(path: Path) -> logging.Handler:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.WatchedFileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    return handler


def configure_logging(log_dir: str | Path, level: str = "INFO", files: bool = True) -> None:
    """Idempotent: a second call in the same process changes nothing. `files` False: the
    console (stderr) only, as on Kubernetes, where the container runtime keeps and rotates what
    a pod writes and Ray passes every replica's stream to its pod's (RAY_LOG_TO_STDERR)."""
    app = logging.getLogger(APP)
    if getattr(app, "_fineasy_configured", False):
        return
    folder = Path(log_dir)
    console = logging.StreamHandler()
    console.setFormatter(JsonFormatter())
    app.setLevel(level)
    for name, filename in FILES.items():
        logger = logging.getLogger(name)
        logger.addHandler(console)
        if files:
            logger.addHandler(_file(folder / filename))
        logger.propagate = False  # each line in one file (stdout carries all three)
    app._fineasy_configured = True  # type: ignore[attr-defined]


def audit(event: str, **fields: Any) -> None:
    logging.getLogger(AUDIT).info(event, extra={"event": event, **fields})


def deny(caller: Any, business_id: str, exists: bool) -> None:
    """Another user's business answers 404 like a missing one; the log tells them apart."""
    logging.getLogger(SECURITY).warning(
        "business access denied",
        extra={
            "event": "tenancy_denied",
            "caller": caller.user_id,
            "business_id": business_id,
            "exists": exists,
        },
    )
