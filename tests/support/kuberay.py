"""What the KubeRay operator v1.7.0 makes of a RayService's pod templates, in Python, so tests can
hold the manifests to it and start Ray nodes exactly as a pod would (ray-operator/controllers/
ray/common/pod.go at v1.7.0: setMissingRayStartParams, generateRayStartCommand, convertParamMap,
configureRedisFT, initLivenessAndReadinessProbe; utils/constant.go for the defaults).

A head's `ray start` flags: its rayStartParams, then `--dashboard-host=0.0.0.0` unless set, the
container's CPU limit (or request) as `--num-cpus` and its memory limit as `--memory` unless set
(a Kubernetes quantity's Value(): rounded up to a whole number), `--metrics-export-port=8080`,
`--dashboard-agent-listen-port=52365`, `--block`, `--no-monitor` when in-tree autoscaling is on
(the autoscaler runs beside the head, as a container of its own), `--redis-password=$REDIS_PASSWORD`
with GCS fault tolerance; a worker's the same but the dashboard host, with
`--address=<head service>:6379`. Flags sorted by name, `true` as a bare switch, `false` dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

GCS_PORT, DASHBOARD_PORT, METRICS_PORT, AGENT_PORT, SERVE_PORT = 6379, 8265, 8080, 52365, 8000
SUFFIXES = {
    "m": Decimal("0.001"), "": Decimal(1), "k": Decimal(10) ** 3, "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9, "T": Decimal(10) ** 12, "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30, "Ti": Decimal(2) ** 40,
}  # fmt: skip
WGET = "wget --tries 1 -T {timeout} -q -O- http://localhost:{port}/{path} | grep success"
"""utils.BaseWgetHealthCommand."""
BOOLEAN_WITH_VALUE = ("log-color", "include-dashboard", "include-log-monitor")


def quantity(text: str | int | float) -> int:
    """A Kubernetes quantity's Value(): the amount rounded up to a whole unit ("500m" -> 1,
    "3Gi" -> 3221225472)."""
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(text))
    if match is None or match.group(2) not in SUFFIXES:
        raise ValueError(f"not a quantity: {text!r}")
    return math.ceil(Decimal(match.group(1)) * SUFFIXES[match.group(2)])


def ray_start_params(
    group: Mapping[str, Any], head: bool, cluster: Mapping[str, Any], head_service: str
) -> dict[str, str]:
    """The completed rayStartParams of a head (head=True) or worker group of `cluster` (a
    RayService's rayClusterConfig)."""
    params = {k: str(v) for k, v in (group.get("rayStartParams") or {}).items()}
    resources = group["template"]["spec"]["containers"][0].get("resources", {})
    if head:
        if cluster.get("enableInTreeAutoscaling"):
            params["no-monitor"] = "true"
        if (cluster.get("gcsFaultToleranceOptions") or {}).get("redisPassword"):
            params["redis-password"] = "$REDIS_PASSWORD"
        params.setdefault("dashboard-host", "0.0.0.0")
    else:
        params.setdefault("address", f"{head_service}:{GCS_PORT}")
    params.setdefault("metrics-export-port", str(METRICS_PORT))
    params["block"] = "true"
    params.setdefault("dashboard-agent-listen-port", str(AGENT_PORT))
    if "num-cpus" not in params:
        cpu = resources.get("limits", {}).get("cpu") or resources.get("requests", {}).get("cpu")
        if cpu:
            params["num-cpus"] = str(quantity(cpu))
    memory = resources.get("limits", {}).get("memory")
    if "memory" not in params and memory:
        params["memory"] = str(quantity(memory))
    return params


def ray_start_args(params: Mapping[str, str], head: bool) -> list[str]:
    """`ray start`'s arguments after `ray start`, as convertParamMap writes them."""
    args = ["--head"] if head else []
    for name in sorted(params):
        value = params[name]
        if value.lower() in ("true", "false") and name not in BOOLEAN_WITH_VALUE:
            if value.lower() == "true":
                args.append(f"--{name}")
        else:
            args.append(f"--{name}={value}")
    return args


def readiness_commands(head: bool, params: Mapping[str, str], serve_port: int) -> list[str]:
    """The readiness probe of a RayService's Ray container with Ray >= 2.53: a head's is an
    HTTP GET of the agent's /api/healthz; a worker's the agent's raylet check and the Serve
    proxy's health on the pod's serve port, joined by `&&` in one `bash -c`."""
    agent = int(params.get("dashboard-agent-listen-port", AGENT_PORT))
    if head:
        return [f"http://localhost:{agent}/api/healthz"]
    return [
        WGET.format(timeout=2, port=agent, path="api/local_raylet_healthz"),
        WGET.format(timeout=10, port=serve_port, path="-/healthz"),
    ]


def expand(value: str, defined: Mapping[str, str]) -> str:
    """Kubernetes' expansion of `$(NAME)` in an env value by the variables defined before it
    (`$$` stays one `$`; a name not defined stays as written)."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        return defined.get(match.group(1), match.group(0))

    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", one, value)


def container_environment(
    container: Mapping[str, Any],
    config_maps: Mapping[str, Mapping[str, str]],
    secrets: Mapping[str, Mapping[str, str]],
) -> dict[str, str]:
    """What a container's process environment holds: its envFrom ConfigMaps in order, then its
    env entries in order, each expanded by what came before; a Secret key that is missing is
    left out when the reference is optional and an error otherwise, as the kubelet does."""
    environ: dict[str, str] = {}
    for source in container.get("envFrom", []):
        environ.update(config_maps[source["configMapRef"]["name"]])
    for entry in container.get("env", []):
        if "value" in entry:
            environ[entry["name"]] = expand(str(entry["value"]), environ)
            continue
        reference = entry["valueFrom"]["secretKeyRef"]
        stored = secrets.get(reference["name"], {})
        if reference["key"] in stored:
            environ[entry["name"]] = stored[reference["key"]]
        elif not reference.get("optional", False):
            raise KeyError(f"{entry['name']}: secret {reference['name']} has no {reference['key']}")
    return environ
