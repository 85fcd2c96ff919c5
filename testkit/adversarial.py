"""Inputs written to cost the most: hypothesis strategies of texts and photos that the routes
accept, shaped like what makes a reader slow (the property tests in
tests/app/test_bounded_cost.py and bench/worst_inputs.py share them).

Texts: rows of bare numbers (a triple search per row), thousands of short lines, an item
pattern repeated, one long token, combining marks, Devanagari mixed with Latin, control
characters, characters that Unicode normalisation lengthens 18 times. Photos: tall, narrow,
huge and tiny, in PNG, JPEG and WebP, blank, dotted or printed, within the route's body cap.
"""

from __future__ import annotations

import io

import numpy as np
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from testkit.images import FONT

NUMBER = st.one_of(
    st.integers(0, 99_999).map(str),
    st.sampled_from(["7", "1,11,111", "12,34,567.50", "99.99", "0", "1,000"]),
)
SHORT_LINES = ["a 1 2 2", "1", "x", "7 7 7", "Total 5", "Item Qty Rate Amount", "Date 1/1/26"]
ITEM_PATTERNS = [
    "cement 10 bags 350, ",
    "10 x 20 = 200\n",
    "Rice 5 kg @ 60 = 300\n",
    "Sharma ko 10 bori 350 ",
    "2k ",
    "due in 15 days, ",
    "1.5 lakh ",
    "Invoice No: 12  Date: 04/01/2026\n",
]
LONG_PIECES = ["a", "1", ",11", ".", "-", "₹", "7 ", "x ", "/", "ab-"]
WORDS = ["शर्मा", "ट्रेडर्स", "को", "10", "बोरी", "सीमेंट", "350", "रुपये", "cement", "bags",
         "Ram", "ji", "नकद", "UPI", "५०", "किलो", "Total", "GST", "18%"]  # fmt: skip
CONTROL = ["\x00", "\x1b[31m", "\u202e", "\r\n", "\x7f", "\u200b", "\ufeff", "\x0c", "\t"]
BIG_NUMBER_SHAPES = [
    "Invoice for Ram, 10 bags cement at {} each",
    "bill Ram {} bags cement at 350",
    "Invoice for Ram, 2 sand at 500, {}% discount, GST {}%",
    "Cement  10  {}  3,850.00\nSand  2  50.00  100.00\nTotal  {}",
    "Invoice for Ram, cement 10 bags at 350, due in {} days",
]
LONGER_WHEN_NORMALISED = ["\ufdfa", "\u3300", "\u33ff", "\ufb03", "①", "Ａ"]


def _repeated(pieces: list[str], most: int) -> st.SearchStrategy[str]:
    return st.builds(lambda p, n: p * n, st.sampled_from(pieces), st.integers(1, most))


def texts(limit: int) -> st.SearchStrategy[str]:
    """Texts of 1 to `limit` characters (the route's own limit), each shaped to cost."""
    rows = st.lists(st.lists(NUMBER, min_size=1, max_size=limit // 3).map(" ".join),
                    min_size=1, max_size=20).map("\n".join)  # fmt: skip
    disagreeing = st.builds(  # no three of them make quantity x rate = amount: every triple tried
        lambda number, n, rows: "\n".join([" ".join([number] * n)] * rows),
        st.sampled_from(["7", "99991", "13.5", "1,11,111"]),
        st.one_of(st.sampled_from([limit // 2, limit // 8, 40]), st.integers(3, limit // 2)),
        st.integers(1, 3),
    )
    lines = st.builds(
        lambda line, n: "\n".join([line] * n), st.sampled_from(SHORT_LINES), st.integers(1, limit)
    )
    items = _repeated(ITEM_PATTERNS, limit)
    long_token = _repeated(LONG_PIECES, limit)
    combining = st.builds(lambda n, k: ("a" + "\u0301" * k + " ") * n,
                          st.integers(1, 200), st.integers(1, 60))  # fmt: skip
    mixed = st.lists(st.sampled_from(WORDS), min_size=1, max_size=limit // 2).map(" ".join)
    control = st.lists(
        st.one_of(st.sampled_from(CONTROL), st.sampled_from(WORDS)), min_size=1, max_size=limit
    ).map("".join)
    longer = _repeated(LONGER_WHEN_NORMALISED, limit)
    huge_numbers = st.builds(  # a price, quantity or percentage no float or column holds
        lambda shape, n: shape.replace("{}", "9" * n),
        st.sampled_from(BIG_NUMBER_SHAPES),
        st.one_of(st.sampled_from([13, 16, 400]), st.integers(1, 1000)),
    )
    anything = st.text(min_size=1, max_size=min(limit, 2000))
    family = st.one_of(
        rows,
        disagreeing,
        lines,
        items,
        long_token,
        combining,
        mixed,
        control,
        longer,
        huge_numbers,
        anything,
    )
    return st.lists(family, min_size=1, max_size=3).map("\n".join).map(lambda t: t[:limit])


def _image(width: int, height: int, content: str, seed: int) -> Image.Image:
    if content == "dots":
        rng = np.random.default_rng(seed)
        return Image.fromarray(
            np.where(rng.random((height, width)) < 0.02, 0, 255).astype(np.uint8)
        )
    image = Image.new("L", (width, height), 255)
    if content == "print":
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(FONT, max(8, min(40, width // 30)))
        for y in range(10, height - 10, max(20, height // 40)):
            draw.text((10, y), "Cement Bag  10  385.00  3,850.00", fill=0, font=font)
    return image


def encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **({"quality": 80} if kind == "JPEG" else {}))
    return out.getvalue()


SHAPES = {
    "tall": (st.integers(16, 300), st.integers(2, 30)),
    "narrow": (st.integers(16, 300), st.integers(2, 30)),
    "huge": (st.integers(3000, 5000), st.just(1)),
    "tiny": (st.integers(1, 24), st.integers(1, 3)),
    "photo": (st.integers(600, 1920), st.just(1)),
}


def photo(
    width: int, height: int, kind: str, content: str, seed: int = 0
) -> tuple[bytes, int, str]:
    """(encoded image, its pixels, what it is)."""
    image = _image(width, height, content, seed)
    return encode(image, kind), width * height, f"{width}x{height} {kind} {content}"


WORST_PHOTOS = [
    photo(5000, 5000, "PNG", "blank"),  # the most pixels the header may claim, decoded whole
    photo(300, 7500, "JPEG", "print"),  # 1:25, enlarged for small print, then straightened
    photo(2828, 2828, "WEBP", "dots"),  # the largest WebP read
]
"""The shapes the cleanup's caps are for, each at its limit."""


@st.composite
def photos(draw: st.DrawFn) -> tuple[bytes, int, str]:
    """(encoded image, its pixels, what it is): the shapes that cost the most to clean up."""
    shape = draw(st.sampled_from(sorted(SHAPES)))
    side, aspect = (draw(s) for s in SHAPES[shape])
    width, height = side, side * aspect
    if shape == "narrow":
        width, height = height, width
    if shape == "photo":
        height = side * 3 // 4
    kind = draw(st.sampled_from(["PNG", "JPEG", "WEBP"]))
    if shape == "huge":
        kind = "PNG" if kind == "WEBP" else kind  # a WebP this large is refused from its header
    content = "blank" if shape == "huge" else draw(st.sampled_from(["blank", "dots", "print"]))
    return photo(width, height, kind, content, draw(st.integers(0, 9)))
