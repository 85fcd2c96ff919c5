"""Printed invoices photographed by a phone: the OCR evaluation set.

Each invoice is drawn with Pillow in one of four shop layouts (a GST tax invoice with a ruled
table, a retail bill, an "INVOICE" with a GST column, a small counter receipt), in fonts Debian
installs (DejaVu; Lohit Devanagari for party names written in Hindi), then photographed the way
the FinEasy client sends it: turned a little, blurred, lit unevenly, shrunk to fit 1920x1080 and
saved as a JPEG at quality 85 or less. What was printed is kept as the truth: its text (for the
character error rate) and its fields (party, invoice number, date, line items, total).

Independent of the OCR and invoice-parsing code (the import rule of eval_world): nothing here is
read by training, and no rule of the parser was written from these layouts' wording. Seeded, so
`fineasy evaluate --model ocr` scores the same images every time.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEED = 7717
FONTS = Path("/usr/share/fonts/truetype")
LATIN = {
    "sans": FONTS / "dejavu/DejaVuSans.ttf",
    "sans-bold": FONTS / "dejavu/DejaVuSans-Bold.ttf",
    "serif": FONTS / "dejavu/DejaVuSerif.ttf",
    "mono": FONTS / "dejavu/DejaVuSansMono.ttf",
    "condensed": FONTS / "dejavu/DejaVuSansCondensed.ttf",
}
DEVANAGARI = FONTS / "lohit-devanagari/Lohit-Devanagari.ttf"

SELLERS = [
    ("Shree Balaji Hardware", "Station Road, Nashik"),
    ("New Krishna Traders", "Main Bazar, Hisar"),
    ("Om Sai Electricals", "MG Road, Indore"),
    ("Maa Durga Building Material", "Ring Road, Raipur"),
    ("Ganesh Kirana Bhandar", "Sadar Bazar, Agra"),
    ("Royal Paints & Sanitary", "Civil Lines, Jaipur"),
    ("Bharat Steel Corporation", "GT Road, Ludhiana"),
    ("Annapurna Provision Store", "Gandhi Chowk, Nagpur"),
    ("Kaveri Agencies", "Market Yard, Mysuru"),
    ("Deep Medical & General Stores", "Tilak Nagar, Kanpur"),
]
PARTIES_EN = [
    "Sharma Constructions",
    "Gupta & Sons",
    "R.K. Enterprises",
    "Verma Electricals",
    "Patel Dairy Farm",
    "Hotel Shivam Palace",
    "Mehta Builders Pvt Ltd",
    "Singh Auto Works",
    "Joshi Sweets",
    "Agarwal Textiles",
    "Reddy Infra Projects",
    "Kumar Tent House",
    "Sai Krupa Hospital",
    "Iyer Catering Services",
    "Deshmukh Farms",
    "Khan Motors",
]
PARTIES_HI = [
    "शर्मा ट्रेडर्स",
    "गुप्ता किराना स्टोर",
    "वर्मा इलेक्ट्रिकल्स",
    "यादव डेयरी",
    "मिश्रा जनरल स्टोर",
    "चौधरी कंस्ट्रक्शन",
    "अग्रवाल वस्त्र भंडार",
    "पांडे मेडिकल",
    "सिंह ऑटो पार्ट्स",
    "जैन हार्डवेयर",
]
GOODS = [  # name, HSN, GST %, price range, unit
    ("Cement OPC 53 Grade", "2523", 28, (340, 420), "bag"),
    ("TMT Bar 12mm", "7214", 18, (52, 68), "kg"),
    ("Wall Putty 40kg", "3214", 18, (650, 900), "bag"),
    ("Emulsion Paint 20L", "3209", 18, (2800, 5200), "pc"),
    ("PVC Pipe 4 inch", "3917", 18, (380, 620), "pc"),
    ("LED Bulb 9W", "8539", 18, (65, 120), "pc"),
    ("Copper Wire 1.5mm", "8544", 18, (1150, 1650), "roll"),
    ("Ceiling Fan", "8414", 18, (1450, 2600), "pc"),
    ("Basmati Rice", "1006", 5, (85, 140), "kg"),
    ("Sugar", "1701", 5, (40, 48), "kg"),
    ("Mustard Oil 1L", "1514", 5, (140, 185), "pc"),
    ("Toor Dal", "0713", 0, (110, 160), "kg"),
    ("Tea Leaves 1kg", "0902", 5, (320, 520), "pack"),
    ("Detergent Powder", "3402", 18, (95, 240), "pack"),
    ("Notebook A4", "4820", 12, (35, 80), "pc"),
    ("Steel Almirah", "9403", 18, (7800, 12500), "pc"),
    ("Water Tank 1000L", "3925", 18, (5200, 7900), "pc"),
    ("Sand (per cft)", "2505", 5, (45, 70), "cft"),
    ("Bricks", "6901", 5, (7, 11), "pc"),
    ("Paracetamol 500 Strip", "3004", 12, (18, 35), "strip"),
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Line:
    name: str
    hsn: str
    quantity: int
    unit_price: float
    tax_rate: int

    @property
    def amount(self) -> float:
        return round(self.quantity * self.unit_price, 2)


@dataclass
class ScannedInvoice:
    """One photographed invoice: the JPEG the client would send and what was printed."""

    key: str
    layout: str
    hindi_party: bool
    party: str
    invoice_number: str
    date: dt.date
    lines: list[Line]
    total: float
    text: str
    """The printed text, one printed line per line, columns separated by two spaces."""
    jpeg: bytes = b""
    degradations: dict[str, float] = field(default_factory=dict)


def money(value: float) -> str:
    """Indian grouping: 1,23,456.00."""
    whole, paise = f"{value:.2f}".split(".")
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join([*groups, tail]) + "." + paise if groups else f"{tail}.{paise}"


def _date_text(day: dt.date, style: int) -> str:
    return [
        f"{day:%d/%m/%Y}",
        f"{day:%d-%m-%Y}",
        f"{day:%d.%m.%Y}",
        f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}",
        f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year % 100:02d}",
    ][style]


def _number(rng: random.Random, layout: str) -> str:
    n = rng.randint(1, 2999)
    fy = rng.choice(["24-25", "25-26"])
    return {
        "tax": rng.choice([f"INV/{fy}/{n:04d}", f"GST-{n:05d}", f"TI/{n}/{fy}"]),
        "retail": rng.choice([f"{n}", f"B-{n}", f"CB{n:04d}"]),
        "gst_column": rng.choice([f"INV-{2025}-{n:04d}", f"{n:04d}/{fy}", f"SI{n:05d}"]),
        "receipt": rng.choice([f"R{n:05d}", f"{n}", f"CM-{n:04d}"]),
    }[layout]


def _gstin(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    pan = "".join(rng.choice(letters) for _ in range(5)) + f"{rng.randint(1000, 9999)}"
    return f"{rng.randint(1, 37):02d}{pan}{rng.choice(letters)}1Z{rng.choice('0123456789ABC')}"


class _Page:
    """A white page that records what is drawn, line by line, as the truth text."""

    def __init__(self, width: int, font: str, size: int) -> None:
        self.width, self.size, self.font_name = width, size, font
        self.image = Image.new("L", (width, 4000), 255)
        self.draw = ImageDraw.Draw(self.image)
        self.y = 40
        self.margin = 48
        self.lines: list[str] = []

    def font(self, bold: bool = False, scale: float = 1.0) -> ImageFont.FreeTypeFont:
        name = "sans-bold" if bold else self.font_name
        return ImageFont.truetype(str(LATIN[name]), round(self.size * scale))

    def row(self, cells: list[tuple[float, str, str]], bold: bool = False, scale: float = 1.0,
            hindi: str = "") -> None:  # fmt: skip
        """`cells`: (x as a share of the width, text, "l"/"r"/"c"). `hindi` marks the cell text
        drawn with the Devanagari font."""
        font = self.font(bold, scale)
        deva = ImageFont.truetype(str(DEVANAGARI), round(self.size * scale * 1.05))
        for x, text, align in cells:
            face = deva if hindi and text == hindi else font
            width = self.draw.textlength(text, font=face)
            left = self.margin + x * (self.width - 2 * self.margin)
            if align == "r":
                left -= width
            elif align == "c":
                left -= width / 2
            self.draw.text((left, self.y), text, fill=0, font=face)
        self.lines.append("  ".join(text for _, text, _ in cells if text))
        self.y += round(self.size * scale * 1.65)

    def rule(self) -> None:
        self.draw.line(
            [(self.margin, self.y - 6), (self.width - self.margin, self.y - 6)], fill=60, width=2
        )
        self.y += 6

    def space(self, share: float = 0.6) -> None:
        self.y += round(self.size * share)

    def done(self) -> Image.Image:
        return self.image.crop((0, 0, self.width, self.y + 40))


def _draw(inv: ScannedInvoice, seller: tuple[str, str], rng: random.Random) -> Image.Image:
    style = rng.randrange(5)
    font = rng.choice(["sans", "serif", "mono", "condensed"])
    page = _Page(rng.choice([1100, 1200, 1300]), font, rng.choice([24, 26, 28]))
    hindi = inv.party if inv.hindi_party else ""
    when = _date_text(inv.date, style)
    subtotal = round(sum(line.amount for line in inv.lines), 2)
    taxes: dict[int, float] = {}
    for line in inv.lines:
        taxes[line.tax_rate] = taxes.get(line.tax_rate, 0.0) + line.amount * line.tax_rate / 100
    if inv.layout == "tax":
        page.row([(0.5, seller[0], "c")], bold=True, scale=1.35)
        page.row([(0.5, seller[1], "c")])
        page.row([(0.5, f"GSTIN: {_gstin(rng)}", "c")])
        page.space()
        page.row([(0.5, "TAX INVOICE", "c")], bold=True, scale=1.1)
        page.row([(0.0, f"Invoice No: {inv.invoice_number}", "l"), (1.0, f"Date: {when}", "r")])
        page.row([(0.0, "Bill To:", "l"), (0.2, inv.party, "l")], hindi=hindi)
        page.space()
        page.rule()
        header = [(0.0, "S.No", "l"), (0.08, "Description", "l"), (0.5, "HSN", "l"),
                  (0.68, "Qty", "r"), (0.82, "Rate", "r"), (1.0, "Amount", "r")]  # fmt: skip
        page.row(header, bold=True)
        page.rule()
        for i, line in enumerate(inv.lines, 1):
            page.row([(0.0, str(i), "l"), (0.08, line.name, "l"), (0.5, line.hsn, "l"),
                      (0.68, str(line.quantity), "r"), (0.82, money(line.unit_price), "r"),
                      (1.0, money(line.amount), "r")])  # fmt: skip
        page.rule()
        page.row([(0.6, "Sub Total", "l"), (1.0, money(subtotal), "r")])
        for rate, tax in sorted(taxes.items()):
            if rate:
                half = money(round(tax / 2, 2))
                page.row([(0.6, f"CGST @{rate / 2:g}%", "l"), (1.0, half, "r")])
                page.row([(0.6, f"SGST @{rate / 2:g}%", "l"), (1.0, half, "r")])
        page.row([(0.6, "Grand Total", "l"), (1.0, money(inv.total), "r")], bold=True)
        page.space()
        page.row([(0.0, "Thank you for your business!", "l")])
    elif inv.layout == "retail":
        page.row([(0.5, seller[0], "c")], bold=True, scale=1.3)
        page.row([(0.5, seller[1], "c")])
        page.space()
        page.row([(0.0, f"Bill No. {inv.invoice_number}", "l"), (1.0, f"Dt. {when}", "r")])
        page.row([(0.0, "M/s", "l"), (0.08, inv.party, "l")], hindi=hindi)
        page.rule()
        page.row([(0.0, "Item", "l"), (0.62, "Qty", "r"), (0.8, "Rate", "r"),
                  (1.0, "Amt", "r")], bold=True)  # fmt: skip
        page.rule()
        for line in inv.lines:
            page.row([(0.0, line.name, "l"), (0.62, str(line.quantity), "r"),
                      (0.8, money(line.unit_price), "r"),
                      (1.0, money(line.amount), "r")])  # fmt: skip
        page.rule()
        page.row([(0.0, "Total (incl. GST)", "l"), (1.0, money(inv.total), "r")], bold=True)
        page.space()
        page.row([(0.0, "Goods once sold will not be taken back", "l")])
    elif inv.layout == "gst_column":
        page.row([(0.0, "INVOICE", "l")], bold=True, scale=1.4)
        page.row([(0.0, seller[0], "l"), (1.0, f"GSTIN {_gstin(rng)}", "r")], bold=True)
        page.row([(0.0, seller[1], "l")])
        page.space()
        page.row([(0.0, f"Invoice #: {inv.invoice_number}", "l")])
        page.row([(0.0, f"Invoice Date: {when}", "l")])
        page.row([(0.0, "Buyer:", "l"), (0.14, inv.party, "l")], hindi=hindi)
        page.space()
        page.row([(0.0, "Particulars", "l"), (0.55, "Qty", "r"), (0.72, "Unit Price", "r"),
                  (0.82, "GST%", "r"), (1.0, "Total", "r")], bold=True)  # fmt: skip
        for line in inv.lines:
            page.row([(0.0, line.name, "l"), (0.55, str(line.quantity), "r"),
                      (0.72, money(line.unit_price), "r"), (0.82, f"{line.tax_rate}%", "r"),
                      (1.0, money(line.amount), "r")])  # fmt: skip
        page.space()
        page.row([(0.5, "Taxable Value", "l"), (1.0, money(subtotal), "r")])
        page.row([(0.5, "IGST", "l"), (1.0, money(round(sum(taxes.values()), 2)), "r")])
        page.row([(0.5, "Total Amount Rs.", "l"), (1.0, money(inv.total), "r")], bold=True)
    else:  # receipt: narrow, few columns
        page = _Page(rng.choice([700, 800]), "mono", rng.choice([24, 26]))
        page.row([(0.5, seller[0], "c")], bold=True)
        page.row([(0.5, seller[1], "c")])
        page.row([(0.0, f"Receipt: {inv.invoice_number}", "l")])
        page.row([(0.0, f"Date: {when}", "l")])
        page.row([(0.0, "Customer:", "l"), (0.32, inv.party, "l")], hindi=hindi)
        page.rule()
        for line in inv.lines:
            page.row([(0.0, line.name, "l")])
            page.row([(0.08, f"{line.quantity} x {money(line.unit_price)}", "l"),
                      (1.0, money(line.amount), "r")])  # fmt: skip
        page.rule()
        page.row([(0.0, "NET AMOUNT", "l"), (1.0, money(inv.total), "r")], bold=True)
    inv.text = "\n".join(page.lines)
    return page.done()


def _perspective(image: Image.Image, rng: random.Random, strength: float) -> Image.Image:
    """The page seen a little from one side: each corner moved by up to `strength` of the size."""
    w, h = image.size
    corners = [(0, 0), (w, 0), (w, h), (0, h)]
    moved = [(x + rng.uniform(-1, 1) * strength * w, y + rng.uniform(-1, 1) * strength * h)
             for x, y in corners]  # fmt: skip
    rows = []
    for (x, y), (u, v) in zip(corners, moved, strict=True):
        rows.append([u, v, 1, 0, 0, 0, -x * u, -x * v])
        rows.append([0, 0, 0, u, v, 1, -y * u, -y * v])
    target = [c for point in corners for c in point]
    coeffs = np.linalg.solve(np.array(rows, float), np.array(target, float))
    return image.transform(
        (w, h), Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BICUBIC, fillcolor=150
    )


def photograph(page: Image.Image, rng: random.Random) -> tuple[bytes, dict[str, float]]:
    """The page as a phone sees it: on a darker table, seen a little from the side and turned,
    lit from one side, a little out of focus, with sensor noise; shrunk to fit 1920x1080 (or
    1080x1920 when the photo is upright) and saved as a JPEG."""
    angle = rng.uniform(-6.0, 6.0)
    tilt = rng.choice([0.0, 0.0, 0.02, 0.04])
    blur = rng.choice([0.0, 0.6, 1.0, 1.4, 1.8])
    light = rng.uniform(0.45, 0.9)  # the darkest corner's share of the brightest
    quality = rng.choice([55, 70, 85])
    pad = rng.choice([60, 150, 300])  # how much table is in the frame around the page
    canvas = Image.new("L", (page.width + 2 * pad, page.height + 2 * pad), 150)
    canvas.paste(page, (pad, pad))
    if tilt:
        canvas = _perspective(canvas, rng, tilt)
    turned = canvas.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=150)
    pixels = np.asarray(turned, dtype=np.float32)
    h, w = pixels.shape
    ys, xs = np.mgrid[0:h, 0:w]
    ux, uy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    ramp = (xs / w - 0.5) * ux + (ys / h - 0.5) * uy
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    pixels = pixels * (light + (1.0 - light) * ramp)
    pixels += np.random.default_rng(rng.randrange(2**32)).normal(0, 4.0, pixels.shape)
    shot = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).convert("RGB")
    if blur:
        shot = shot.filter(ImageFilter.GaussianBlur(blur))
    long_side, short_side = max(shot.size), min(shot.size)
    scale = min(1.0, 1920 / long_side, 1080 / short_side)
    if scale < 1.0:
        shot = shot.resize(
            (round(shot.width * scale), round(shot.height * scale)), Image.Resampling.LANCZOS
        )
    out = io.BytesIO()
    shot.save(out, format="JPEG", quality=quality)
    return out.getvalue(), {
        "angle": round(angle, 2),
        "tilt": tilt,
        "blur": blur,
        "light": round(light, 2),
        "quality": quality,
        "scale": round(scale, 3),
    }


def generate(count: int = 120, seed: int = SEED, with_images: bool = True) -> list[ScannedInvoice]:
    """`count` invoices, the four layouts in turn, a third of the parties written in Hindi."""
    rng = random.Random(seed)
    layouts = ["tax", "retail", "gst_column", "receipt"]
    out = []
    for i in range(count):
        layout = layouts[i % len(layouts)]
        hindi = i % 3 == 2
        party = rng.choice(PARTIES_HI if hindi else PARTIES_EN)
        goods = rng.sample(GOODS, rng.randint(1, 5 if layout != "receipt" else 3))
        lines = [
            Line(name, hsn, rng.choice([1, 2, 3, 4, 5, 6, 10, 12, 20, 25, 50]),
                 float(rng.randint(*prices)), rate)
            for name, hsn, rate, prices, _unit in goods
        ]  # fmt: skip
        subtotal = sum(line.amount for line in lines)
        tax = sum(line.amount * line.tax_rate / 100 for line in lines)
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(600))
        inv = ScannedInvoice(
            key=f"scan-{i:03d}",
            layout=layout,
            hindi_party=hindi,
            party=party,
            invoice_number=_number(rng, layout),
            date=day,
            lines=lines,
            total=round(subtotal + tax, 2) if layout != "retail" else round(subtotal, 2),
            text="",
        )
        seller = rng.choice(SELLERS)
        page = _draw(inv, seller, rng)
        if with_images:  # its own random stream: the invoices are the same without images
            inv.jpeg, inv.degradations = photograph(page, random.Random(f"{seed}-photo-{i}"))
        out.append(inv)
    return out
