"""Serve entrypoint (`import_path: serve_app.app:build_app`). The only module that calls
`.bind()`, and the only one on the ingress side that imports the model deployments: reading it
shows the whole graph, and which settings of config/serve.yaml belong to which deployment."""

from __future__ import annotations

from typing import Any

from ray.serve import Application, Deployment

from deployments.assistant.deployment import AssistantDeployment
from deployments.compliance.deployment import ComplianceDeployment
from deployments.fraud.deployment import FraudDeployment
from deployments.insights.deployment import InsightsDeployment
from deployments.invoice.deployment import InvoiceDeployment
from deployments.ocr.deployment import OcrDeployment
from serve_app.infra.settings import AppArgs
from serve_app.ingress import Ingress
from serve_app.serve_config import ServeConfig

MODELS: dict[str, Deployment] = {
    "fraud": FraudDeployment,
    "insights": InsightsDeployment,
    "compliance": ComplianceDeployment,
    "invoice": InvoiceDeployment,
    "assistant": AssistantDeployment,
    "ocr": OcrDeployment,
}
"""Each model deployment, by the Ingress parameter its handle fills."""


def build_app(args: dict[str, Any] | AppArgs | None = None) -> Application:
    """What `serve run` / `serve deploy` import: serve.yaml's `args:` in (Ray requires exactly
    one parameter); they apply the file's per-deployment settings themselves."""
    return _bind(args if isinstance(args, AppArgs) else AppArgs.model_validate(args or {}), {})


def app_from_config(config: ServeConfig, args: AppArgs | None = None) -> Application:
    """The app as `serve run` would build it from `config`, for Python callers (tests,
    benchmarks): every deployment with its settings from the file, and the file's args unless
    `args` replaces them."""
    return _bind(args or config.args, config.options)


def _bind(args: AppArgs, options: dict[str, dict[str, Any]]) -> Application:
    def configured(deployment: Deployment) -> Deployment:
        return deployment.options(**options.get(deployment.name, {}))

    models = {key: configured(d).bind(args.models) for key, d in MODELS.items()}
    app: Application = configured(Ingress).bind(**models)
    return app
