import pytest

from kernel.books import normalize_payment_mode
from kernel.gstin import check_character, is_valid_gstin
from kernel.money import format_inr


@pytest.mark.parametrize(
    "gstin, valid",
    [
        ("27AAPFU0939F1ZV", True),
        ("27AAPFU0939F1ZW", False),  # corrupted check character
        ("27AAPFU0939F1Z", False),  # 14 characters
        ("27aapfu0939f1zv", False),  # lower case
    ],
)
def test_gstin_check_character(gstin: str, valid: bool) -> None:
    assert is_valid_gstin(gstin) is valid


def test_check_character_of_the_contract_example() -> None:
    assert check_character("27AAPFU0939F1Z") == "V"


@pytest.mark.parametrize(
    "amount, text",
    [
        (0, "₹0.00"),
        (999.5, "₹999.50"),
        (125000, "₹1,25,000.00"),
        (12345678.9, "₹1,23,45,678.90"),
        (-4500, "-₹4,500.00"),
    ],
)
def test_indian_digit_grouping(amount: float, text: str) -> None:
    assert format_inr(amount) == text


@pytest.mark.parametrize(
    "raw, mode",
    [
        ("bank_transfer", "bankTransfer"),
        ("bankTransfer", "bankTransfer"),
        ("online", "netBanking"),
        ("netBanking", "netBanking"),
        ("UPI", "upi"),
        ("NetBanking", "netBanking"),
        ("upi", "upi"),
        (None, "other"),
        ("barter", "other"),
    ],
)
def test_both_payment_mode_spellings(raw: str | None, mode: str) -> None:
    assert normalize_payment_mode(raw) == mode
