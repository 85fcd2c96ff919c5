"""From a parsed sentence to a draft invoice of this business: the customer matched to its own
customers, items matched to its products and past invoice lines for default prices, units and
tax rates, and the totals. Pure: no Ray, no I/O (the ingress passes the catalogue in).

Two tax conventions exist in the app: invoice items (its invoice form) tax the pre-discount
line value; the live NLP screen taxes the value after discount. `tax_after_discount` selects.
"""

from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import fuzz, process

from deployments.invoice.parser import InvoiceParser
from kernel.model_io import Catalogue, Draft, DraftLine, ParsedInvoice, ParsedItem

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


def _best(name: str, choices: dict[str, str]) -> list[tuple[str, float, str]]:
    """(choice label, score, key) best first, by token-set similarity of canonical names."""
    found = process.extract(
        canonical(name), {k: canonical(v) for k, v in choices.items()}, scorer=fuzz.WRatio, limit=3
    )
    return [(choices[key], float(score), str(key)) for _, score, key in found]


def draft(
    parser: InvoiceParser,
    text: str,
    today: dt.date,
    catalogue: Catalogue,
    use_business_data: bool,
) -> tuple[ParsedInvoice, Draft]:
    """What InvoiceDeployment.draft answers: the text parsed, then resolved against the
    business's catalogue (an empty one, or none used, on the public routes)."""
    parsed = parser.parse(text, today)
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
        customers = {str(c["id"]): str(c["name"]) for c in catalogue.customers}
        exact = [k for k, v in customers.items() if canonical(v) == canonical(parsed.customer)]
        ranked = _best(parsed.customer, customers) if customers and not exact else []
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
    known = catalogue if use_business_data else Catalogue()
    lines = [_line(item, parsed, known, suggestions) for item in parsed.items]
    if not lines:
        errors.append("No items found in the text")
        suggestions.append('List items with quantity and price, e.g. "10 bags cement @ 350"')
    for line in lines:
        if line.unit_price <= 0:
            errors.append(f"Price missing for {line.name}")
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
    item: ParsedItem, parsed: ParsedInvoice, catalogue: Catalogue, suggestions: list[str]
) -> DraftLine:
    products = {str(p["id"]): str(p["name"]) for p in catalogue.products}
    product = None
    if products:
        ranked = _best(item.name, products)
        if ranked and ranked[0][1] >= MATCH:
            product = next(p for p in catalogue.products if str(p["id"]) == ranked[0][2])
    past = [
        row
        for row in catalogue.past_items
        if str(row.get("name", "")).lower()
        == (str(product["name"]).lower() if product else item.name.lower())
    ]
    last = past[-1] if past else None
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
