"""GSTIN: structure, state codes, embedded PAN, check character (base-36, weights 1 and 2),
and a plain explanation of what a GSTIN says and why it is invalid. Pure.

Layout (15 characters): 2-digit state code, 10-character PAN of the registrant, 1 entity number
(1-9 then A-Z: the registrant's n-th registration in that state), the letter Z by default, and
a check character over the first 14.

Worst case, linear in the text: explain() makes one pass of a few anchored patterns over it (the
route refuses more than 32 characters); a state is found in an address by one search per state
name (45) over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GSTIN_SHAPE = re.compile(r"^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$")
PAN_SHAPE = re.compile(r"^[A-Z]{5}[0-9]{4}[A-Z]$")
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
    "Sikkim": "11",
    "Arunachal Pradesh": "12",
    "Nagaland": "13",
    "Manipur": "14",
    "Mizoram": "15",
    "Tripura": "16",
    "Meghalaya": "17",
    "Assam": "18",
    "West Bengal": "19",
    "Jharkhand": "20",
    "Odisha": "21",
    "Chhattisgarh": "22",
    "Madhya Pradesh": "23",
    "Gujarat": "24",
    "Dadra and Nagar Haveli and Daman and Diu": "26",
    "Maharashtra": "27",
    "Karnataka": "29",
    "Goa": "30",
    "Lakshadweep": "31",
    "Kerala": "32",
    "Tamil Nadu": "33",
    "Puducherry": "34",
    "Andaman and Nicobar Islands": "35",
    "Telangana": "36",
    "Andhra Pradesh": "37",
    "Ladakh": "38",
}
"""GST state/UT codes as the GST portal lists them. 25 (Daman and Diu) was merged into 26 in 2020;
28 was Andhra Pradesh before 2014 and is still seen on old registrations."""
SPECIAL_CODES = {
    "25": "Daman and Diu (merged into 26 from 2020)",
    "28": "Andhra Pradesh (old code, before 2014)",
    "97": "Other Territory",
    "99": "Centre Jurisdiction",
}
STATE_NAMES = {code: name for name, code in STATE_CODES.items()}
STATE_ALIASES = {
    "orissa": "Odisha",
    "pondicherry": "Puducherry",
    "new delhi": "Delhi",
    "nct of delhi": "Delhi",
    "j&k": "Jammu and Kashmir",
    "daman and diu": "Dadra and Nagar Haveli and Daman and Diu",
    "dadra and nagar haveli": "Dadra and Nagar Haveli and Daman and Diu",
    "uttaranchal": "Uttarakhand",
}
PAN_HOLDERS = {
    "P": "an individual (proprietorship)",
    "C": "a company",
    "H": "a Hindu Undivided Family (HUF)",
    "F": "a firm or LLP",
    "A": "an association of persons",
    "T": "a trust",
    "B": "a body of individuals",
    "L": "a local authority",
    "J": "an artificial juridical person",
    "G": "a government body",
}


def check_character(first14: str) -> str:
    total = 0
    for index, char in enumerate(first14.upper()):
        product = CHARSET.index(char) * (1 if index % 2 == 0 else 2)
        total += product // 36 + product % 36
    return CHARSET[(36 - total % 36) % 36]


def is_valid_gstin(gstin: str) -> bool:
    return bool(GSTIN_SHAPE.match(gstin)) and check_character(gstin[:14]) == gstin[14]


def state_code_of(name: str | None) -> str | None:
    """The GST state code of a state written by a person ("Maharashtra", "orissa", "27")."""
    if not name:
        return None
    text = name.strip()
    if re.fullmatch(r"\d{2}", text) and (text in STATE_NAMES or text in SPECIAL_CODES):
        return text
    canonical = STATE_ALIASES.get(text.lower(), text)
    return next((c for n, c in STATE_CODES.items() if n.lower() == canonical.lower()), None)


def state_in_address(address: str | None) -> str | None:
    """The state code of the first state name found in a free-text address, if any."""
    if not address:
        return None
    lowered = address.lower()
    names = sorted(
        [*STATE_CODES, *STATE_ALIASES], key=len, reverse=True
    )  # "West Bengal" before "Bengal"-like overlaps
    for name in names:
        if re.search(rf"\b{re.escape(name.lower())}\b", lowered):
            return state_code_of(STATE_ALIASES.get(name, name))
    return None


@dataclass
class GstinReport:
    gstin: str
    valid: bool
    problems: list[str] = field(default_factory=list)
    state_code: str | None = None
    state: str | None = None
    pan: str | None = None
    holder: str | None = None
    registration_number: int | None = None
    check_character_expected: str | None = None

    def explanation(self) -> str:
        if self.valid:
            return (
                f"{self.gstin} is a well-formed GSTIN: registered in {self.state} "
                f"(code {self.state_code}) to PAN {self.pan}, held by {self.holder}; it is that "
                f"PAN's registration number {self.registration_number} in the state. The check "
                "character matches. Whether it is active can only be confirmed on the GST portal."
            )
        return f"{self.gstin or 'This value'} is not a valid GSTIN: " + "; ".join(self.problems)


def explain(raw: str) -> GstinReport:
    """Every problem found (not just the first), and what a valid GSTIN says about its holder."""
    gstin = raw.strip().upper()
    report = GstinReport(gstin=gstin, valid=False)
    problems = report.problems
    if len(gstin) != 15:
        problems.append(f"it has {len(gstin)} characters; a GSTIN has exactly 15")
    if not re.fullmatch(r"[0-9A-Z]*", gstin):
        problems.append("only digits and capital letters are allowed")
    code = gstin[:2]
    if len(code) == 2:
        if code in STATE_NAMES:
            report.state_code, report.state = code, STATE_NAMES[code]
        elif code in SPECIAL_CODES:
            report.state_code, report.state = code, SPECIAL_CODES[code]
        else:
            problems.append(
                f"it starts with {code!r}, which is not a GST state code (01-38, 97, 99)"
            )
    pan = gstin[2:12]
    if len(pan) == 10:
        if PAN_SHAPE.match(pan):
            report.pan = pan
            report.holder = PAN_HOLDERS.get(pan[3], f"a PAN holder of type {pan[3]!r}")
            if pan[3] not in PAN_HOLDERS:
                problems.append(f"the PAN's 4th letter {pan[3]!r} is not a known holder type")
        else:
            problems.append(
                f"characters 3-12 ({pan}) should be a PAN: 5 letters, 4 digits, 1 letter"
            )
    if len(gstin) >= 13:
        entity = gstin[12]
        if entity in CHARSET[1:]:
            report.registration_number = CHARSET.index(entity)
        else:
            problems.append(f"character 13 ({entity!r}) should be 1-9 or A-Z")
    if len(gstin) >= 14 and gstin[13] != "Z":
        problems.append(f"character 14 is {gstin[13]!r}; it is Z on every GSTIN")
    if len(gstin) == 15 and re.fullmatch(r"[0-9A-Z]{14}", gstin[:14]):
        expected = check_character(gstin[:14])
        report.check_character_expected = expected
        if gstin[14] != expected:
            problems.append(
                f"the last character is {gstin[14]!r} but the check character for the first 14 "
                f"is {expected!r}: a typing mistake somewhere in the number"
            )
    report.valid = not problems
    return report
