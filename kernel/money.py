"""Rupee amounts as an Indian reader writes them. Pure."""

from __future__ import annotations


def format_inr(amount: float, rupees_only: bool = False) -> str:
    """₹ with Indian digit grouping: 125000 -> ₹1,25,000.00 (or ₹1,25,000 rupees_only)."""
    sign = "-" if round(amount, 0 if rupees_only else 2) < 0 else ""
    whole, fraction = f"{abs(amount):.2f}".split(".")
    if rupees_only:
        whole, fraction = f"{abs(amount):.0f}", ""
    if len(whole) > 3:
        head, tail = whole[:-3], whole[-3:]
        groups: list[str] = []
        while len(head) > 2:
            groups.insert(0, head[-2:])
            head = head[:-2]
        whole = ",".join([head, *groups, tail]) if head else ",".join([*groups, tail])
    return f"{sign}₹{whole}.{fraction}" if fraction else f"{sign}₹{whole}"


def rupees(amount: float) -> str:
    """Whole rupees, as the insights and the assistant's answers write them: ₹1,25,000."""
    return format_inr(amount, rupees_only=True)
