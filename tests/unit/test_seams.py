"""Each model's seam (kernel/models) is what its three implementations serve: the predictor
has each method of the seam's Protocol, with the same parameters; the Serve shell serves each
(async, same parameters) and declares the seam; the graph binds one shell per seam. So a
method added to a seam and its predictor but not its shell (or the other way) fails here."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from kernel.models import Seam
from kernel.models.registry import SEAMS, TUNINGS
from serve_app.app import MODELS

SHELLS = {d.func_or_class.seam: d for d in MODELS.values()}


def parameters(function: Any) -> list[str]:
    return [p for p in inspect.signature(function).parameters if p != "self"]


def test_one_shell_per_seam_bound_under_its_name_and_its_deployment_name() -> None:
    assert set(SHELLS) == set(SEAMS) and len(MODELS) == len(SEAMS)
    for key, deployment in MODELS.items():
        seam = deployment.func_or_class.seam
        assert (key, deployment.name) == (seam.name, seam.deployment)
    assert set(TUNINGS) == {s.deployment for s in SEAMS}


@pytest.mark.parametrize("seam", SEAMS, ids=lambda s: s.name)
def test_the_predictor_and_the_shell_serve_each_method_of_the_seam(seam: Seam[Any]) -> None:
    shell = SHELLS[seam].func_or_class
    assert seam.methods, seam.name
    for method in seam.methods:
        declared = getattr(seam.protocol, method)
        served = getattr(shell, method, None)
        predicted = getattr(shell.predictor_type, method, None)
        assert served is not None and inspect.iscoroutinefunction(served), (seam.name, method)
        assert predicted is not None and not inspect.iscoroutinefunction(predicted)
        assert parameters(served) == parameters(declared) == parameters(predicted), method


def test_a_method_missing_from_a_shell_is_caught() -> None:
    """The check above, on a seam declaring a method that no shell serves."""
    fraud = next(s for s in SEAMS if s.name == "fraud")

    class Wider(fraud.protocol):  # type: ignore[misc,name-defined]
        async def explain(self, finding_id: str) -> str: ...

    wider = Seam(fraud.name, fraud.deployment, fraud.tuning, Wider, fraud.held_out_accuracy)
    shell = SHELLS[fraud].func_or_class
    assert wider.methods == ["explain", "report", "score_many"]
    assert [m for m in wider.methods if getattr(shell, m, None) is None] == ["explain"]
