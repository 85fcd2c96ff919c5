"""Custom resources checked offline against the CustomResourceDefinition that defines them,
with the API server's reading of its OpenAPI schema: `nullable`, int-or-string, embedded
resources, a defaulted field is never missing, `key: null` is absent, and unknown fields are
errors (as `kubectl apply --validate=strict`). CEL rules and `format` are not checked."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from kernel.paths import PROJECT_ROOT

KUBERAY_CRDS = Path(
    os.environ.get("KUBERAY_CRDS", PROJECT_ROOT.parent / "shared" / "schemas" / "kuberay")
)
"""KubeRay v1.7.0's CRDs, read where they are (beside the checkout, or where KUBERAY_CRDS says;
.ci/run points it at ../shared/schemas/kuberay and fails without them), never copied into the
repository. A clone alone has none: the checks that need them are skipped, saying so."""
MISSING = (
    f"KubeRay CRDs not found at {KUBERAY_CRDS}: the manifests pin KubeRay v1.7.0, whose CRDs are "
    "ray-operator/config/crd/bases at tag v1.7.0 of github.com/ray-project/kuberay; point "
    "KUBERAY_CRDS at a folder of them"
)
needs_crds = pytest.mark.skipif(not KUBERAY_CRDS.is_dir(), reason=MISSING)
"""For each test that validates against the CRDs: skipped, never passed, when they are away."""


def _json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "format"}
    if out.get("x-kubernetes-int-or-string") and "type" not in out and "anyOf" not in out:
        out["type"] = ["integer", "string"]
    if out.get("nullable") and "type" in out:
        out["type"] = [*([out["type"]] if isinstance(out["type"], str) else out["type"]), "null"]
    if out.get("x-kubernetes-embedded-resource"):
        properties = out.setdefault("properties", {})
        for key in ("apiVersion", "kind"):
            properties.setdefault(key, {"type": "string"})
        properties.setdefault("metadata", {"type": "object"})
    if "required" in out and isinstance(out.get("properties"), dict):
        required = [r for r in out["required"] if "default" not in out["properties"].get(r, {})]
        out["required"] = required
        if not required:
            del out["required"]
    if (
        out.get("type") == "object"
        and "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@functools.cache
def validators(folder: Path = KUBERAY_CRDS) -> dict[tuple[str, str], Draft7Validator]:
    """(apiVersion, kind) -> validator, for every served version of every CRD in `folder`."""
    if not folder.is_dir():
        raise FileNotFoundError(MISSING)
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        for crd in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for version in spec["versions"]:
                schema = version.get("schema", {}).get("openAPIV3Schema")
                if version.get("served", True) and schema:
                    api_version = f"{spec['group']}/{version['name']}"
                    found[(api_version, spec["names"]["kind"])] = Draft7Validator(
                        _json_schema(schema)
                    )
    return found


def _without_nulls(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_nulls(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_without_nulls(v) for v in node]
    return node


def errors(document: dict[str, Any]) -> list[str]:
    """Every schema error of `document` ("path: message"); KeyError for a kind no CRD defines."""
    validator = validators()[(document["apiVersion"], document["kind"])]
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(_without_nulls(document))
    ]
