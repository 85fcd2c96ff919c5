"""Insights say what the books say: every number in a text is recomputed here from the rows,
independently of the predictor's own code."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

from demo_data.generate import generate_dataset
from demo_data.ledger import GeneratedBusiness
from deployments.insights.combination import SHRINK, Track, combine, relative_error
from deployments.insights.offline.evaluation import _scale, backtest, compare, pinball, summary
from deployments.insights.offline.examples import generated_examples
from kernel.books import books_from_rows
from kernel.models.insights import Insight, InsightsReport
from kernel.money import rupees
from testkit.factories import demo_books, insights_predictor, small_forecast_models

NOW = dt.datetime(2026, 11, 1, 10, 0, tzinfo=dt.UTC)
LIVE = {"sent", "paid", "partially_paid", "overdue"}
B = "3f1c2a9e-8b7d-4c1e-9a2b-1d2e3f4a5b6c"
C = "c0000000-0000-4000-8000-000000000001"


def report_for(
    generated: GeneratedBusiness, now: dt.datetime = NOW, **tuning: Any
) -> InsightsReport:
    return insights_predictor(**tuning).report(books_from_rows(generated.rows()), now)


def find(report: InsightsReport, kind: str, key_title: str) -> Insight:
    return next(i for i in report.insights if i.insight_type == kind and key_title in i.title)


def _day(value: Any) -> dt.date:
    """A row's date or timestamp as a date."""
    return dt.date.fromisoformat(str(value)[:10])


def test_top_customers_share_matches_the_rows() -> None:
    generated = demo_books()[0]
    as_of, since = NOW.date(), dt.date(2025, 12, 1)  # the last 12 months, this one included
    revenue: dict[str, float] = defaultdict(float)
    for inv in generated.invoices:
        live = inv["invoice_type"] == "customer" and inv["status"] in LIVE
        if live and since <= _day(inv["invoice_date"]) <= as_of:
            revenue[inv["customer_id"]] += inv["total_amount"]
    top3 = sum(sorted(revenue.values(), reverse=True)[:3]) / sum(revenue.values())

    insight = next(
        i
        for i in report_for(generated).insights
        if i.insight_type == "customer_analysis" and "Top 3" in i.description
    )
    assert f"Top 3 customers contribute {top3:.0%} of revenue" in insight.description
    assert insight.data["top_share"] == pytest.approx(top3, abs=1e-4)
    hhi = sum((v / sum(revenue.values())) ** 2 for v in revenue.values())
    assert insight.data["hhi"] == pytest.approx(hhi, abs=1e-4)


def test_overdue_receivables_match_the_rows() -> None:
    generated = demo_books()[0]
    as_of = NOW.date()
    paid: dict[str, float] = defaultdict(float)
    for p in generated.payments:
        if p["invoice_id"] and _day(p["payment_date"]) <= as_of:
            paid[p["invoice_id"]] += p["amount"]
    overdue, count = 0.0, 0
    for inv in generated.invoices:
        if inv["invoice_type"] != "customer" or inv["status"] not in LIVE:
            continue
        owed = round(inv["total_amount"] - paid[inv["id"]], 2)
        if owed > 0.5 and _day(inv["due_date"]) < as_of:
            overdue += owed
            count += 1
    assert count > 0
    insight = find(report_for(generated), "customer_analysis", "overdue")
    assert f"owe {rupees(overdue)} on {count} overdue invoices" in insight.description
    assert insight.data["total_overdue"] == pytest.approx(overdue, abs=0.05)


def cash_crunch(
    months: int = 14, income: float = 100_000, spend: float = 150_000
) -> GeneratedBusiness:
    """A shop paid 100k a month by one customer that spends 150k a month, from a 800k start."""
    g = GeneratedBusiness(business={"id": B, "user_id": "u", "name": "Crunch Traders"})
    g.customers.append({"id": C, "business_id": B, "name": "Rajesh Traders"})
    g.transactions.append(
        {
            "id": "open",
            "business_id": B,
            "type": "credit",
            "amount": 800_000.0,
            "description": "Opening balance",
            "date": dt.datetime(2025, 9, 1, 9),
        }
    )
    month = dt.date(2025, 9, 1)
    for m in range(months):
        inv_id = f"inv{m}"
        g.invoices.append(
            {
                "id": inv_id,
                "business_id": B,
                "invoice_number": f"INV-{m + 1:04d}",
                "invoice_type": "customer",
                "customer_id": C,
                "invoice_date": month.replace(day=5),
                "due_date": month.replace(day=25),
                "total_amount": income,
                "paid_amount": income,
                "status": "paid",
            }
        )
        g.transactions.append(
            {
                "id": f"pay{m}",
                "business_id": B,
                "type": "payment_in",
                "amount": income,
                "date": dt.datetime(month.year, month.month, 20, 11),
                "invoice_id": inv_id,
            }
        )
        g.expenses.append(
            {
                "id": f"exp{m}",
                "business_id": B,
                "category": "Rent",
                "amount": spend,
                "expense_date": month.replace(day=2),
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return g


def test_a_shop_spending_more_than_it_earns_is_warned_with_its_own_numbers() -> None:
    now = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)  # books Sep 2025 - Oct 2026
    report = report_for(cash_crunch(), now)
    cash_flow = next(i for i in report.insights if i.insight_type == "cash_flow_prediction")
    assert cash_flow.description.startswith(
        "Next month, expenses will exceed income if trend continues"
    )
    first = cash_flow.data["net"][0]  # type: ignore[index]
    assert first["value"] < 0 and rupees(-first["value"]) in cash_flow.description

    wc = next(i for i in report.insights if i.insight_type == "working_capital")
    cash = 800_000 + 14 * (100_000 - 150_000)
    assert wc.data["cash_on_hand"] == cash
    # The runway, recomputed from the monthly forecasts the insight reports.
    cash_in, cash_out = cash_flow.data["cash_in"], cash_flow.data["cash_out"]
    net = {
        dt.date.fromisoformat(i["month"]): i["value"] - o["value"]
        for i, o in zip(
            [cash_in["current_month"], *cash_in["forecast"]],  # type: ignore[index]
            [cash_out["current_month"], *cash_out["forecast"]],  # type: ignore[index]
            strict=True,
        )
    }
    balance, day, days = float(cash), NOW.date(), None
    for d in range(1, 121):
        day = NOW.date() + dt.timedelta(days=d)
        balance += net.get(day.replace(day=1), 0.0) / calendar.monthrange(day.year, day.month)[1]
        if balance < 0:
            days = d
            break
    assert days is not None and wc.data["days_to_depletion"] == days
    assert f"Your working capital will run out in {days} days unless receivables improve" in (
        wc.description
    )
    assert wc.priority == "high" and wc.impact_score >= 0.8


def test_too_little_history_gives_an_honest_general_insight_and_no_forecast() -> None:
    young = generate_dataset(77, 1, dt.date(2026, 10, 20), months=2)[0]
    report = report_for(young, dt.datetime(2026, 10, 21, tzinfo=dt.UTC))
    assert [i.insight_type for i in report.insights] == ["general"]
    [insight] = report.insights
    assert min(_day(i["invoice_date"]) for i in young.invoices).month == 8  # August, September
    assert "available from 01 Nov 2026" in insight.description
    assert insight.data["months_of_history"] == report.history_months < 3


def test_thresholds_come_from_the_tuning() -> None:
    generated = demo_books()[0]
    default = report_for(generated)
    strict = report_for(generated, concentration_share=1.0, top_customers=2)
    assert any("Revenue concentrated" in i.title for i in default.insights)
    spread = next(i for i in strict.insights if "well spread" in i.title)
    assert spread.description.startswith("Top 2 customers contribute")


def test_every_report_is_ordered_by_impact_with_stable_unique_ids() -> None:
    generated = demo_books()[1]
    first, again = report_for(generated), report_for(generated)
    ids = [i.insight_id for i in first.insights]
    assert len(set(ids)) == len(ids) and ids == [i.insight_id for i in again.insights]
    impacts = [i.impact_score for i in first.insights]
    assert impacts == sorted(impacts, reverse=True)
    for i in first.insights:
        expected = "high" if i.impact_score >= 0.8 else "medium" if i.impact_score >= 0.5 else "low"
        assert i.priority == expected
        assert re.fullmatch(r"ins-[a-z-]+-[0-9a-f]{12}", i.insight_id)
    kinds = {i.insight_type for i in first.insights}
    assert {"cash_flow_prediction", "revenue_forecast", "expense_trend", "working_capital"} <= kinds


def test_a_bare_series_forecast_has_intervals_and_both_baselines() -> None:
    values = [100.0 + 5 * i for i in range(14)]
    result = insights_predictor().forecast(dt.date(2025, 1, 1), values, 3)
    assert [p.month for p in result.forecast] == [
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 1),
    ]
    assert all(p.lower <= p.value <= p.upper for p in result.forecast)
    assert result.last_value == [165.0] * 3
    assert result.seasonal_naive == [110.0, 115.0, 120.0]  # March-May 2025
    short = insights_predictor().forecast(dt.date(2026, 1, 1), [10.0, 12.0, 11.0], 2)
    assert short.seasonal_naive is None and len(short.forecast) == 2


def test_the_learned_model_beats_both_baselines_on_unseen_businesses() -> None:
    """The small test model; the shipped one is measured by `make backtest`."""
    held_out, _ = generated_examples(23, 3)
    result = summary(backtest(small_forecast_models(), held_out))
    means = result["mean_smape_h1_3"]
    assert means["model"] < min(means["last_value"], means["seasonal_naive"])
    assert 0.6 <= result["interval_coverage_80"] <= 0.95


def test_pinball_and_the_mase_scale() -> None:
    assert pinball(90, 110, 100) == pytest.approx((0.1 * 10 + 0.1 * 10) / 2)
    assert pinball(90, 110, 120) == pytest.approx((0.1 * 30 + 0.9 * 10) / 2)
    assert _scale([100, 110, 90]) == 15.0 and _scale([5, 5, 5]) == 1.0


def test_the_comparison_with_autoets_and_autotheta_is_complete() -> None:
    """Every business series and horizon gets every method's MASE, pinball and coverage; the
    numbers themselves are measured by `make backtest` on the shipped model."""
    held_out, _ = generated_examples(23, 1)
    table = compare(small_forecast_models(), held_out)
    assert set(table) == {"cash_in", "cash_out", "revenue", "expenses"}
    for by_h in table.values():
        for row in by_h.values():
            for method in ("served", "model", "auto_ets", "auto_theta"):
                assert row[f"mase_{method}"] > 0 and row[f"pinball_{method}"] > 0
                assert 0.0 <= row[f"cover_{method}"] <= 1.0
            assert row["mase_seasonal_naive"] > 0 and row["origins"] > 0


def test_a_steep_fall_in_expenses_is_a_question_not_good_news() -> None:
    """From 150k a month to 20k: more likely bills not yet entered than spending cut."""
    books = cash_crunch()
    for row in books.expenses[-3:]:
        row["amount"] = 20_000.0
    now = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
    insight = next(i for i in report_for(books, now).insights if i.insight_type == "expense_trend")
    assert insight.title == "Operating expenses down 87%: check nothing is missing"
    assert "under control" not in insight.title and rupees(60_000) in insight.description
    assert insight.data["change"] == round((60_000 - 450_000) / 450_000, 4)
    steady = next(
        i for i in report_for(cash_crunch(), now).insights if i.insight_type == "expense_trend"
    )
    assert steady.title == "Operating expenses under control"


def test_the_combination_leans_on_the_method_that_forecast_this_series_best() -> None:
    """A shop whose months repeat exactly each year: last year's month is right every time, so
    seasonal naive gets the largest weight and the combined forecast is close to it."""
    pattern = [100.0, 90, 120, 300, 110, 95, 100, 105, 400, 500, 130, 100]
    y = np.array(pattern * 2 + pattern[:6])  # 30 months
    learned = dict.fromkeys((1, 2, 3), (200.0, 150.0, 250.0))
    combined = combine(y, learned, lambda _t: 200.0)
    weights = combined[1].weights
    assert max(weights, key=weights.get) == "seasonal_naive"  # type: ignore[arg-type]
    assert sum(weights.values()) == pytest.approx(1.0, abs=0.01)
    for h, c in combined.items():
        assert c.low <= c.point <= c.high
        assert abs(c.point - pattern[(29 + h) % 12]) < abs(200.0 - pattern[(29 + h) % 12])


def test_a_short_series_keeps_the_learned_model_alone() -> None:
    learned = {1: (120.0, 100.0, 140.0)}
    [only] = combine(np.array([100.0, 110.0, 120.0]), learned, lambda _t: 0.0).values()
    assert (only.point, only.low, only.high, only.weights) == (120.0, 100.0, 140.0, {"model": 1.0})


def test_the_interval_narrows_where_the_combination_beat_the_methods_it_borrows_from() -> None:
    actual = [100.0, 100.0, 100.0, 100.0]
    past = Track(
        {
            "auto_ets": [120.0, 80.0, 120.0, 80.0],  # 20 off each month
            "auto_theta": [110.0, 90.0, 110.0, 90.0],  # 10 off
            "seasonal_naive": [100.0] * 4,
            "model": [100.0] * 4,
        },
        actual,
    )
    # leaning on the two methods that were right, it erred nothing: clipped at half their width
    half = {"seasonal_naive": 0.5, "model": 0.5}
    assert relative_error(past, half) == pytest.approx(0.5**SHRINK)  # clipped at 0.5
    mixed = {"auto_ets": 0.25, "auto_theta": 0.25, "seasonal_naive": 0.25, "model": 0.25}
    own = np.mean(np.abs(np.array([107.5, 92.5, 107.5, 92.5]) - 100.0))
    assert relative_error(past, mixed) == pytest.approx((own / 15.0) ** SHRINK)
    assert relative_error(Track({m: [1.0] for m in mixed}, [2.0]), mixed) == 1.0  # too short
