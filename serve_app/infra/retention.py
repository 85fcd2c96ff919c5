"""How long the backend's own rows are kept, and which are past it. `fineasy purge` deletes
them (daily: the ai-backend-purge CronJob on Kubernetes, cron elsewhere; docs/deployment.md).
The audit log files are rotated by logrotate or the container runtime, not here.

No Ray import; the store does the deleting (Store.purge).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from serve_app.infra.settings import Settings


@dataclass(frozen=True)
class Retained:
    table: str
    dated_by: str
    """The column a row's age is read from."""
    days: int


def retained(settings: Settings) -> list[Retained]:
    return [
        Retained("ai_analysis_results", "created_at", settings.RETENTION_ANALYSIS_DAYS),
        Retained("fraud_alerts", "last_seen_at", settings.RETENTION_ALERTS_DAYS),
        Retained("business_insights", "created_at", settings.RETENTION_INSIGHTS_DAYS),
    ]


def cutoffs(settings: Settings, now: dt.datetime) -> dict[str, tuple[str, dt.datetime]]:
    """Per table: (the dating column, the moment before which its rows go)."""
    return {r.table: (r.dated_by, now - dt.timedelta(days=r.days)) for r in retained(settings)}
