"""ComplianceDeployment: the Serve shell around one ComplianceChecker per replica, and nothing
else. Loading (the learned rate model), user_config (tolerances, live) and health come from
ModelHost; the rules are data in kernel/data, versioned with the code."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ray import serve

from deployments.compliance.checker import ComplianceChecker
from deployments.compliance.rate_model import RateModel
from deployments.hosting.host import ModelHost
from kernel.model_io import ComplianceReport, InvoiceFacts, ItemFacts, RateHint
from kernel.tuning import ComplianceTuning


@serve.deployment
class ComplianceDeployment(ModelHost[ComplianceChecker]):
    name = "compliance"
    tuning_type = ComplianceTuning
    artifact_type = RateModel
    predictor_type = ComplianceChecker

    @staticmethod
    def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
        """The rate model's top-1 accuracy on the hand-written item descriptions."""
        top1 = metrics.get("top1_hand_written")
        return float(top1) if top1 is not None else None

    async def suggest_rates(self, items: list[ItemFacts], day: dt.date) -> list[RateHint | None]:
        with self._observed("rates"):
            return await self._threaded(self._ready().suggest_rates, items, day)

    async def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport:
        with self._observed("invoice"):
            return await self._threaded(self._ready().check, invoice, today)
