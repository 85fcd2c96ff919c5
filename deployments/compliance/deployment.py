"""ComplianceDeployment: the Serve shell around one ComplianceChecker per replica, and nothing
else. Loading (the learned rate model), user_config (tolerances, live) and health come from
ModelHost; the rules are data in kernel/data, versioned with the code."""

from __future__ import annotations

import datetime as dt

from ray import serve

from deployments.compliance.checker import ComplianceChecker
from deployments.compliance.rate_model import RateModel
from deployments.hosting.host import ModelHost
from kernel.models.compliance import (
    COMPLIANCE,
    ComplianceReport,
    InvoiceFacts,
    ItemFacts,
    RateHint,
)


@serve.deployment
class ComplianceDeployment(ModelHost[ComplianceChecker]):
    seam = COMPLIANCE
    artifact_type = RateModel
    predictor_type = ComplianceChecker

    async def suggest_rates(self, items: list[ItemFacts], day: dt.date) -> list[RateHint | None]:
        with self._observed("rates"):
            return await self._threaded(self._ready().suggest_rates, items, day)

    async def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport:
        with self._observed("invoice"):
            return await self._threaded(self._ready().check, invoice, today)
