"""Operator commands: `python -m serve_app.cli {env,migrate,seed,token,train,evaluate}`."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import secrets
import sys
from pathlib import Path

from kernel.paths import PROJECT_ROOT
from serve_app.settings import Settings, SettingsError, load_settings


def cmd_env(_: argparse.Namespace) -> int:
    """Development only: writes .env with a fresh random JWT secret, if there is none."""
    path = PROJECT_ROOT / ".env"
    if path.exists() and "SUPABASE_JWT_SECRET=" in path.read_text():
        print(f"{path} already has SUPABASE_JWT_SECRET; left unchanged")
        return 0
    with path.open("a") as handle:
        handle.write(f"SUPABASE_JWT_SECRET={secrets.token_urlsafe(48)}\n")
    path.chmod(0o600)
    print(f"wrote a development SUPABASE_JWT_SECRET to {path}")
    return 0


async def _migrate(settings: Settings) -> list[str]:
    from serve_app.components import build_store
    from serve_app.migrate import migrate
    from serve_app.store import SqlStore

    store = build_store(settings)
    if not isinstance(store, SqlStore):
        raise SettingsError(
            "the Supabase REST API cannot run DDL: set DATABASE_URL to the project's Postgres "
            "connection string to migrate, or run serve_app/migrations/*.sql in its SQL editor"
        )
    if store.kind == "sqlite":
        Path(settings.SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    try:
        return await migrate(store.engine)
    finally:
        await store.close()


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
    from serve_app.auth import issuer_for, mint_token

    settings = load_settings()
    if settings.ENVIRONMENT == "production":
        print("refusing to mint tokens with ENVIRONMENT=production", file=sys.stderr)
        return 2
    role = "service_role" if args.service else "authenticated"
    print(
        mint_token(
            settings.jwt_secret(),
            args.user or DEMO_USER_IDS[0],
            args.ttl,
            role,
            issuer_for(settings.SUPABASE_URL),
        )
    )
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from deployments.hosting.artifacts import list_versions
    from kernel.tuning import ModelsConfig

    models_dir = args.models_dir or ModelsConfig().models_dir
    trainers = (
        ("fraud", _train_fraud),
        ("insights", _train_insights),
        ("compliance", _train_compliance),
        ("invoice", _train_invoice),
    )
    for name, trainer in trainers:
        if args.model not in (name, "all"):
            continue
        if args.version in list_versions(models_dir, name) and not args.force:
            print(f"{name} {args.version} already exists in {models_dir}; --force retrains it")
            continue
        trainer(models_dir, args.version, args.businesses)
    return 0


def _train_fraud(models_dir: str, version: str, businesses: int | None) -> None:
    from deployments.fraud.evaluation import evaluate
    from deployments.fraud.predictor import FraudPredictor
    from deployments.fraud.training import TRAIN_SEED, VALIDATION_SEED, fit_models, labelled_books
    from deployments.hosting.artifacts import save_artifact
    from kernel.tuning import FraudTuning

    count = businesses or 24
    train = labelled_books(TRAIN_SEED, count)
    validation = labelled_books(VALIDATION_SEED, max(4, count // 4))
    models, data_hash = fit_models(train, validation, version)
    metrics = evaluate(FraudPredictor(models, FraudTuning(model_version=version)), validation)
    manifest = save_artifact(
        models_dir,
        "fraud",
        version,
        models,
        metrics={"held_out_seed": VALIDATION_SEED, **metrics},
        training_data_hash=data_hash,
    )
    print(f"fraud {manifest.version}: sha256 {manifest.sha256}")
    print(json.dumps(metrics, indent=2))


def _train_insights(models_dir: str, version: str, businesses: int | None) -> None:
    from deployments.hosting.artifacts import save_artifact
    from deployments.insights.training import CALIBRATION_SEED, train

    models, data_hash = train(version, businesses or 24)
    manifest = save_artifact(
        models_dir,
        "insights",
        version,
        models,
        metrics={"held_out_seed": CALIBRATION_SEED, **models.metrics},
        training_data_hash=data_hash,
    )
    print(f"insights {manifest.version}: sha256 {manifest.sha256}")
    print(json.dumps(models.metrics, indent=2))


def _train_compliance(models_dir: str, version: str, businesses: int | None) -> None:
    from deployments.compliance.rate_training import train
    from deployments.hosting.artifacts import save_artifact

    del businesses  # the rate model trains on described items, not on businesses
    model, data_hash = train(version)
    manifest = save_artifact(
        models_dir,
        "compliance",
        version,
        model,
        metrics=model.metrics,
        training_data_hash=data_hash,
    )
    print(f"compliance {manifest.version}: sha256 {manifest.sha256}")
    print(json.dumps(model.metrics, indent=2))


def _evaluate_compliance(args: argparse.Namespace) -> int:
    from deployments.compliance.checker import ComplianceChecker
    from deployments.compliance.evaluation import EVAL_SEED, evaluate, labelled_invoices
    from deployments.compliance.rate_training import (
        HELD_OUT_SEED,
        accuracy,
        generated,
        hand_written,
    )
    from deployments.hosting.artifacts import load_artifact
    from kernel.tuning import ComplianceTuning, ModelsConfig

    model, manifest = load_artifact(
        args.models_dir or ModelsConfig().models_dir, "compliance", args.version
    )
    count = args.businesses * 50 if args.businesses else 500
    data = labelled_invoices(EVAL_SEED, count)
    checker = ComplianceChecker(model, ComplianceTuning(model_version=args.version))
    planted = sum(bool(d.planted) for d in data)
    after = sum(
        d.invoice.invoice_date is not None and d.invoice.invoice_date.isoformat() >= "2025-09-22"
        for d in data
    )
    print(
        f"compliance {manifest.version} on {count} labelled invoices (seed {EVAL_SEED}): "
        f"{planted} with planted issues, {count - planted} clean; {after} dated from "
        f"22-09-2025, {count - after} before"
    )
    print(f"{'issue type':<26}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}")
    report = evaluate(checker, data)
    clean = report.pop("clean_invoices")
    for kind, row in report.items():
        print(
            f"{kind:<26}{row['precision']:>10.4f}{row['recall']:>8.4f}"
            f"{int(row['true_positives']):>6}{int(row['false_positives']):>5}"
            f"{int(row['false_negatives']):>5}"
        )
    print(f"clean invoices flagged: {int(clean['flagged'])} of {int(clean['count'])}")
    generated_accuracy = accuracy(model, generated(HELD_OUT_SEED, 20))
    written_accuracy = accuracy(model, hand_written())
    print(
        f"rate classifier top-1 accuracy: {generated_accuracy:.4f} on generated held-out "
        f"descriptions (seed {HELD_OUT_SEED}), {written_accuracy:.4f} on "
        f"{len(hand_written())} hand-written ones (deployments/data/rate_holdout.csv)"
    )
    return 0


def _train_invoice(models_dir: str, version: str, businesses: int | None) -> None:
    from deployments.hosting.artifacts import save_artifact
    from deployments.invoice.evaluation import evaluate, generated, hand_written
    from deployments.invoice.parser import InvoiceParser
    from deployments.invoice.training import train

    del businesses  # the parser trains on generated sentences, not on businesses
    models, data_hash = train(version)
    parser = InvoiceParser(models)
    models.metrics = {
        "f1_generated_held_out": {k: v["f1"] for k, v in evaluate(parser, generated(300)).items()},
        "f1_hand_written": {k: v["f1"] for k, v in evaluate(parser, hand_written()).items()},
    }
    manifest = save_artifact(
        models_dir, "invoice", version, models, metrics=models.metrics, training_data_hash=data_hash
    )
    print(f"invoice {manifest.version}: sha256 {manifest.sha256}")
    print(json.dumps(models.metrics, indent=2))


def _evaluate_invoice(args: argparse.Namespace) -> int:
    from deployments.hosting.artifacts import load_artifact
    from deployments.invoice.corpus import EVAL_SEED, TODAY
    from deployments.invoice.evaluation import (
        BLIND,
        FINAL,
        FRESH,
        evaluate,
        generated,
        hand_written,
    )
    from deployments.invoice.parser import InvoiceParser
    from deployments.invoice.resolver import resolve
    from kernel.model_io import Catalogue
    from kernel.tuning import ModelsConfig

    models, manifest = load_artifact(
        args.models_dir or ModelsConfig().models_dir, "invoice", args.version
    )
    parser = InvoiceParser(models)
    count = args.businesses * 30 if args.businesses else 300
    sets = {
        f"generated held-out (seed {EVAL_SEED})": generated(count),
        "hand-written dev set 1 (deployments/data/invoice_prompts.jsonl)": hand_written(),
        "hand-written dev set 2 (deployments/data/invoice_prompts_blind.jsonl)": hand_written(
            BLIND
        ),
        "hand-written dev set 3 (deployments/data/invoice_prompts_fresh.jsonl)": hand_written(
            FRESH
        ),
        "hand-written, blind (deployments/data/invoice_prompts_final.jsonl)": hand_written(FINAL),
        "acceptance set: generated held-out + hand-written blind": [
            *generated(count),
            *hand_written(FINAL),
        ],
    }
    print(f"invoice {manifest.version}: field-level scores, relative dates from {TODAY}")
    for title, prompts in sets.items():
        print(f"\n{title}: {len(prompts)} prompts")
        print(f"{'field':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}")
        for name, row in evaluate(parser, prompts).items():
            print(
                f"{name:<14}{row['precision']:>10.4f}{row['recall']:>8.4f}{row['f1']:>8.4f}"
                f"{int(row['support']):>9}"
            )
    print("\nthe documented prompts (contract 6.4), no business data:")
    for text in (
        "Generate an invoice for Rajesh Traders, 10 units of Item A, UPI link attached",
        "Create invoice for John Doe, 5 items at 100 each with UPI payment",
        "Create invoice for Nitiayog Textiles for 8 drums for 5000 rupees each with 8% discount",
    ):
        draft = resolve(parser.parse(text, TODAY), Catalogue(), TODAY, False)
        items = ", ".join(
            f"{line.name} x {line.quantity:g} @ {line.unit_price:g}" for line in draft.lines
        )
        print(
            f"  {draft.customer_name} | {items} | discount {draft.discount_percent:g}% | "
            f"payment {draft.payment_mode} | total (tax after discount) "
            f"{draft.totals(tax_after_discount=True)['total_amount']:.2f}"
        )
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from deployments.hosting.artifacts import load_artifact
    from deployments.insights.evaluation import backtest, format_table, summary
    from deployments.insights.examples import MONTHS, generated_examples
    from deployments.insights.training import BACKTEST_SEED
    from kernel.tuning import ModelsConfig

    models, manifest = load_artifact(
        args.models_dir or ModelsConfig().models_dir, "insights", args.version
    )
    data, _ = generated_examples(BACKTEST_SEED, args.businesses)
    table = backtest(models, data)
    print(
        f"insights {manifest.version}: rolling-origin backtest on {args.businesses} held-out "
        f"businesses x {MONTHS} months (seed {BACKTEST_SEED}, never used in training)"
    )
    print("sMAPE % (lower is better); origins with a year of history; cover80 = share of")
    print("actuals inside the model's 80% interval")
    print(format_table(table))
    result = summary(table)
    means = result["mean_smape_h1_3"]
    gain = 1 - means["model"] / means["seasonal_naive"]
    print(
        f"\nmean sMAPE, h=1-3, business series: model {means['model']:.2f}, last value "
        f"{means['last_value']:.2f}, seasonal naive {means['seasonal_naive']:.2f}; the model is "
        f"{gain:.1%} lower than seasonal naive; 80% interval coverage "
        f"{result['interval_coverage_80']:.3f}"
    )
    return 0


def _optional(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.model == "compliance":
        return _evaluate_compliance(args)
    if args.model == "invoice":
        return _evaluate_invoice(args)
    from deployments.fraud.evaluation import evaluate
    from deployments.fraud.predictor import FraudPredictor
    from deployments.fraud.training import EVAL_SEED, labelled_books
    from deployments.hosting.artifacts import load_artifact
    from kernel.tuning import FraudTuning, ModelsConfig

    models, manifest = load_artifact(
        args.models_dir or ModelsConfig().models_dir, "fraud", args.version
    )
    data = labelled_books(EVAL_SEED, args.businesses)
    print(
        f"fraud {manifest.version} on {args.businesses} held-out businesses "
        f"(seed {EVAL_SEED}, never used in training)"
    )
    for threshold in (0.5, 0.7):
        tuning = FraudTuning(model_version=args.version, min_confidence=threshold)
        report = evaluate(FraudPredictor(models, tuning), data)
        print(f"\nreported at confidence >= {threshold}")
        print(f"{'type':<26}{'precision':>10}{'recall':>8}{'tp':>6}{'fp':>5}{'fn':>5}{'pr_auc':>8}")
        for kind, row in report.items():
            print(
                f"{kind:<26}{row['precision']:>10.4f}{row['recall']:>8.4f}"
                f"{row['true_positives']:>6}{row['false_positives']:>5}"
                f"{row['false_negatives']:>5}{_optional(row.get('pr_auc')):>8}"
            )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serve_app.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("env", help="write a development .env").set_defaults(run=cmd_env)
    sub.add_parser("migrate", help="apply migrations to the configured store").set_defaults(
        run=cmd_migrate
    )
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
    token.add_argument("--service", action="store_true", help="a service_role token")
    token.set_defaults(run=cmd_token)
    helps = {
        "train": "train the models (fraud, insights, compliance, invoice or all)",
        "evaluate": "fraud: precision/recall on held-out books; compliance: on labelled invoices",
        "backtest": "rolling-origin backtest of the insights forecasts",
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
        "--model", choices=("fraud", "insights", "compliance", "invoice", "all"), default="all"
    )
    sub.choices["evaluate"].add_argument(
        "--model", choices=("fraud", "compliance", "invoice"), default="fraud"
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
