"""The costliest input found for each route, next to its bound: a text route answers any input
it takes in at most 1 s of CPU on one core; a photo in at most 15 s and 600 MiB. Prints a table;
asserts nothing (tests/app/test_bounded_cost.py bounds the same paths by counted work).

    .venv/bin/python bench/worst_inputs.py [--examples 40] [--photos 8] [--only text|photos]

Candidates per route: a hand-built adversarial family at the route's limits, then a hypothesis
search over the property tests' strategies (testkit/adversarial.py) steered by `target()`
towards the most CPU. Text routes run here, through the HTTP app (TestClient) with the real
predictors in-process as the app tier runs them (the small models the tests train, ~30 s; the
shipped ones differ in weights, not in code paths), the demo books in a SQLite file: CPU is
time.process_time over the request (every thread: the app's and the model's), memory the peak
tracemalloc sees during a second run of the worst input. Each photo is read as the OCR replica
reads it, in a fresh process (bench/worst_photos.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import strategies as st

from bench.worst_photos import photo_table

MIB = 1024 * 1024
TEXT_CPU_S = 1.0
UUID = "3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c"


@dataclass
class Route:
    name: str
    caps: str
    send: Callable[[Any], Any]
    """Sends one candidate input, returns the response."""
    family: list[tuple[str, Any]]
    """Hand-built adversarial inputs: (what it is, the input)."""
    strategy: st.SearchStrategy[Any] | None = None


@dataclass
class Found:
    what: str
    cpu_s: float
    status: int
    peak_mib: float = 0.0


def text_family(limit: int) -> list[tuple[str, str]]:
    """The shapes that made the readers slow, each at the route's limit."""
    from testkit import adversarial

    rows = "\n".join([" ".join(["7"] * 12)] * (limit // 24))
    return [
        ("one row of bare numbers", " ".join(["7"] * (limit // 2))),
        ("rows of 12 numbers no triple of which agrees", rows[:limit]),
        ("thousands of short number rows", ("7 7 7\n" * limit)[:limit]),
        (
            "a table header, then thousands of rows",
            ("Item Qty Rate Amount\n" + "a 1 2 2\n" * limit)[:limit],
        ),
        ("an item repeated", ("cement 10 bags 350, " * limit)[:limit]),
        (
            "a quantity and price per item, repeated",
            ("cement 10 sand 20 brick 30 " * limit)[:limit],
        ),
        ("one long word", "a" * limit),
        ("one long number", "9" * limit),
        ("Indian digit groups, one long run", ("1" + ",11" * limit)[:limit]),
        ("combining marks", (("a" + "\u0301" * 60 + " ") * limit)[:limit]),
        ("Devanagari and Latin mixed", ((" ".join(adversarial.WORDS) + " ") * limit)[:limit]),
        ("control characters", ("\x00\x1b[31m\u202e\r\n7 " * limit)[:limit]),
        ("18x longer once normalised", "\ufdfa" * limit),
        ("punctuation, one token a character", ("., " * limit)[:limit]),
        ("x filler before the numbers", ("x " * (limit // 2 - 10) + "10 20 200")[:limit]),
    ]


def measured(send: Callable[[Any], Any], given_input: Any) -> tuple[float, int]:
    started = time.process_time()
    response = send(given_input)
    return time.process_time() - started, response.status_code


def peak_mib(send: Callable[[Any], Any], given_input: Any) -> float:
    tracemalloc.start()
    try:
        send(given_input)
        return tracemalloc.get_traced_memory()[1] / MIB
    finally:
        tracemalloc.stop()


def search(route: Route, examples: int) -> Found:
    """The costliest of the route's family and of a targeted hypothesis search."""
    seen: list[tuple[float, str, Any, int]] = []
    for what, candidate in route.family:
        cpu, status = measured(route.send, candidate)
        seen.append((cpu, what, candidate, status))
    if route.strategy is not None and examples:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.target],
            suppress_health_check=list(HealthCheck),
        )
        @given(candidate=route.strategy)
        def costly(candidate: Any) -> None:
            cpu, status = measured(route.send, candidate)
            seen.append((cpu, "found by search: " + describe(candidate), candidate, status))
            target(cpu)

        costly()
    # A first measure can catch a collection or a cold cache: the five costliest are measured
    # three times more, and the one whose median is highest is the worst found.
    remeasured = [
        (statistics.median([cpu, *(measured(route.send, given)[0] for _ in range(3))]), what,
         given, status)
        for cpu, what, given, status in sorted(seen, key=lambda s: -s[0])[:5]
    ]  # fmt: skip
    cpu, what, worst, status = max(remeasured, key=lambda s: s[0])
    return Found(what, cpu, status, peak_mib(route.send, worst))


def describe(candidate: Any) -> str:
    if isinstance(candidate, str):
        return f"{len(candidate):,} characters: {candidate[:40]!r}"
    text = json.dumps(candidate, ensure_ascii=True)
    return f"{len(text):,} bytes of JSON: {text[:40]}"


def text_routes(client: Any, headers: dict[str, str], business: str, database: Path) -> list[Route]:
    from bench.common import touch
    from testkit import adversarial

    def post(path: str, authorised: bool = True) -> Callable[[dict[str, Any]], Any]:
        return lambda body: client.post(path, json=body, headers=headers if authorised else None)

    parse, screen = (
        post("/api/v1/nlp/parse-invoice", False),
        post("/api/nlp/process-invoice", False),
    )
    generate, chat = post("/api/v1/invoice/generate"), post("/api/v1/generate/text")
    bill = "make a bill for Zorawar Textiles, "

    def texts(limit: int) -> list[tuple[str, str]]:
        return text_family(limit)

    def fresh(send: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """The books changed first (as a new entry would), so the analysis is computed."""

        def sent(given_input: Any) -> Any:
            touch(database, business)
            return send(given_input)

        return sent

    def item(name: str) -> dict[str, Any]:
        return {"name": name, "hsn_code": None, "quantity": 1, "unit_price": 10, "tax_rate": 18}

    def txn(i: int, description: str) -> dict[str, Any]:
        return {
            "type": "expense",
            "amount": 100 + i % 97,
            "date": f"2026-06-{1 + i % 28:02d}T0{i % 10}:00:00",
            "payment_mode": "cash",
            "description": description,
        }

    names = [(what, text[:200]) for what, text in texts(200)]
    return [
        Route(
            "POST /api/v1/nlp/parse-invoice (public)",
            "10,000 chars; rows: last 12 numbers; 1,000 tokens; 100 items",
            lambda text: parse({"text": text}),
            texts(10_000),
            adversarial.texts(10_000),
        ),
        Route(
            "POST /api/nlp/process-invoice (public)",
            "2,000 chars; as above",
            lambda text: screen({"text": text}),
            texts(2_000),
            adversarial.texts(2_000),
        ),
        Route(
            "POST /api/v1/invoice/generate",
            "2,000 chars; as above; catalogue indexed once",
            lambda text: generate({"raw_input": text, "business_id": business, "save_draft": True}),
            texts(2_000),
            adversarial.texts(2_000),
        ),
        Route(
            "POST /api/v1/generate/text (chat)",
            "4,000 chars; a bill 2,000 (longer: 422)",
            lambda text: chat({"prompt": text, "context": {"business_id": business}}),
            [
                *texts(4_000),
                *[
                    (f"a bill request, {what}", (bill + text)[:2_000])
                    for what, text in texts(2_000)
                ],
            ],
            adversarial.texts(4_000),
        ),
        Route(
            "POST /api/v1/compliance/validate",
            "500 items, names 200 chars; one model call",
            lambda items: post("/api/v1/compliance/validate")(
                {"invoice_number": "INV-1", "invoice_date": "2026-01-05", "items": items}
            ),
            [(f"500 items named: {what}", [item(name)] * 500) for what, name in names],
            st.lists(
                st.one_of(adversarial.texts(200), st.just("cement")), min_size=1, max_size=500
            ).map(lambda ns: [item(n or "x") for n in ns]),
        ),
        Route(
            "POST /api/v1/fraud/score",
            "1,000 + 5,000 history",
            lambda body: post("/api/v1/fraud/score")(body),
            [
                (
                    "1,000 to score and 5,000 of history (the most a 1 MB body holds)",
                    {
                        "transactions": [txn(i, "d") for i in range(1000)],
                        "history": [txn(i, "h") for i in range(5000)],
                    },
                )
            ],
            None,
        ),
        Route(
            "POST /api/v1/insights/forecast",
            "240 months, horizon 4",
            lambda body: post("/api/v1/insights/forecast")(body),
            [
                (
                    f"240 months of {kind}",
                    {
                        "horizon": 4,
                        "series": [
                            {"month": f"{2006 + i // 12}-{1 + i % 12:02d}-01", "value": value(i)}
                            for i in range(240)
                        ],
                    },
                )
                for kind, value in [
                    ("zeros", lambda i: 0.0 * i),
                    ("a spike a year", lambda i: 1e13 if i % 12 == 0 else 1.0),
                    ("growth", lambda i: 1000.0 * 1.05**i),
                ]
            ],
            None,
        ),
        Route(
            "GET /api/v1/compliance/gstin/{gstin}",
            "32 chars",
            lambda gstin: client.get(f"/api/v1/compliance/gstin/{gstin}", headers=headers),
            [("32 characters", "27AAPFU0939F1ZV" * 2 + "AB"), ("a valid GSTIN", "27AAPFU0939F1ZV")],
            None,
        ),
        Route(
            "POST /api/v1/feedback/structured",
            "comment 2,000 chars (Clean)",
            lambda body: post("/api/v1/feedback/structured")(body),
            [
                (
                    "a 2,000-character comment on no prediction",
                    {
                        "id": "fb",
                        "feedback_type": "fraud_alert",
                        "entity_id": "fa-none",
                        "helpful": True,
                        "comment": "c" * 2000,
                        "submitted_at": "2026-01-01T00:00:00",
                    },
                )
            ],
            None,
        ),
        Route(
            "POST /api/v1/fraud/analyze (books)",
            "the business's books; 10 s a model call",
            fresh(post("/api/v1/fraud/analyze")),
            [("the demo business (18 months)", {"business_id": business})],
            None,
        ),
        Route(
            "GET /api/v1/insights/{id} (books)",
            "the business's books; 10 s a model call",
            fresh(lambda _: client.get(f"/api/v1/insights/{business}", headers=headers)),
            [("the demo business (18 months)", None)],
            None,
        ),
    ]


def app() -> tuple[Any, dict[str, str], str, Path]:
    from fastapi.testclient import TestClient

    from kernel.models.assistant import ASSISTANT
    from kernel.models.compliance import COMPLIANCE
    from kernel.models.fraud import FRAUD
    from kernel.models.insights import INSIGHTS
    from kernel.models.invoice import INVOICE
    from kernel.models.ocr import OCR
    from serve_app.api import create_api
    from serve_app.components import build_components
    from serve_app.infra.telemetry import InProcessTelemetry
    from testkit import factories
    from testkit.fakes import local
    from testkit.stores import seeded_store, settings_for

    database = Path(tempfile.mkdtemp(prefix="worst-inputs-")) / "app.db"
    env = {"RATE_LIMIT_PER_USER": "100000", "RATE_LIMIT_PER_ADDRESS": "100000"}
    settings = settings_for(database, **env)

    async def seed() -> None:
        await (await seeded_store(settings)).close()

    asyncio.run(seed())
    parts = build_components(
        settings,
        local(FRAUD, factories.predictor()),
        local(INSIGHTS, factories.insights_predictor()),
        local(COMPLIANCE, factories.compliance_checker()),
        local(INVOICE, factories.invoice_drafter()),
        local(ASSISTANT, factories.assistant_predictor()),
        local(OCR, factories.ocr_predictor()),
        telemetry=InProcessTelemetry(),
    )
    client = TestClient(create_api(lambda: parts, settings))
    client.__enter__()
    return client, factories.owner_headers(), factories.business_id(), database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=40, help="hypothesis examples a route")
    parser.add_argument("--photos", type=int, default=8, help="photos drawn from the strategy")
    parser.add_argument("--only", choices=["text", "photos"], help="one half of the table")
    args = parser.parse_args()
    print(f"# worst inputs found, {time.strftime('%Y-%m-%d')}, one process on this machine")
    if args.only != "photos":
        text_table(args.examples)
    if args.only != "text":
        photo_table(args.photos)


def text_table(examples: int) -> None:
    client, headers, business, database = app()
    print(
        f"\n| route | enforced caps | worst input found | CPU s (bound {TEXT_CPU_S:g}) "
        "| peak MiB (tracemalloc) | status |"
    )
    print("|---|---|---|---|---|---|")
    for route in text_routes(client, headers, business, database):
        found = search(route, examples)
        flag = "" if found.cpu_s <= TEXT_CPU_S else " OVER"
        print(
            f"| {route.name} | {route.caps} | {found.what} | {found.cpu_s:.3f}{flag} "
            f"| {found.peak_mib:.1f} | {found.status} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
