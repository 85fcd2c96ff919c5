"""What every model shell shares (deployments/hosting/host.py): each model method runs in a
watched thread under a work budget, so a request that gives up stops its prediction."""

from __future__ import annotations

import ast
import asyncio
import threading
from pathlib import Path

import pytest

import deployments.hosting.host as host
from deployments.fraud.deployment import FraudDeployment
from kernel import work
from kernel.paths import PROJECT_ROOT
from kernel.tuning import ModelsConfig
from testkit.factories import write_model
from tests.support.config import pinned_config

SHELLS = sorted((PROJECT_ROOT / "deployments").glob("*/deployment.py"))


def served_methods(shell: Path) -> dict[str, ast.AsyncFunctionDef | ast.FunctionDef]:
    """The methods a shell's class serves: all but the static facts about its model."""
    [cls] = [n for n in ast.parse(shell.read_text()).body if isinstance(n, ast.ClassDef)]
    return {
        f.name: f
        for f in cls.body
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
        and not any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in f.decorator_list)
    }


@pytest.mark.parametrize("shell", SHELLS, ids=lambda p: p.parent.name)
def test_every_model_method_of_every_shell_runs_in_the_watched_thread(shell: Path) -> None:
    methods = served_methods(shell)
    assert methods, f"{shell} serves nothing"
    for name, method in methods.items():
        calls = {
            node.func.attr
            for node in ast.walk(method)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        }
        assert isinstance(method, ast.AsyncFunctionDef) and "_threaded" in calls, (
            f"{shell.parent.name}.{name} does not run in ModelHost._threaded"
        )


def test_the_rule_sees_a_method_on_the_event_loop(tmp_path: Path) -> None:
    planted = tmp_path / "deployment.py"
    fraud = PROJECT_ROOT / "deployments" / "fraud" / "deployment.py"
    source = fraud.read_text()
    threaded = "await self._threaded(self._ready().report, books)"
    assert threaded in source
    planted.write_text(source.replace(threaded, "self._ready().report(books)"))
    with pytest.raises(AssertionError, match=r"report does not run"):
        test_every_model_method_of_every_shell_runs_in_the_watched_thread(planted)


async def test_a_prediction_whose_request_gave_up_stops_at_its_next_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ray cancels the replica's task when the ingress stops waiting: the thread is told, stops,
    and leaves nothing for the health check to call stuck."""
    write_model(tmp_path, "v1")
    shell = FraudDeployment.func_or_class(ModelsConfig(models_dir=str(tmp_path)))
    shell.reconfigure(pinned_config(tmp_path, "FraudDeployment", "v1"))
    monkeypatch.setattr(host, "HUNG_AFTER_S", 0.05)
    started = threading.Event()
    seen: list[work.Budget | None] = []

    def predicts() -> None:
        seen.append(work.current())
        started.set()
        while True:
            work.checkpoint()

    call = asyncio.ensure_future(shell._threaded(predicts))
    assert await asyncio.to_thread(started.wait, 10)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    for _ in range(1000):
        if not shell._running:
            break
        await asyncio.sleep(0.01)
    shell.check_health()
    [budget] = seen
    assert budget is not None and budget.cancelled and budget.seconds == host.CALL_CAP_S
