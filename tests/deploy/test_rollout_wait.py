"""scripts/deployment/wait_rollout.sh, the wait at the end of a Kubernetes deploy, against a
kubectl that answers as the API server would for a RayService in each state (no cluster runs
here; the fields are KubeRay v1.7's RayService status: observedGeneration, the Ready and
UpgradeInProgress conditions, activeServiceStatus). It succeeds only once the active cluster
runs the new image with every application RUNNING, and fails with KubeRay's messages when the
new image never serves, never at the old cluster's Ready."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run

NEW, OLD = "ghcr.io/fineasy/ai-backend:abc123", "ghcr.io/fineasy/ai-backend:0.1.0"
FAKE_KUBECTL = """\
#!{python}
# Answers `kubectl -n ai-backend get rayservice|raycluster ... -o jsonpath=...` from the states
# in states.json: each RayService read moves to the next state (the last one stays).
import json, pathlib, sys
folder = pathlib.Path(__file__).parent
states = json.loads((folder / "states.json").read_text())
seen = folder / "reads"
reads = int(seen.read_text()) if seen.exists() else 0
args = sys.argv[1:]
with open(folder / "calls", "a") as calls:
    calls.write(" ".join(args[:3]) + chr(10))
query = next(a for a in args if a.startswith("jsonpath="))
if "raycluster" in args:
    state = states[min(reads - 1, len(states) - 1)]
    print(state["images"].get(args[args.index("raycluster") + 1], ""), end="")
    sys.exit(0)
state = states[min(reads, len(states) - 1)]
if "range" in query:  # the diagnosis printed on failure
    print("".join(f"  {{c}}{{chr(10)}}" for c in state.get("messages", [])), end="")
    sys.exit(0)
seen.write_text(str(reads + 1))
print("|".join([state["generation"], state["observed"], state["ready"], state["upgrading"],
                state["cluster"], " ".join(state["statuses"])]), end="")
"""


def state(cluster: str, image: str, **fields: Any) -> dict[str, Any]:
    base = {
        "generation": "2", "observed": "2", "ready": "True", "upgrading": "False",
        "cluster": cluster, "statuses": ["RUNNING"], "images": {cluster: f"{image} {image}"},
    }  # fmt: skip
    return {**base, **fields}


def wait(run: Run, tmp_path: Path, states: list[dict[str, Any]], *flags: str) -> Any:
    (tmp_path / "states.json").write_text(json.dumps(states))
    kubectl = tmp_path / "kubectl"
    kubectl.write_text(FAKE_KUBECTL.format(python=sys.executable))
    kubectl.chmod(0o755)
    script = PROJECT_ROOT / "scripts" / "deployment" / "wait_rollout.sh"
    return run(
        "bash", str(script), NEW, *flags,
        PATH=f"{tmp_path}:/usr/bin:/bin", DEPLOY_TIMEOUT_SECONDS="3", DEPLOY_POLL_SECONDS="0.2",
    )  # fmt: skip


def test_a_newcluster_upgrade_is_waited_for_past_the_old_clusters_ready(
    run: Run, tmp_path: Path
) -> None:
    old = "ai-backend-raycluster-old"
    states = [
        state(old, OLD, generation="3"),  # applied, not yet seen by the operator
        state(old, OLD, generation="3", observed="3", upgrading="True"),  # Ready from the old one
        state(old, OLD, generation="3", observed="3", upgrading="True"),
        state("ai-backend-raycluster-new", NEW, generation="3", observed="3"),
    ]
    done = wait(run, tmp_path, states)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"rayservice/ai-backend serves {NEW} on ai-backend-raycluster-new: applications RUNNING"
    )
    assert int((tmp_path / "reads").read_text()) == 4  # it read on until the switch


def test_an_image_that_never_serves_fails_with_kuberays_messages(run: Run, tmp_path: Path) -> None:
    pending = "the new cluster's application: DEPLOY_FAILED: ImportError in serve_app.app"
    states = [
        state(
            "ai-backend-raycluster-old", OLD, upgrading="True",
            messages=["UpgradeInProgress=True BothActivePendingClustersExist: ...", pending],
        )
    ]  # fmt: skip
    done = wait(run, tmp_path, states)
    assert done.returncode == 1
    assert f"does not serve {NEW} after 3 s" in done.stderr
    assert f"runs {OLD} {OLD}" in done.stderr and pending in done.stderr


def test_an_application_not_running_on_the_new_image_is_not_done(run: Run, tmp_path: Path) -> None:
    states = [state("ai-backend-raycluster-new", NEW, statuses=["DEPLOYING"])]
    done = wait(run, tmp_path, states)
    assert done.returncode == 1 and "applications DEPLOYING" in done.stderr


def test_kubectl_flags_reach_every_call(run: Run, tmp_path: Path) -> None:
    """`--context` from KUBE_CONTEXT: the wait reads the cluster it deployed to."""
    done = wait(run, tmp_path, [state("c", NEW)], "--context", "prod-cluster")
    calls = (tmp_path / "calls").read_text().splitlines()
    assert done.returncode == 0 and len(calls) == 2  # the RayService, then its active cluster
    assert set(calls) == {"--context prod-cluster -n"}
