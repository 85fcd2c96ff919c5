"""`fineasy ray-dashboards`: Ray's own Grafana dashboards (the cluster, Serve, Serve's
deployments), as the pinned Ray writes them into its session folder at start-up, written into
monitoring/grafana/dashboards/ray/ so Grafana shows them beside the project's five: compose's
Grafana reads the folder, and `fineasy k8s` turns every dashboard there into a ConfigMap for
the Grafana sidecar of kube-prometheus-stack. `--check` writes nothing and fails naming each
file that differs (a new Ray pin changes them).

Imports Ray's dashboard factory: one of the modules allowed to import Ray
(tests/support/imports.py RAY_SHELLS)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kernel.paths import PROJECT_ROOT

FOLDER = PROJECT_ROOT / "monitoring" / "grafana" / "dashboards" / "ray"
OVERRIDES = "RAY_GRAFANA_"
"""Ray reads uid, filter and link overrides from RAY_GRAFANA_* variables; the files are written
without any, so every machine writes the same bytes."""


def dashboards() -> dict[Path, str]:
    """Each dashboard file and the JSON Ray's factory makes for it."""
    from ray.dashboard.modules.metrics import grafana_dashboard_factory as factory

    makers: dict[str, Callable[[], tuple[str, str]]] = {
        "ray-default.json": factory.generate_default_grafana_dashboard,
        "ray-serve.json": factory.generate_serve_grafana_dashboard,
        "ray-serve-deployment.json": factory.generate_serve_deployment_grafana_dashboard,
    }
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith(OVERRIDES)}
    try:
        return {FOLDER / name: make()[0] + "\n" for name, make in makers.items()}
    finally:
        os.environ.update(saved)


def drifted() -> list[Path]:
    return [p for p, text in dashboards().items() if not p.exists() or p.read_text() != text]


def write() -> list[Path]:
    changed = drifted()
    texts = dashboards()
    FOLDER.mkdir(parents=True, exist_ok=True)
    for path in changed:
        path.write_text(texts[path])
    return changed
