"""Small images for the OCR tests, drawn here (the evaluation's photographed invoices live in
eval_world and are only scored, never tested against)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BILL = [
    "Sharda Hardware Mart",
    "Invoice No: SH/0917  Date: 14/03/2026",
    "Bill To:  Naveen Constructions",
    "Item  Qty  Rate  Amount",
    "Cement Bag  10  385.00  3,850.00",
    "Grand Total  3,850.00",
]


def page(lines: list[str], size: int = 30, width: int = 1100, rule_under: int | None = None,
         angle: float = 0.0) -> Image.Image:  # fmt: skip
    """Black text on white, one line per entry; `rule_under`: a ruled line below that line."""
    font = ImageFont.truetype(FONT, size)
    image = Image.new("L", (width, 80 + len(lines) * size * 2), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        y = 40 + i * size * 2
        x = 40
        for cell in line.split("  "):
            draw.text((x, y), cell, fill=0, font=font)
            x += int(draw.textlength(cell, font=font)) + 3 * size
        if rule_under == i:
            draw.line([(30, y + size + 12), (width - 30, y + size + 12)], fill=0, width=3)
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return image


def encoded(image: Image.Image, kind: str = "JPEG", quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format=kind, **({"quality": quality} if kind == "JPEG" else {}))
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG whose header claims width x height pixels (1.6 billion by default) in a few hundred
    bytes: decoding it would take gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )
