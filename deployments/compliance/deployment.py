"""ComplianceDeployment: the Serve shell around one ComplianceChecker per replica, and nothing
else. Loading (the learned rate model), user_config (tolerances, live) and health come from
ModelHost; the rules are data in kernel/data, versioned with the code."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from ray import serve

from deployments.compliance.checker import ComplianceChecker
from deployments.compliance.rate_model import RateModel
from deployments.hosting.artifacts import ArtifactError
from deployments.hosting.host import ModelHost
from kernel.model_io import ComplianceReport, InvoiceFacts
from kernel.tuning import ComplianceTuning


@serve.deployment
class ComplianceDeployment(ModelHost[ComplianceChecker]):
    name = "compliance"
    tuning_type = ComplianceTuning

    def build(self, payload: Any, tuning: Any) -> ComplianceChecker:
        if not isinstance(payload, RateModel):
            raise ArtifactError("compliance: not a RateModel bundle")
        return ComplianceChecker(payload, tuning)

    def check(self, invoice: InvoiceFacts, today: dt.date) -> ComplianceReport:
        # A few ms of rules and one small text-model call: on the loop, no thread hop.
        started = time.perf_counter()
        report = self._ready().check(invoice, today)
        self._observe("invoice", 1, started)
        return report
