"""A printed invoice's text (what OCR reads off a photo, line by line) -> the invoice it is.
Plain functions, no Ray, no model: a printed bill states its fields with labels and its items
as rows of numbers that must agree (quantity x rate = amount), so rules read it more surely
than the sentence tagger, which was trained on what owners type.

Read from the lines:
- the invoice number and date from their labels ("Invoice No:", "Bill No.", "Inv #",
  "Receipt:", "Date:", "Dt.", "Dated"), any date style Indian bills print (04/01/2026,
  04-01-26, 04.01.2026, 04 Jan 2026, 04-Jan-26, 2026-01-04); with no date label, the first date;
- the party from "Bill To", "Billed To", "Buyer", "Customer", "Party", "Client", "Patient",
  "Sold To", "Consignee", "Name", "M/s" (on the label's line, or the next line when the label
  stands alone);
- item rows: a name followed by numbers of which three agree as quantity x rate = amount
  (columns between them, such as HSN codes and GST %, are kept when recognised); a row of
  numbers with no name ("20 x 121.00  2,420.00") takes the line above as its name; inside a
  table under a header row, a row whose numbers do not agree (an OCR misreading) still counts,
  read from the right as quantity, rate, amount;
- the total from "Grand Total", "Net Amount", "Total Amount", "Amount Payable", or a plain
  "Total" line; the tax from CGST/SGST/IGST lines.

Worst case, linear in the text: at most MAX_TEXT_CHARS characters are read (after Unicode
normalisation, which can lengthen a text); each line is read by a fixed number of regular
expressions, none of which can backtrack further than its own line (repetitions that could
are bounded: NUMBER's Indian groups, the name's trailing columns, found by one scan); a row's
triple (quantity x rate = amount) is searched among its last MAX_ROW_NUMBERS numbers only, at
most 220 triples a line however many numbers it has. Work is counted at checkpoints
(kernel/work.py): characters per line, triples tried per row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from deployments.invoice.text import (
    MAX_ITEMS,
    MAX_TEXT_CHARS,
    TOO_MANY_ITEMS,
    UNITS,
    parse_date,
    visible,
)
from kernel.models.invoice import ParsedInvoice, ParsedItem, PrintedInvoice
from kernel.work import checkpoint

NUMBER = re.compile(
    r"(?<![\w/.-])(?:₹|rs\.?\s*)?"
    r"(?P<n>\d{1,3}(?:,\d{2}){0,6},\d{3}(?:\.\d{1,2})?|\d+(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d+)?)"
    r"(?P<pct>\s*%)?(?![\w/-]|\.\d)",
    re.IGNORECASE,
)
"""A number as bills print it: Indian (1,25,000) or international (125,000) grouping. The
Indian groups are bounded (up to 10^17): unbounded, "1,11,11,11..." made every number on a line
rescan the rest of it."""
MAX_DIGITS = 15
"""Longer runs of digits (an account or phone number, a barcode) are no quantity or amount."""
MAX_ROW_NUMBERS = 12
"""The numbers of a row among which quantity x rate = amount is looked for: its last twelve,
which hold every column a printed bill has after the item's name (serial, HSN, quantity, unit
price, discount, taxable value, GST rate and amounts, total). 220 triples at most."""
LABEL_NUMBER = re.compile(
    r"\b(?:tax\s+)?(?:invoice|inv|bill|receipt|voucher|memo|challan)\.?\s*"
    r"(?:no\b\.?|number\b|num\b|#)?\s*[:.,#-]?\s*(?P<v>[A-Za-z0-9][A-Za-z0-9/_.-]*[A-Za-z0-9])",
    re.IGNORECASE,
)
LABEL_DATE = re.compile(r"\b(?:invoice\s+date|bill\s+date|date|dated|dt)\b\s*[:.,-]?\s*(?P<v>.+)",
                        re.IGNORECASE)  # fmt: skip
LABEL_PARTY = re.compile(
    r"^\s*(?:bill(?:ed)?\s+to|buyer(?:'s)?(?:\s+name)?|customer(?:\s+name)?|party(?:\s+name)?|"
    r"client(?:\s+name)?|patient(?:\s+name)?|"
    r"sold\s+to|consignee|name|m\s*[/il1|]\s*s\.?|to)\s*[:.,-]?(?:\s+|$)(?P<v>.*)$",
    re.IGNORECASE,
)
PARTY_TAIL = re.compile(r"\s{2,}|\b(?:gstin|gst no|ph|phone|mob|mobile|state)\b.*$", re.IGNORECASE)
TOTALS = [  # (label, priority): the highest found is the invoice's total
    (re.compile(r"\bgrand\s*total\b", re.IGNORECASE), 4),
    (re.compile(r"\b(?:net\s*(?:amount|amt|payable|total)|amount\s*payable|total\s*payable|"
                r"total\s*amount|invoice\s*(?:total|value)|bill\s*amount)\b", re.IGNORECASE), 3),
    (re.compile(r"^\s*total\b(?!\s*(?:qty|quantity|items?|tax|gst)\b)", re.IGNORECASE), 2),
]  # fmt: skip
SUBTOTAL = re.compile(r"\b(?:sub\s*-?\s*total|taxable\s*(?:value|amount|amt))\b", re.IGNORECASE)
TAX_LINE = re.compile(r"\b(?:c|s|i|u)?gst\b|\bvat\b", re.IGNORECASE)
HEADER_WORDS = {"qty", "quantity", "rate", "price", "amount", "amt", "description",
                "particulars", "item", "items", "hsn", "sac", "unit", "mrp", "total", "gst%",
                "s.no", "sr"}  # fmt: skip
SERIAL = re.compile(r"^\s*(?:\d{1,3}[.)]?|[a-z][.)])\s+(?=[^\W\d_]{2})", re.IGNORECASE)
"""A row's serial number ("1  Cement", "2.  Sand"), not a quantity ("20 x 121.00")."""
LABELLED = re.compile(
    r"\b(?:invoice|bill|receipt|date|dt|gstin|total|buyer|customer|m/s|qty|rate|amount)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Number:
    value: float
    start: int
    end: int
    percent: bool
    integer: bool


def clean_lines(raw: str) -> list[str]:
    """Each line as `invoice_text.clean` would leave it, the lines kept: compatibility forms
    folded, Devanagari digits as ASCII, control characters out; runs of spaces kept at two (a
    table's column gap), as OCR writes them. The first MAX_TEXT_CHARS characters only."""
    out, left = [], MAX_TEXT_CHARS
    for line in raw[:MAX_TEXT_CHARS].splitlines():
        checkpoint(len(line) + 1)
        shown = re.sub(r" {3,}", "  ", visible(line.replace("\t", "  "))[:left]).strip()
        shown = re.sub(r"(?<=\d) ?([.,]) ?(?=\d)", r"\1", shown)  # OCR's "44 ,060 .00"
        if shown:
            out.append(shown)
            left -= len(shown)
            if left <= 0:
                break
    return out


def looks_printed(raw: str) -> bool:
    """Several lines, and labels or rows of numbers a printed bill has: not a sentence."""
    lines = clean_lines(raw)
    if len(lines) < 3:
        return False
    labelled = sum(bool(LABELLED.search(line)) for line in lines)
    rows = sum(len(_numbers(line)) >= 2 for line in lines)
    return labelled >= 2 or rows >= 2


def _numbers(line: str) -> list[_Number]:
    out = []
    for match in NUMBER.finditer(line):
        text = match.group("n")
        if sum(c.isdigit() for c in text) > MAX_DIGITS:
            continue
        out.append(
            _Number(
                float(text.replace(",", "")),
                match.start(),
                match.end(),
                bool(match.group("pct")),
                "." not in text,
            )
        )
    return out


def _invoice_number(lines: list[str]) -> str | None:
    for line in lines:
        for match in LABEL_NUMBER.finditer(line):
            value = match.group("v")
            if any(c.isdigit() for c in value) and parse_date(value) is None:
                return value
    return None


def _invoice_date(lines: list[str]) -> dt.date | None:
    for line in lines:
        for match in LABEL_DATE.finditer(line):
            found = parse_date(match.group("v"))
            if found is not None:
                return found
    return next((d for line in lines if (d := parse_date(line)) is not None), None)


def _party(lines: list[str]) -> str | None:
    for i, line in enumerate(lines):
        match = LABEL_PARTY.match(line)
        if match is None:
            continue
        value = re.sub(r"^\([^)]*\)", "", match.group("v").strip()).strip()  # "Buyer (Bill to)"
        if not value and i + 1 < len(lines):
            below = LABEL_PARTY.match(lines[i + 1])  # "Bill to" above "M/s Lakshmi Agro"
            value = below.group("v") if below and below.group("v").strip() else lines[i + 1]
        value = PARTY_TAIL.split(value.lstrip(" _—–-:.,|"), maxsplit=1)[0].strip(" :,.-")
        if value and re.search(r"[^\W\d_]", value) and not _numbers(value[:3]):
            return value
    return None


def _amount(line: str) -> float | None:
    values = [n.value for n in _numbers(line) if not n.percent]
    return values[-1] if values else None


def _total(lines: list[str]) -> float | None:
    best: tuple[int, float] | None = None
    for line in lines:
        if SUBTOTAL.search(line):
            continue
        for pattern, priority in TOTALS:
            if pattern.search(line) and (amount := _amount(line)) is not None:
                if best is None or priority >= best[0]:
                    best = (priority, amount)
                break
    return best[1] if best else None


def _tax(lines: list[str]) -> float | None:
    amounts = [
        amount
        for line in lines
        if TAX_LINE.search(line) and not LABELLED.search(line.replace("GST", "").replace("gst", ""))
        and (amount := _amount(line)) is not None
    ]  # fmt: skip
    return round(sum(amounts), 2) if amounts else None


def _agrees(quantity: float, rate: float, amount: float) -> bool:
    return quantity > 0 and abs(quantity * rate - amount) <= max(1.0, 0.005 * amount)


FILLER = re.compile(r"^(?:x|\*|×|@|rs\.?|₹|/-|nos?\.?|-|\|)$", re.IGNORECASE)
"""Tokens between a row's numbers that are not a column of their own."""


def _row(line: str, in_table: bool) -> tuple[str, ParsedItem] | None:
    """(the name as printed, the item) when the line is an item row."""
    line = SERIAL.sub("", line)
    numbers = _numbers(line)
    plain = [n for n in numbers if not n.percent]
    if len(plain) < 2:
        return None
    chosen = _triple(plain[-MAX_ROW_NUMBERS:])
    confidence = 0.95
    if chosen is None:
        if not in_table or len(plain) < 3:
            return None
        chosen = (plain[-3], plain[-2], plain[-1])
        confidence = 0.5
    quantity, rate, _ = chosen
    unit_match = re.match(r"\s*([A-Za-z]+)\.?(?=\s|$)", line[quantity.end :])
    unit = UNITS.get(unit_match.group(1).lower()) if unit_match else None
    # The name is what comes before the quantity, less the columns between them (an HSN code,
    # "x", "@") and a stray mark before a column gap at its start (a table's edge, misread).
    name_end = quantity.start
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", line[:name_end])]
    while words and (FILLER.match(words[-1][1]) or re.fullmatch(r"\d{4,8}", words[-1][1])):
        name_end = words.pop()[0]
    head = line[:name_end]
    name = re.sub(r"^\S{1,2}\s{2,}", "", head.strip()).strip(" :-|,.")
    if not re.search(r"[^\W\d_]{2}", name):
        name = ""
    hsn = next(
        (line[n.start : n.end] for n in plain
         if n.integer and 4 <= n.end - n.start <= 8 and name_end <= n.start < quantity.start),
        None,
    )  # fmt: skip
    percent = next((n.value for n in numbers if n.percent and n.start > name_end), None)
    return name, ParsedItem(
        name=name or "Item",
        quantity=quantity.value,
        unit=unit,
        unit_price=rate.value,
        tax_rate=percent,
        hsn_code=hsn,
        confidence=confidence,
    )


def _triple(plain: list[_Number]) -> tuple[_Number, _Number, _Number] | None:
    """Quantity x rate = amount among `plain`, in order, the amount as far right as possible
    (then the rate, then the quantity); cubic in len(plain), which _row bounds."""
    tried = 0
    try:
        for k in range(len(plain) - 1, 1, -1):
            for j in range(k - 1, 0, -1):
                for i in range(j - 1, -1, -1):
                    tried += 1
                    if _agrees(plain[i].value, plain[j].value, plain[k].value):
                        return plain[i], plain[j], plain[k]
        return None
    finally:
        checkpoint(tried)


def _items(lines: list[str]) -> list[ParsedItem]:
    items: list[ParsedItem] = []
    in_table = False
    for i, line in enumerate(lines):
        words = {w.lower().strip(":.") for w in re.split(r"\s+", line)}
        if len(words & HEADER_WORDS) >= 2 and len(_numbers(line)) == 0:
            in_table = True
            continue
        if (SUBTOTAL.search(line) or any(p.search(line) for p, _ in TOTALS)) and items:
            in_table = False
            continue
        if LABEL_NUMBER.search(line) and parse_date(line) is not None:
            continue  # "Invoice No: 12  Date: 04/01/2026": no item however the numbers fall
        found = _row(line, in_table)
        if found is None:
            continue
        name, item = found
        above = lines[i - 1] if i > 0 else ""
        if not name and above and _row(above, False) is None and not LABELLED.search(above):
            item = item.model_copy(update={"name": SERIAL.sub("", above).strip(" :-|")})
        if item.name == "Item" and not in_table:
            continue
        items.append(item)
        if len(items) > MAX_ITEMS:
            break
    return items


def parse_document(raw: str) -> ParsedInvoice:
    lines = clean_lines(raw)
    items = _items(lines)
    rates = {item.tax_rate for item in items}
    tax = _tax(lines)
    printed = PrintedInvoice(
        invoice_number=_invoice_number(lines),
        invoice_date=_invoice_date(lines),
        total_amount=_total(lines),
        tax_amount=tax,
    )
    slabs = {float(m) for line in lines if TAX_LINE.search(line)
             for m in re.findall(r"@\s*(\d+(?:\.\d+)?)\s*%", line)}  # fmt: skip
    # CGST @9% + SGST @9% on every line: the items' rate is 18% when the bill has one slab
    shared = 2 * next(iter(slabs)) if len(slabs) == 1 and rates == {None} else None
    if shared is not None:
        items = [item.model_copy(update={"tax_rate": shared}) for item in items]
    said = [TOO_MANY_ITEMS] if len(items) > MAX_ITEMS else []
    items = items[:MAX_ITEMS]
    confidences = [item.confidence for item in items]
    return ParsedInvoice(
        text="\n".join(lines),
        customer=_party(lines),
        items=items,
        notes=said,
        intent_confidence=1.0 if items else 0.0,
        extraction_confidence=round(sum(confidences) / len(confidences), 3) if items else 0.0,
        printed=printed,
    )
