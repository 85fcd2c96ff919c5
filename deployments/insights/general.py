"""The general insights: too little history for forecasts, and books gone stale."""

from __future__ import annotations

import datetime as dt

from deployments.insights.forecasting import MIN_MONTHS
from deployments.insights.history import add_months, month_start
from deployments.insights.report import Report, iso, month_name
from kernel.models.insights import Insight


def too_little_data(r: Report) -> Insight:
    first = r.history.first_activity
    have = r.history.n
    if first is None:
        ready_on = None
        description = (
            "There are no invoices or transactions in your books yet, so there is nothing to "
            f"forecast. Forecasts need at least {MIN_MONTHS} months of history."
        )
    else:
        ready_on = add_months(month_start(first), MIN_MONTHS)
        description = (
            f"Your books start on {first:%d %b %Y}: {have} complete month"
            f"{'' if have == 1 else 's'} so far. Forecasts need at least {MIN_MONTHS} months "
            f"of history, so they will be available from {ready_on:%d %b %Y}."
        )
    return r.insight(
        "general",
        "too-little-data",
        "Not enough history for forecasts yet",
        description,
        [
            "Record every sale, purchase and expense in FinEasy as it happens",
            "Record payments against their invoices so cash flow can be measured",
        ],
        0.3,
        "data",
        {
            "months_of_history": have,
            "months_required": MIN_MONTHS,
            "first_entry": iso(first) if first else None,
            "forecasts_available_from": iso(ready_on) if ready_on else None,
        },
    )


def stale(r: Report, last: dt.date) -> Insight:
    gap = (r.now.date() - last).days
    return r.insight(
        "general",
        "stale",
        "Your books are out of date",
        f"Nothing has been recorded for {gap} days (since {last:%d %b %Y}); the forecasts "
        f"below start from the end of {month_name(r.as_of)}, not from today.",
        ["Record the sales, purchases and payments since then for up-to-date forecasts"],
        0.55,
        "data",
        {"last_entry": iso(last), "days_since_last_entry": gap, "as_of": iso(r.as_of)},
    )
