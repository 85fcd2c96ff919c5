import subprocess
import sys

PURE = [
    "serve_app.api",
    "serve_app.components",
    "serve_app.settings",
    "serve_app.store",
    "serve_app.auth",
    "serve_app.cache",
    "serve_app.health",
    "serve_app.fraud_service",
    "serve_app.insights_service",
    "serve_app.auditing",
    "serve_app.compliance_service",
    "serve_app.compliance_facts",
    "kernel.gst_rules",
    "kernel.gstin",
    "kernel.books",
    "kernel.model_io",
    "kernel.tuning",
    "demo_data.generate",
    "deployments.fraud.predictor",
    "deployments.fraud.training",
    "deployments.insights.history",
    "deployments.insights.forecasting",
    "deployments.insights.predictor",
    "deployments.insights.training",
    "deployments.compliance.checker",
    "deployments.compliance.evaluation",
    "deployments.compliance.rate_training",
    "deployments.invoice.text",
    "deployments.invoice.corpus",
    "deployments.invoice.parser",
    "deployments.invoice.resolver",
    "deployments.invoice.evaluation",
    "serve_app.invoice_service",
    "serve_app.rate_limit",
    "deployments.hosting.artifacts",
]


def test_http_layer_and_predictors_do_not_import_ray() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in PURE) + "print('ray' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_importing_settings_reads_no_environment() -> None:
    code = (
        "import os\nos.environ['MODEL_TIMEOUT_SECONDS'] = 'not-a-number'\n"
        "import serve_app.settings, serve_app.app\nprint('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
