"""The invoice model's seam: a sentence (or a printed bill's text) drafted into an invoice
against the business's catalogue (`draft`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, Field

from kernel.models import ModelInfo, Seam
from kernel.tuning import ModelTuning


class ParsedItem(BaseModel):
    name: str
    quantity: float = 1.0
    quantity_stated: bool = True
    unit: str | None = None
    unit_price: float | None = None
    confidence: float = 0.0
    tax_rate: float | None = None
    """As printed on the row (a bill's GST % column); a sentence leaves it to the invoice."""
    hsn_code: str | None = None


class PrintedInvoice(BaseModel):
    """What a printed bill states about itself, beyond its party and items."""

    invoice_number: str | None = None
    invoice_date: dt.date | None = None
    total_amount: float | None = None
    tax_amount: float | None = None


class ParsedInvoice(BaseModel):
    """What a sentence says, before it is matched to the business's customers and products."""

    text: str
    customer: str | None = None
    items: list[ParsedItem] = Field(default_factory=list)
    tax_rate: float | None = None
    discount_percent: float | None = None
    due_date: dt.date | None = None
    payment_mode: str | None = None
    notes: list[str] = Field(default_factory=list)
    """Clauses that are neither the customer, items, amounts nor dates ("UPI link attached")."""
    intent_confidence: float = 0.0
    extraction_confidence: float = 0.0
    model_version: str = ""
    """The parser that read it (for the audit trail, without a second call to ask)."""
    printed: PrintedInvoice | None = None
    """Set when the text was a printed invoice (OCR of a photo), not a sentence."""


@dataclass(frozen=True)
class Catalogue:
    """What the business already has: customers, products and recent invoice lines."""

    customers: Sequence[dict[str, object]] = ()
    products: Sequence[dict[str, object]] = ()
    past_items: Sequence[dict[str, object]] = ()


@dataclass
class DraftLine:
    name: str
    quantity: float
    unit_price: float
    tax_rate: float
    unit: str | None = None
    product_id: str | None = None
    hsn_code: str | None = None
    default_rate: bool = False
    """The rate is the app's default slab: nothing (text, product, past line) gave one."""

    @property
    def total_price(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass
class Draft:
    customer_name: str | None
    customer_id: str | None
    customer_gstin: str | None
    lines: list[DraftLine]
    discount_percent: float
    due_date: dt.date
    due_stated: bool
    payment_mode: str | None
    confidence: float
    errors: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    printed: PrintedInvoice | None = None
    """A printed bill's own number, date and totals (OCR), kept as printed."""

    def totals(self, tax_after_discount: bool = False) -> dict[str, float]:
        subtotal = round(sum(line.total_price for line in self.lines), 2)
        discount = round(subtotal * self.discount_percent / 100, 2)
        factor = (1 - self.discount_percent / 100) if tax_after_discount else 1.0
        tax = round(sum(line.total_price * factor * line.tax_rate / 100 for line in self.lines), 2)
        return {
            "subtotal": subtotal,
            "discount_amount": discount,
            "tax_amount": tax,
            "total_amount": round(subtotal + tax - discount, 2),
        }


class InvoiceTuning(ModelTuning):
    """The parser has no thresholds yet: the version is its whole configuration."""


class InvoiceModel(Protocol):
    async def draft(
        self, text: str, today: dt.date, catalogue: Catalogue, use_business_data: bool
    ) -> tuple[ParsedInvoice, Draft]: ...
    async def info(self) -> ModelInfo: ...


def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
    """Field F1 on the held-out generated prompts, averaged over the fields."""
    f1 = metrics.get("f1_generated_held_out")
    return sum(f1.values()) / len(f1) if isinstance(f1, dict) and f1 else None


INVOICE: Seam[InvoiceModel] = Seam(
    "invoice", "InvoiceDeployment", InvoiceTuning, InvoiceModel, held_out_accuracy
)
