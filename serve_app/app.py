"""Serve entrypoint (`import_path: serve_app.app:build_app`). The only module that calls
`.bind()`: reading it shows the whole deployment graph."""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from deployments.compliance.deployment import ComplianceDeployment
from deployments.fraud.deployment import FraudDeployment
from deployments.insights.deployment import InsightsDeployment
from deployments.invoice.deployment import InvoiceDeployment
from serve_app.ingress import Ingress
from serve_app.settings import AppArgs


def build_app(args: dict[str, Any] | AppArgs | None = None) -> Application:
    parsed = args if isinstance(args, AppArgs) else AppArgs.model_validate(args or {})
    # @serve.deployment turns these classes into Deployments; mypy still sees the classes.
    fraud = FraudDeployment.options(  # type: ignore[attr-defined]
        user_config=parsed.fraud_tuning.model_dump(mode="json", exclude_none=True)
    ).bind(parsed.fraud)
    insights = InsightsDeployment.options(  # type: ignore[attr-defined]
        user_config=parsed.insights_tuning.model_dump(mode="json", exclude_none=True)
    ).bind(parsed.insights)
    compliance = ComplianceDeployment.options(  # type: ignore[attr-defined]
        user_config=parsed.compliance_tuning.model_dump(mode="json", exclude_none=True)
    ).bind(parsed.compliance)
    invoice = InvoiceDeployment.options(  # type: ignore[attr-defined]
        user_config=parsed.invoice_tuning.model_dump(mode="json", exclude_none=True)
    ).bind(parsed.invoice)
    app: Application = Ingress.bind(fraud, insights, compliance, invoice)  # type: ignore[attr-defined]
    return app
