"""The rate table in docs/compliance.md, written from kernel/data/gst_rates.csv so every row the
checker reads is in the document with its notification (`fineasy rates-doc`)."""

from __future__ import annotations

from pathlib import Path

from kernel import gst_rules
from kernel.paths import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "compliance.md"
BEGIN = "<!-- rate table: written by `fineasy rates-doc` from kernel/data/gst_rates.csv -->"
END = "<!-- end of the rate table -->"


def _price(row: gst_rules.RateRow) -> str:
    if row.max_unit_price is not None:
        return f"up to ₹{row.max_unit_price:g} a piece"
    if row.min_unit_price is not None:
        return f"from ₹{row.min_unit_price:g} a piece"
    return ""


def _cess(row: gst_rules.RateRow) -> str:
    if row.cess is None:
        return ""
    if row.cess == gst_rules.SPECIFIC_CESS:
        return "by quantity / price"
    low, high = row.cess
    return f"{low:g}%" if low == high else f"{low:g}-{high:g}%"


def table() -> str:
    lines = [
        "| item | HSN | rate | from | to | price | cess | scope | notification |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in gst_rules.rate_table():
        lines.append(
            f"| {row.description} (`{row.key}`) | {row.hsn} | {row.rate:g}% | "
            f"{row.effective_from:%d-%m-%Y} | "
            f"{row.effective_to.strftime('%d-%m-%Y') if row.effective_to else ''} | "
            f"{_price(row)} | {_cess(row)} | {row.scope} | {row.source} |"
        )
    return "\n".join(lines)


def rendered(text: str) -> str:
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def drifted(path: Path = DOC) -> bool:
    text = path.read_text()
    return BEGIN not in text or rendered(text) != text


def write(path: Path = DOC) -> None:
    path.write_text(rendered(path.read_text()))
