"""Deploy tier: the image, compose, Kubernetes and CI files checked offline with the real
tools (scripts/setup.sh --test installs them: kubectl with kustomize into .tools/, the rest
into .venv), since this machine has no container engine and no cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kernel.paths import PROJECT_ROOT

TOOLS = PROJECT_ROOT / ".tools"
VENV_BIN = Path(sys.executable).parent
Run = Callable[..., subprocess.CompletedProcess[str]]


def tool(name: str) -> str:
    """The path of `name`, from .tools/ or the venv; a missing tool fails, never skips."""
    for folder in (TOOLS, VENV_BIN):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `bash scripts/setup.sh --test`")
    return found


@pytest.fixture(scope="session")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A kubeconfig pointing at nothing that listens, so no kubectl call reaches a cluster."""
    path = tmp_path_factory.mktemp("kube") / "config"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: offline\n"
        "clusters: [{name: offline, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "users: [{name: offline, user: {token: offline}}]\n"
        "contexts: [{name: offline, context: {cluster: offline, user: offline}}]\n"
    )
    yield path


@pytest.fixture
def run(kubeconfig: Path) -> Run:
    def run(
        *command: str, cwd: Path = PROJECT_ROOT, stdin: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "KUBECONFIG": str(kubeconfig), **env},
        )

    return run


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of scripts/deployment/deploy.sh (and the overlays it reads the image tag from) in
    a folder of its own, so a developer's .env files are never read."""
    script = tmp_path / "scripts" / "deployment" / "deploy.sh"
    script.parent.mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "scripts" / "deployment" / "deploy.sh", script)
    shutil.copytree(PROJECT_ROOT / "k8s-overlays", tmp_path / "k8s-overlays")
    return tmp_path
