"""What the benchmarks share: demo books in a SQLite file, a local Ray Serve app on free ports
(started here, stopped here), and percentiles. Prints nothing itself."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo_data.generate import generate_dataset
from kernel.paths import PROJECT_ROOT
from serve_app.serve_config import ray_env
from testkit.ports import free_port
from testkit.stores import seeded_store, settings_for

SECRET = "bench-" + "s" * 48
MODELS = PROJECT_ROOT / "var" / "models"
OUT = PROJECT_ROOT / "var" / "bench"
DEMO_END = dt.date(2026, 10, 31)


TXN = {
    "type": "debit",
    "amount": 150000,
    "date": "2026-06-02T01:40:00",
    "payment_mode": "cash",
    "description": "Cash withdrawal",
}
"""One entry-time transaction to score (a night-time cash withdrawal)."""


def head_commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT_ROOT
    ).stdout.strip()


def touch(database: Path, business_id: str) -> None:
    """Changes the books' fingerprint (as a new entry would), so the next request recomputes."""
    with sqlite3.connect(database) as conn:
        conn.execute(
            "UPDATE expenses SET updated_at = ? WHERE id = "
            "(SELECT id FROM expenses WHERE business_id = ? LIMIT 1)",
            (dt.datetime.now(dt.UTC).isoformat(), business_id),
        )


def write_report(kind: str, commit: str, results: dict[str, Any], text: str) -> None:
    """var/bench/<kind>-<commit>-<time>.md and .json, and the report on stdout."""
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = f"{commit}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    (OUT / f"{kind}-{stamp}.json").write_text(json.dumps(results, indent=2))
    (OUT / f"{kind}-{stamp}.md").write_text(text + "\n")
    print()
    print(text)
    print(f"\nwritten: var/bench/{kind}-{stamp}.md and .json")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Served:
    base_url: str
    database: Path
    businesses: list[tuple[str, str]]
    """(business id, owner id) of the demo businesses in the database."""


@contextlib.contextmanager
def served_app() -> Iterator[Served]:
    """The real app (config defaults, models from var/models) over a fresh SQLite file of demo
    books and the in-process cache, on a local Ray started and stopped here."""
    import ray
    from ray import serve

    from kernel.tuning import ModelsConfig
    from serve_app import serve_config
    from serve_app.app import app_from_config
    from serve_app.infra.settings import AppArgs

    folder = Path(tempfile.mkdtemp(prefix="fineasy-bench-"))
    database = folder / "bench.db"

    async def seed() -> list[tuple[str, str]]:
        store = await seeded_store(settings_for(database))
        owners = [g.business["user_id"] for g in generate_dataset(42, 2, DEMO_END)]
        found = [(b.id, b.user_id) for b in await store.businesses_of(owners)]
        await store.close()
        return found

    businesses = asyncio.run(seed())
    os.environ.update(
        {
            **ray_env(),
            "ENVIRONMENT": "development",
            "SUPABASE_JWT_SECRET": SECRET,
            "SQLITE_PATH": str(database),
            "RAY_USAGE_STATS_ENABLED": "0",
            # one token drives all the load: the per-user budget is not what is measured
            "RATE_LIMIT_PER_USER": "100000",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    port = free_port()
    ray.init(
        address="local",
        num_cpus=2,
        _node_ip_address="127.0.0.1",
        include_dashboard=False,
        log_to_driver=False,
    )
    try:
        serve.start(http_options={"host": "127.0.0.1", "port": port})
        # The deployments' settings of config/serve.yaml, as `serve run` would apply them.
        args = AppArgs(models=ModelsConfig(models_dir=str(MODELS)))
        app = app_from_config(serve_config.load(), args)
        serve.run(app, name="bench", route_prefix="/")
        yield Served(f"http://127.0.0.1:{port}", database, businesses)
    finally:
        serve.shutdown()
        ray.shutdown()
