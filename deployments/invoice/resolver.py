"""From a parsed sentence to a draft invoice of this business: the customer matched to its own
customers, items matched to its products and past invoice lines for default prices, units and
tax rates, and the totals. Pure: no Ray, no I/O (the ingress passes the catalogue in).

Two tax conventions exist in the app: invoice items (its invoice form) tax the pre-discount
line value; the live NLP screen taxes the value after discount. `tax_after_discount` selects.

Worst case: the catalogue is indexed once (canonical names, each item name's last line), then
each line (MAX_ITEMS at most) is matched against the products in rapidfuzz's C code: items x
products comparisons. The public routes pass no catalogue; /invoice/generate passes the
business's own (its customers and products, its last 2,000 invoice lines).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from deployments.invoice.parser import InvoiceModels, InvoiceParser
from deployments.invoice.text import MAX_AMOUNT, MAX_QUANTITY
from kernel.models.invoice import (
    Catalogue,
    Draft,
    DraftLine,
    InvoiceTuning,
    ParsedInvoice,
    ParsedItem,
)
from kernel.money import format_inr
from kernel.work import checkpoint

DEFAULT_TAX_RATE = 18.0
"""The app's default GST slab for a new line (its slab picker's default)."""
DEFAULT_TERMS_DAYS = 30
MATCH, AMBIGUOUS = 90.0, 80.0


def canonical(name: str) -> str:
    """A party name as compared: lower case, "and" / "n" / "&" one way ("Mohan Lal and Sons" is
    "Mohan Lal & Sons"), no dots or commas, single spaces."""
    text = re.sub(r"[.,]", " ", name.lower())
    text = re.sub(r"\s*&\s*|\s+(?:and|n)\s+", " & ", f" {text} ")
    return " ".join(text.split())


class Names:
    """A catalogue's names (id -> name), made canonical once for every line matched to them."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.canonical = {k: canonical(v) for k, v in names.items()}

    def best(self, name: str) -> list[tuple[str, float, str]]:
        """(name, score, id) best first (three at most), by similarity of canonical names."""
        found = process.extract(canonical(name), self.canonical, scorer=fuzz.WRatio, limit=3)
        return [(self.names[key], float(score), str(key)) for _, score, key in found]


@dataclass(frozen=True)
class _Business:
    """What a business sells and has billed, indexed once for all of a draft's lines: its
    products (by id, and their names), and each item name's last invoice line."""

    products: dict[str, dict[str, object]]
    names: Names
    last_lines: dict[str, dict[str, object]]

    @classmethod
    def of(cls, catalogue: Catalogue) -> _Business:
        products = {str(p["id"]): p for p in catalogue.products}
        names = Names({key: str(p["name"]) for key, p in products.items()})
        last_lines = {str(row.get("name", "")).lower(): row for row in catalogue.past_items}
        return cls(products, names, last_lines)


class InvoiceDrafter:
    """The invoice model's predictor, what InvoiceDeployment serves: a text parsed
    (InvoiceParser), then resolved against the business's catalogue (an empty one, or none
    used, on the public routes)."""

    def __init__(self, models: InvoiceModels, tuning: InvoiceTuning | None = None) -> None:
        self.parser = InvoiceParser(models, tuning)

    @property
    def version(self) -> str:
        return self.parser.version

    @property
    def tuning(self) -> InvoiceTuning | None:
        return self.parser.tuning

    @tuning.setter
    def tuning(self, tuning: InvoiceTuning | None) -> None:
        self.parser.tuning = tuning

    def draft(
        self, text: str, today: dt.date, catalogue: Catalogue, use_business_data: bool
    ) -> tuple[ParsedInvoice, Draft]:
        parsed = self.parser.parse(text, today)
        return parsed, resolve(parsed, catalogue, today, use_business_data)


def resolve(
    parsed: ParsedInvoice, catalogue: Catalogue, today: dt.date, use_business_data: bool = True
) -> Draft:
    errors: list[str] = []
    suggestions: list[str] = []
    notes: list[str] = list(parsed.notes)
    scores = [parsed.extraction_confidence, parsed.intent_confidence]
    customer_name, customer_id, gstin = parsed.customer, None, None
    if parsed.intent_confidence < 0.5:
        errors.append("This does not look like an invoice request")
        suggestions.append('Try: "Invoice for Rajesh Traders, 10 bags cement @ 350, UPI"')
    if not parsed.customer:
        errors.append("Customer not found in the text")
        suggestions.append('Name the customer, e.g. "for Rajesh Traders"')
    elif use_business_data:
        customers = Names({str(c["id"]): str(c["name"]) for c in catalogue.customers})
        wanted = canonical(parsed.customer)
        exact = [k for k, v in customers.canonical.items() if v == wanted]
        ranked = customers.best(parsed.customer) if customers.names and not exact else []
        if exact:
            customer_id = exact[0]
        elif (
            ranked
            and ranked[0][1] >= MATCH
            and (len(ranked) == 1 or ranked[0][1] - ranked[1][1] >= 5)
        ):
            customer_id = ranked[0][2]
            suggestions.append(f"Matched '{parsed.customer}' to your customer {ranked[0][0]}")
            scores.append(ranked[0][1] / 100)
        elif ranked and ranked[0][1] >= AMBIGUOUS:
            close = [label for label, score, _ in ranked if score >= AMBIGUOUS]
            errors.append(f"Customer not found: {parsed.customer}")
            suggestions.append("Did you mean " + " or ".join(close) + "?")
            scores.append(0.5)
        else:
            suggestions.append(f"New customer: {parsed.customer}")
            notes.append(f"New customer: {parsed.customer}")
        if customer_id is not None:
            row = next(c for c in catalogue.customers if str(c["id"]) == customer_id)
            customer_name = str(row["name"])
            gstin = str(row["gst_number"]) if row.get("gst_number") else None
    business = _Business.of(catalogue if use_business_data else Catalogue())
    lines = [_line(item, parsed, business, suggestions) for item in parsed.items]
    if not lines:
        errors.append("No items found in the text")
        suggestions.append('List items with quantity and price, e.g. "10 bags cement @ 350"')
    for line in lines:
        if line.unit_price <= 0:
            errors.append(f"Price missing for {line.name}")
    if any(line.quantity > MAX_QUANTITY for line in lines) or (
        sum(line.total_price for line in lines) > MAX_AMOUNT
    ):
        most = format_inr(MAX_AMOUNT, rupees_only=True)
        errors.append(f"The amounts are more than a bill holds ({most} in all)")
    issued = parsed.printed.invoice_date if parsed.printed else None
    due = parsed.due_date or (issued or today) + dt.timedelta(days=DEFAULT_TERMS_DAYS)
    return Draft(
        customer_name=customer_name,
        customer_id=customer_id,
        customer_gstin=gstin,
        lines=lines,
        discount_percent=parsed.discount_percent or 0.0,
        due_date=due,
        due_stated=parsed.due_date is not None,
        payment_mode=parsed.payment_mode,
        confidence=round(min(scores) if errors else sum(scores) / len(scores), 3),
        errors=errors,
        suggestions=suggestions,
        notes=notes,
        printed=parsed.printed,
    )


def _line(
    item: ParsedItem,
    parsed: ParsedInvoice,
    business: _Business,
    suggestions: list[str],
) -> DraftLine:
    checkpoint(len(business.products) + 1)
    product = None
    if business.products:
        ranked = business.names.best(item.name)
        if ranked and ranked[0][1] >= MATCH:
            product = business.products[ranked[0][2]]
    last = business.last_lines.get(str(product["name"]).lower() if product else item.name.lower())
    price = item.unit_price
    if price is None and product is not None and product.get("selling_price"):
        price = float(product["selling_price"])  # type: ignore[arg-type]
        suggestions.append(f"Used the listed price of {product['name']}: ₹{price:g}")
    elif price is None and last is not None:
        price = float(last["unit_price"])  # type: ignore[arg-type]
        suggestions.append(f"Used the last price billed for {item.name}: ₹{price:g}")
    tax = item.tax_rate if item.tax_rate is not None else parsed.tax_rate
    known = tax is not None or (last is not None and last.get("tax_rate") is not None)
    if tax is None:
        tax = float(last["tax_rate"]) if known and last else DEFAULT_TAX_RATE  # type: ignore[arg-type]
    return DraftLine(
        name=str(product["name"]) if product else item.name,
        quantity=item.quantity,
        unit_price=float(price or 0.0),
        tax_rate=tax,
        unit=item.unit or (str(product["unit"]) if product and product.get("unit") else None),
        product_id=str(product["id"]) if product else None,
        hsn_code=item.hsn_code
        or (str(last["hsn_code"]) if last is not None and last.get("hsn_code") else None),
        default_rate=not known,
    )
