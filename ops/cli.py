"""`fineasy` (or `python -m ops.cli`): env, migrate, seed, businesses, token; and the model
commands of ops.models (train, evaluate, backtest)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from kernel.models.registry import SEAMS
from kernel.paths import PROJECT_ROOT
from ops.models import cmd_backtest, cmd_config, cmd_evaluate, cmd_train
from serve_app.infra.settings import Settings, SettingsError, load_settings


def write_development_env(path: Path) -> list[str]:
    """Adds to the development env file what it lacks: ENVIRONMENT=development (the setting
    has no default) and a fresh random SUPABASE_JWT_SECRET. What is there stays; returns the
    names written."""
    text = path.read_text() if path.exists() else ""
    present = {line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line}
    wanted = {
        "ENVIRONMENT": "development",
        "SUPABASE_JWT_SECRET": secrets.token_urlsafe(48),
    }
    missing = {name: value for name, value in wanted.items() if name not in present}
    if missing:
        with path.open("a") as handle:
            if text and not text.endswith("\n"):
                handle.write("\n")
            handle.writelines(f"{name}={value}\n" for name, value in missing.items())
        path.chmod(0o600)
    return list(missing)


def cmd_env(_: argparse.Namespace) -> int:
    """Development only: writes .env with ENVIRONMENT=development and a fresh random JWT
    secret, each if it is not there yet."""
    path = PROJECT_ROOT / ".env"
    written = write_development_env(path)
    if written:
        print(f"wrote {' and '.join(written)} to {path} (development)")
    else:
        print(f"{path} already has ENVIRONMENT and SUPABASE_JWT_SECRET; left unchanged")
    return 0


async def _migrate(settings: Settings) -> list[str]:
    from serve_app.components import build_store
    from serve_app.infra.migrate import migrate
    from serve_app.infra.store.sql import SqlStore

    store = build_store(settings)
    if not isinstance(store, SqlStore):
        raise SettingsError(
            "the Supabase REST API cannot run DDL: set DATABASE_URL to the project's Postgres "
            "connection string to migrate, or run serve_app/infra/migrations/*.sql, in order, in "
            "its SQL editor"
        )
    if store.kind == "sqlite":
        Path(settings.SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    try:
        return await migrate(store.engine)
    finally:
        await store.close()


async def _purge(settings: Settings, dry_run: bool) -> dict[str, int]:
    from serve_app.components import build_store
    from serve_app.infra.retention import cutoffs

    store = build_store(settings)
    try:
        return await store.purge(cutoffs(settings, dt.datetime.now(dt.UTC)), dry_run)
    finally:
        await store.close()


def cmd_purge(args: argparse.Namespace) -> int:
    """Deletes the backend's rows past their retention (RETENTION_*_DAYS)."""
    settings = load_settings()
    counts = asyncio.run(_purge(settings, args.dry_run))
    verb = "would delete" if args.dry_run else "deleted"
    for table, n in counts.items():
        print(f"{table}: {verb} {n}")
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    settings = load_settings()
    applied = asyncio.run(_migrate(settings))
    print(f"{settings.store_kind}: applied {applied or 'nothing (up to date)'}")
    return 0


async def _seed(settings: Settings, seed: int, businesses: int, end: dt.date) -> list[str]:
    from demo_data.generate import generate_dataset
    from demo_data.tables import DEMO_USER_IDS
    from serve_app.components import build_store

    await _migrate(settings)
    store = build_store(settings)
    try:
        existing = await store.businesses_of(DEMO_USER_IDS)
        if existing:
            return [f"demo data already loaded ({len(existing)} businesses); left unchanged"]
        names = []
        for generated in generate_dataset(seed, businesses, end):
            count = await store.insert_rows(generated.rows())
            business = generated.business
            names.append(
                f"{business['id']}  {business['name']} (owner {business['user_id']}, {count} rows)"
            )
        return names
    finally:
        await store.close()


def cmd_seed(args: argparse.Namespace) -> int:
    settings = load_settings()
    end = dt.date.fromisoformat(args.end) if args.end else dt.date.today()
    for line in asyncio.run(_seed(settings, args.seed, args.businesses, end)):
        print(line)
    return 0


async def _demo_businesses(settings: Settings) -> list[tuple[str, str, str]]:
    from demo_data.tables import DEMO_USER_IDS
    from serve_app.components import build_store

    store = build_store(settings)
    try:
        found = await store.businesses_of(DEMO_USER_IDS)
    finally:
        await store.close()
    order = {user: i for i, user in enumerate(DEMO_USER_IDS)}
    return sorted(((b.id, b.name, b.user_id) for b in found), key=lambda b: order[b[2]])


def cmd_businesses(args: argparse.Namespace) -> int:
    """The demo businesses; --first prints only the id of the first owner's."""
    rows = asyncio.run(_demo_businesses(load_settings()))
    if not rows:
        print("no demo businesses: run `make seed` first", file=sys.stderr)
        return 1
    for business_id, name, owner in rows[:1] if args.first else rows:
        print(business_id if args.first else f"{business_id}  {name}  (owner {owner})")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from demo_data.tables import DEMO_USER_IDS
    from serve_app.infra.auth import issuer_for, mint_token

    settings = load_settings()
    if settings.ENVIRONMENT == "production":
        print("refusing to mint tokens with ENVIRONMENT=production", file=sys.stderr)
        return 2
    print(
        mint_token(
            settings.jwt_secret(),
            args.user or DEMO_USER_IDS[0],
            ttl_s=args.ttl,
            issuer=issuer_for(settings.SUPABASE_URL),
        )
    )
    return 0


def _generated(
    check: bool, drifted: Callable[[], list[Path]], write: Callable[[], list[Path]], command: str
) -> int:
    """Writes generated files (or with `check` only names those that differ from their
    source, failing)."""
    from ops.k8s import shown

    if check:
        stale = drifted()
        for path in stale:
            print(f"{shown(path)} differs from its source: run `fineasy {command}`")
        return 1 if stale else 0
    for path in write():
        print(f"wrote {shown(path)}")
    return 0


def cmd_k8s(args: argparse.Namespace) -> int:
    """Writes the generated parts of k8s/ (ops/k8s.py); --check only says which differ."""
    from ops import k8s

    return _generated(args.check, k8s.drifted, k8s.write, "k8s")


def cmd_ray_dashboards(args: argparse.Namespace) -> int:
    """Writes Ray's own Grafana dashboards (ops/ray_dashboards.py); --check only says which
    differ."""
    from ops import ray_dashboards

    return _generated(args.check, ray_dashboards.drifted, ray_dashboards.write, "ray-dashboards")


def cmd_rates_doc(args: argparse.Namespace) -> int:
    """Writes the rate table of docs/compliance.md; --check only says whether it differs."""
    from ops import rates_doc

    if args.check:
        if rates_doc.drifted():
            print("docs/compliance.md's rate table differs from the data: run `fineasy rates-doc`")
            return 1
        return 0
    rates_doc.write()
    print("wrote the rate table of docs/compliance.md")
    return 0


def cmd_drain(args: argparse.Namespace) -> int:
    """Drains this Ray node (or --node-id) and waits for Serve to move its replicas away."""
    from ops.drain import drain

    return drain(args.node_id, args.deadline)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fineasy")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("env", help="write a development .env").set_defaults(run=cmd_env)
    sub.add_parser("migrate", help="apply migrations to the configured store").set_defaults(
        run=cmd_migrate
    )
    purge = sub.add_parser("purge", help="delete the backend's rows past their retention")
    purge.add_argument("--dry-run", action="store_true", help="only count what would go")
    purge.set_defaults(run=cmd_purge)
    config = sub.add_parser("config", help="validate config/serve.yaml (or another file)")
    config.add_argument("path", nargs="?")
    config.set_defaults(run=cmd_config)
    kube = sub.add_parser("k8s", help="write k8s/ parts generated from config/ and monitoring/")
    kube.add_argument("--check", action="store_true", help="write nothing; fail if any differs")
    kube.set_defaults(run=cmd_k8s)
    ray_boards = sub.add_parser(
        "ray-dashboards", help="write Ray's own Grafana dashboards into monitoring/grafana/"
    )
    ray_boards.add_argument(
        "--check", action="store_true", help="write nothing; fail if any differs"
    )
    ray_boards.set_defaults(run=cmd_ray_dashboards)
    doc = sub.add_parser("rates-doc", help="write docs/compliance.md's rate table from the data")
    doc.add_argument("--check", action="store_true", help="write nothing; fail if it differs")
    doc.set_defaults(run=cmd_rates_doc)
    drain = sub.add_parser("drain", help="drain this Ray node before its pod stops (preStop)")
    drain.add_argument("--node-id", help="another node's hex id (default: this node)")
    drain.add_argument("--deadline", type=int, default=60, help="seconds to wait at most")
    drain.set_defaults(run=cmd_drain)
    seed = sub.add_parser("seed", help="migrate, then load demo businesses")
    seed.add_argument("--seed", type=int, default=42)
    seed.add_argument("--businesses", type=int, default=3)
    seed.add_argument("--end", help="last day of the books (default: today)")
    seed.set_defaults(run=cmd_seed)
    listing = sub.add_parser("businesses", help="list the demo businesses")
    listing.add_argument("--first", action="store_true", help="only the first one's id")
    listing.set_defaults(run=cmd_businesses)
    token = sub.add_parser("token", help="mint a development access token")
    token.add_argument("--user", help="the user id (default: the first demo owner)")
    token.add_argument("--ttl", type=int, default=3600)
    token.set_defaults(run=cmd_token)
    models = tuple(seam.name for seam in SEAMS)
    helps = {
        "train": f"train the models ({', '.join(models)}, or all)",
        "evaluate": "print a model's figures on held-out, independent and hand-written sets",
        "backtest": "rolling-origin backtest of the insights forecasts (evaluate --model insights)",
    }
    for name, runner in (
        ("train", cmd_train),
        ("evaluate", cmd_evaluate),
        ("backtest", cmd_backtest),
    ):
        command = sub.add_parser(name, help=helps[name])
        command.add_argument("--version", default="v1")
        command.add_argument("--models-dir")
        command.add_argument("--businesses", type=int, default=None if name == "train" else 10)
        command.set_defaults(run=runner)
    sub.choices["train"].add_argument("--force", action="store_true")
    sub.choices["train"].add_argument(
        "--config", help="the serve.yaml to pin the artifacts in (default: config/serve.yaml)"
    )
    sub.choices["train"].add_argument(
        "--check-pins",
        action="store_true",
        help="write no pin; fail if an artifact does not hash to its pin (reproducible build)",
    )
    sub.choices["train"].add_argument(
        "--model",
        choices=(*models, "all"),
        default="all",
    )
    sub.choices["evaluate"].add_argument("--model", choices=models, default="fraud")
    sub.choices["evaluate"].add_argument(
        "--count", type=int, default=None, help="ocr: photographed invoices to read (120)"
    )
    sub.choices["evaluate"].add_argument(
        "--seed", type=int, default=None, help="ocr: another seed draws other invoices (7717)"
    )
    for name in ("evaluate", "backtest"):
        sub.choices[name].add_argument(
            "--independent-businesses",
            type=int,
            default=12,
            help="businesses of the independent world (eval_world) to measure on",
        )
    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    raise SystemExit(main())
