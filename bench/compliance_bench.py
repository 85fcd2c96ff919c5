"""Compliance latency: the checker in-process over demo invoices, then POST /api/v1/compliance/
check (stored invoice, cold and cached) and /validate (inline) through a real local Ray Serve
app (SQLite demo books, in-process cache). Prints numbers; asserts nothing.

    .venv/bin/python bench/compliance_bench.py [--requests 100]

Uses var/models/*/v1 (`make train`). Starts its own local Ray and stops it.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.common import DEMO_END, MODELS, SECRET, percentile, served_app
from demo_data.generate import generate_dataset
from deployments.compliance.checker import ComplianceChecker
from deployments.hosting.artifacts import load_artifact
from kernel.models.compliance import ComplianceTuning
from serve_app import serve_config
from serve_app.infra.auth import mint_token
from serve_app.infra.store_interface import InvoiceRows
from serve_app.services.compliance_facts import facts_from_rows

INLINE = {
    "invoice_number": "INV-0101",
    "invoice_date": "2025-10-15",
    "business_gstin": "27AAPFU0939F1ZV",
    "customer_name": "Sharma Hardware Stores",
    "customer_gstin": "27AABCS1429B1ZB",
    "items": [
        {"name": "Cement OPC 53", "hsn_code": "252329", "quantity": 100, "unit_price": 365,
         "tax_rate": 28},
        {"name": "Marie biscuit pack", "hsn_code": "1905", "quantity": 10, "unit_price": 30,
         "tax_rate": 18},
    ],
    "subtotal": 36800,
    "tax_amount": 10274,
    "total_amount": 47074,
}  # fmt: skip


def in_process() -> list[str]:
    model, manifest = load_artifact(MODELS, "compliance", "v1")
    checker = ComplianceChecker(model, serve_config.load().tuning(ComplianceTuning))
    generated = generate_dataset(42, 1, DEMO_END)[0]
    items = collections.defaultdict(list)
    for item in generated.invoice_items:
        items[item["invoice_id"]].append(item)
    parties = {p["id"]: p for p in generated.customers + generated.suppliers}
    sales = [i for i in generated.invoices if i["invoice_type"] == "customer"]
    facts = [
        facts_from_rows(
            InvoiceRows(
                inv,
                items[inv["id"]],
                generated.business,
                parties.get(inv["customer_id"] or inv["supplier_id"]),
                sales,
            )
        )
        for inv in generated.invoices
    ]
    runs = []
    for fact in facts:
        started = time.perf_counter()
        checker.check(fact, DEMO_END)
        runs.append((time.perf_counter() - started) * 1000)
    print(f"model {manifest.version} ({manifest.sha256[:12]}), in-process, 1 OMP thread")
    print(
        f"  check {len(facts)} demo invoices: median {statistics.median(runs):.2f} ms, "
        f"p99 {percentile(runs, 0.99):.2f} ms per invoice"
    )
    return [str(i["id"]) for i in sales[:20]]


def over_http(base: str, owner: str, invoice_ids: list[str], requests: int) -> None:
    headers = {"Authorization": f"Bearer {mint_token(SECRET, owner)}"}
    print("through Ray Serve (proxy -> Ingress -> ComplianceDeployment), SQLite, memory cache")
    with httpx.Client(base_url=base, timeout=60) as client:
        for label, path, bodies in (
            (
                "check, first time",
                "/api/v1/compliance/check",
                [{"invoice_id": i} for i in invoice_ids],
            ),
            ("check, cached", "/api/v1/compliance/check", [{"invoice_id": i} for i in invoice_ids]),
            ("validate inline", "/api/v1/compliance/validate", [INLINE] * requests),
        ):
            runs = []
            for body in bodies:
                started = time.perf_counter()
                response = client.post(path, json=body, headers=headers)
                runs.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text
            print(
                f"  {label:<18} n={len(runs):>3}  p50 {percentile(runs, 0.5):6.1f} ms  "
                f"p99 {percentile(runs, 0.99):6.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    invoice_ids = in_process()
    with served_app() as app:
        owner = next(
            o for b, o in app.businesses if b == generate_dataset(42, 1, DEMO_END)[0].business["id"]
        )
        over_http(app.base_url, owner, invoice_ids, args.requests)


if __name__ == "__main__":
    main()
