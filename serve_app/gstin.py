"""GSTIN check character (base-36, weights 1 and 2) and state codes. Pure."""

from __future__ import annotations

import re

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GSTIN_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
STATE_CODES = {
    "Jammu and Kashmir": "01",
    "Himachal Pradesh": "02",
    "Punjab": "03",
    "Chandigarh": "04",
    "Uttarakhand": "05",
    "Haryana": "06",
    "Delhi": "07",
    "Rajasthan": "08",
    "Uttar Pradesh": "09",
    "Bihar": "10",
    "West Bengal": "19",
    "Odisha": "21",
    "Chhattisgarh": "22",
    "Madhya Pradesh": "23",
    "Gujarat": "24",
    "Maharashtra": "27",
    "Karnataka": "29",
    "Goa": "30",
    "Kerala": "32",
    "Tamil Nadu": "33",
    "Telangana": "36",
    "Andhra Pradesh": "37",
}


def check_character(first14: str) -> str:
    total = 0
    for index, char in enumerate(first14.upper()):
        product = CHARSET.index(char) * (1 if index % 2 == 0 else 2)
        total += product // 36 + product % 36
    return CHARSET[(36 - total % 36) % 36]


def is_valid_gstin(gstin: str) -> bool:
    return bool(GSTIN_SHAPE.match(gstin)) and check_character(gstin[:14]) == gstin[14]
