"""config/serve.yaml is the one place deployment settings are written: it validates against
Ray's schema and this project's models (a bad value fails naming its field), the code writes no
setting of its own, and app_from_config applies the file's settings when run from Python."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from kernel.models.registry import TUNINGS
from serve_app.app import MODELS, app_from_config
from serve_app.ingress import Ingress
from serve_app.ray_schema import checked
from serve_app.serve_config import SERVE_YAML, ServeConfigError, ray_env, read

RAW = read(SERVE_YAML)


def deployment(config: dict[str, Any], name: str) -> dict[str, Any]:
    app = config["applications"][0]
    found: dict[str, Any] = next(d for d in app["deployments"] if d["name"] == name)
    return found


def test_the_shipped_config_is_valid_for_every_deployment() -> None:
    config = checked()
    assert set(config.options) == {"Ingress", *TUNINGS}
    assert {name: type(t) for name, t in config.tunings.items()} == TUNINGS
    assert all(t.model_version == "v1" for t in config.tunings.values())


def edited(tmp_path: Path, name: str | None, changes: dict[str, Any]) -> Path:
    config = copy.deepcopy(RAW)
    if name is None:
        config["applications"][0].update(changes)
    else:
        target = deployment(config, name)
        for key, value in changes.items():
            if key == "user_config":
                target.setdefault("user_config", {}).update(value)
            else:
                target[key] = value
    path = tmp_path / "serve.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.parametrize(
    ("name", "changes", "field"),
    [
        (
            "FraudDeployment",
            {"user_config": {"min_confidence": 1.5}},
            "deployments[FraudDeployment].user_config.min_confidence",
        ),
        (
            "InsightsDeployment",
            {"user_config": {"concentration_share": 0}},
            "deployments[InsightsDeployment].user_config.concentration_share",
        ),
        (
            "ComplianceDeployment",
            {"user_config": {"tolerance_per_invoce": 2}},
            "deployments[ComplianceDeployment].user_config.tolerance_per_invoce",
        ),
        (
            "InvoiceDeployment",
            {"user_config": {"model_version": "v 1"}},
            "deployments[InvoiceDeployment].user_config.model_version",
        ),
        (None, {"args": {"fraud": {"models_dir": "/models"}}}, "args.fraud"),
        (None, {"args": {"models": {"models_dir": 5}}}, "args.models.models_dir"),
        ("FraudDeployment", {"max_ongoing_requests": 0}, "deployments.1.max_ongoing_requests"),
        ("Ingress", {"user_config": {"x": 1}}, "deployments[Ingress].user_config"),
        ("FraudDeployment", {"name": "FraudDeploymnt"}, "deployments: names"),
    ],
)
def test_a_bad_value_fails_naming_its_field(
    tmp_path: Path, name: str | None, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ServeConfigError) as caught:
        checked(edited(tmp_path, name, changes))
    assert field in str(caught.value)


def test_a_missing_threshold_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    config = copy.deepcopy(RAW)
    del deployment(config, "FraudDeployment")["user_config"]["min_confidence"]
    path = tmp_path / "serve.yaml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(ServeConfigError, match=r"FraudDeployment\].user_config.min_confidence"):
        checked(path)


def test_the_code_writes_no_deployment_setting() -> None:
    # Ray records which options a decorator or .options() set; serve.yaml must be the only one.
    for shell in (*MODELS.values(), Ingress):
        assert shell._deployment_config.user_configured_option_names == set(), shell.name


def test_app_from_config_applies_the_files_settings_to_every_deployment() -> None:
    config = checked()
    app = app_from_config(config)
    ingress = app._bound_deployment
    bound = {"Ingress": ingress} | {
        child._bound_deployment.name: child._bound_deployment
        for child in ingress.init_kwargs.values()
    }
    assert set(bound) == set(config.options)
    for name, options in config.options.items():
        applied = bound[name]._deployment_config
        assert applied.user_configured_option_names >= set(options) - {"ray_actor_options"}
        assert applied.max_ongoing_requests == options["max_ongoing_requests"]
        assert applied.user_config == options.get("user_config")
        assert bound[name].ray_actor_options == options["ray_actor_options"]


UVICORN_SETTINGS = {"FORWARDED_ALLOW_IPS"}
"""Read by uvicorn, which serves HTTP inside Ray; the rest of config/ray.env is Ray Serve's."""
GLIBC_SETTINGS = {"MALLOC_ARENA_MAX"}
"""Read by the C library's malloc in every Ray process (test_the_arena_cap_holds_in_a_process)."""


def test_every_ray_setting_is_one_ray_serve_reads() -> None:
    import ray.serve._private.constants as constants
    import uvicorn.config

    source = Path(constants.__file__).read_text()
    settings = ray_env()
    assert settings, "config/ray.env is empty"
    for key, value in settings.items():
        if key in UVICORN_SETTINGS:
            assert f'"{key}"' in Path(uvicorn.config.__file__).read_text(), key
            continue
        if key in GLIBC_SETTINGS:
            continue
        assert f'"{key}"' in source, f"{key} is not a Ray Serve setting (a typo is ignored)"
        assert getattr(constants, key, None) is not None, key
        assert value in ("0", "1") or value.isdigit(), f"{key}={value}"


def test_ray_http_servers_trust_no_forwarded_for() -> None:
    """The app decides who the caller is (TRUSTED_PROXIES); uvicorn inside Ray, given this
    value, must believe no X-Forwarded-For, whichever peer sends it."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"])

    middleware = ProxyHeadersMiddleware(app, trusted_hosts=ray_env()["FORWARDED_ALLOW_IPS"])
    for peer in ("127.0.0.1", "::1", "10.0.0.7"):
        scope = {
            "type": "http",
            "client": (peer, 5000),
            "headers": [(b"x-forwarded-for", b"203.0.113.5")],
        }
        asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]
    assert seen == [("127.0.0.1", 5000), ("::1", 5000), ("10.0.0.7", 5000)]


def test_ray_env_refuses_a_line_without_a_value(tmp_path: Path) -> None:
    path = tmp_path / "ray.env"
    path.write_text("# ok\nRAY_SERVE_USE_GRPC_BY_DEFAULT\n")
    with pytest.raises(ServeConfigError, match=r"ray.env:2: expected KEY=VALUE"):
        ray_env(path)


def test_the_app_sheds_load_in_its_own_shape_before_rays_limit_is_reached() -> None:
    """Past MAX_IN_FLIGHT a replica answers JSON 503 `overloaded` itself; Ray's limit (whose
    rejection is plain text) must lie beyond it, or the app would never see the overload."""
    from serve_app.infra.settings import Settings

    ingress = checked().options["Ingress"]
    assert ingress["max_ongoing_requests"] > Settings.model_fields["MAX_IN_FLIGHT"].default


ARENAS = """
import ctypes, tempfile, threading, zlib
libc = ctypes.CDLL("libc.so.6")
libc.fdopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fflush.argtypes = [ctypes.c_void_p]
data = bytes(range(256)) * 4096
def work():
    for _ in range(200):
        zlib.compress(data, 1)  # allocates in C with the GIL released, as model code does
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
fd, path = tempfile.mkstemp()
libc.malloc_info(0, libc.fdopen(fd, b"w")); libc.fflush(None)
print(open(path).read().count("<heap nr="))
"""


def test_the_arena_cap_holds_in_a_process() -> None:
    """MALLOC_ARENA_MAX from config/ray.env bounds the malloc arenas of a process whose threads
    allocate at once (glibc made 9 here for 8 threads without it): the replicas' resident
    memory stopped growing with it (config/ray.env)."""
    import os
    import subprocess
    import sys

    def arenas(env: dict[str, str]) -> int:
        done = subprocess.run(
            [sys.executable, "-c", ARENAS], env=env, capture_output=True, text=True, check=True
        )
        return int(done.stdout)

    base = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    capped = int(ray_env()["MALLOC_ARENA_MAX"])
    assert arenas({**base, "MALLOC_ARENA_MAX": str(capped)}) <= capped < arenas(base)
