"""`fineasy drain`: the preStop of every Ray pod (k8s/rayservice.yaml). Before the kubelet
sends SIGTERM, it asks Ray to drain this node (the same request Ray's autoscaler makes before
it removes a node, `ray drain-node`) and waits until Serve has no replica left on it: Serve
starts their replacements on other nodes, then stops these the graceful way, so requests in
flight finish and each Ingress replica writes, or hands to the shared outbox, the audit rows it
still holds. It returns at the deadline whatever is left: the pod's grace period
(terminationGracePeriodSeconds) must be longer.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REASON = "DRAIN_NODE_REASON_PREEMPTION"
"""Serve moves replicas off a node drained for preemption before its deadline (an idle
termination would only be accepted for a node with nothing on it)."""


def replicas_on(node_id: str) -> list[str]:
    """The Serve replicas alive on the node, by actor name."""
    from ray.util.state import list_actors

    alive = list_actors(filters=[("state", "=", "ALIVE"), ("node_id", "=", node_id)], limit=10_000)
    return [a.name for a in alive if (a.class_name or "").startswith("ServeReplica")]


def drain(node_id: str | None, deadline_s: int, poll_s: float = 1.0) -> int:
    """Drains `node_id` (this node when None); 0 once no replica is left on it, 1 at the
    deadline with some still there, 2 when Ray refuses the request."""
    import ray

    ray.init(address="auto", logging_level="ERROR", log_to_driver=False)
    try:
        node = node_id or ray.get_runtime_context().get_node_id()
        ray_cli = str(Path(sys.executable).parent / "ray")
        asked = subprocess.run(
            [ray_cli, "drain-node", "--node-id", node, "--reason", REASON,
             "--reason-message", "pod terminating (preStop)",
             "--deadline-remaining-seconds", str(deadline_s)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        if asked.returncode:
            print(f"drain of {node} refused: {asked.stderr.strip()}", file=sys.stderr)
            return 2
        ends = time.monotonic() + deadline_s
        while (left := replicas_on(node)) and time.monotonic() < ends:
            time.sleep(poll_s)
        print(f"node {node}: {len(left)} Serve replicas left" if left else f"node {node} drained")
        return 1 if left else 0
    finally:
        ray.shutdown()
