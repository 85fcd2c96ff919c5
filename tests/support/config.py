"""The shipped config/serve.yaml as the tests read it: every tuning value comes from there, so
tests exercise what operators deploy, and no second copy of a default exists."""

from __future__ import annotations

from typing import Any, TypeVar

from kernel.tuning import ModelTuning
from serve_app.app import load_serve_config

SHIPPED = load_serve_config()
T = TypeVar("T", bound=ModelTuning)


def tuning(kind: type[T], **changes: Any) -> T:
    """The shipped tuning of type `kind`, with `changes`."""
    return SHIPPED.tuning(kind, **changes)


def user_config(deployment: str, **changes: Any) -> dict[str, Any]:
    """The shipped user_config of `deployment` (as serve.yaml writes it), with `changes`."""
    return {**SHIPPED.options[deployment]["user_config"], **changes}
