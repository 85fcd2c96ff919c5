"""The load the same-run benchmarks send: one request body per model endpoint (its single-request
form), wrk scripts that carry them, a wrk run as numbers, and the CPU each part of a server used
per request during a run."""

from __future__ import annotations

import base64
import functools
import json
import subprocess
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from bench.common import TXN
from bench.servers import Demo, Server, cpu_by_pid

CONCURRENCY = (1, 8, 32, 64)
INVOICE = {
    "invoice_number": "INV-0101",
    "invoice_date": "2025-10-15",
    "business_gstin": "27AAPFU0939F1ZV",
    "customer_name": "Walk-in customer",
    "items": [
        {
            "name": "Cement OPC 53",
            "hsn_code": "252329",
            "quantity": 100,
            "unit_price": 365,
            "tax_rate": 28,
        }
    ],
    "subtotal": 36500,
    "tax_amount": 10220,
    "total_amount": 46720,
}
SERIES = {
    "series": [
        {"month": f"{2024 + (m // 12)}-{m % 12 + 1:02d}-01", "value": 100_000.0 + 1_500 * m}
        for m in range(24)
    ],
    "horizon": 3,
}


# -- load ---------------------------------------------------------------------------------------
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "status_errors": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
"""


def wrk_script(folder: Path, name: str, body: dict[str, Any], token: str) -> Path:
    path = folder / f"{name}.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        f"wrk.body = [==[{json.dumps(body)}]==]\n" + WRK_DONE
    )
    return path


def wrk(url: str, script: Path, clients: int, seconds: float) -> dict[str, Any]:
    result = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "10s", "--latency", "-s",
         str(script), url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    seconds_run = stats["duration_us"] / 1e6
    return {
        "req_s": round(stats["requests"] / seconds_run, 1),
        "p50_ms": round(stats["p50_us"] / 1000, 1),
        "p99_ms": round(stats["p99_us"] / 1000, 1),
        "errors": stats["errors"],
        "requests": stats["requests"],
    }


def measured(server: Server, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`run`'s load numbers plus the CPU each part of the server used per request."""
    assert server.process is not None
    root = psutil.Process(server.process.pid)
    before = cpu_by_pid(root)
    point = run()
    after = cpu_by_pid(root)
    used: dict[str, float] = defaultdict(float)
    for pid, (name, seconds) in after.items():
        used[name] += seconds - before.get(pid, (name, 0.0))[1]
    done = max(point["requests"], 1)
    point["cpu_ms_per_req"] = {
        name: round(s * 1000 / done, 2) for name, s in sorted(used.items()) if s > 0.0005
    }
    point["cpu_ms_per_req_total"] = round(sum(used.values()) * 1000 / done, 2)
    return point


@functools.cache
def photo() -> str:
    """A photographed invoice from the OCR evaluation (a GST tax invoice, 1400x1000 JPEG), as
    the app sends it."""
    from eval_world.scanned_invoices import generate

    return base64.b64encode(generate(1)[0].jpeg).decode()


def endpoints(demo: Demo) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "fraud score": ("/api/v1/fraud/score", {"transactions": [TXN]}),
        "compliance validate": ("/api/v1/compliance/validate", INVOICE),
        "insights forecast": ("/api/v1/insights/forecast", SERIES),
        "assistant text": (
            "/api/v1/generate/text",
            {"prompt": "who owes me the most?", "context": {"business_id": demo.business_id}},
        ),
        "invoice generate": (
            "/api/v1/invoice/generate",
            {
                "raw_input": "Invoice for Kapoor Electricals, 4 box LED bulb at 480 each, UPI",
                "business_id": demo.business_id,
                "save_draft": False,
            },
        ),
        "ocr extract": ("/api/v1/ocr/extract-text", {"image": photo(), "format": "base64"}),
    }
