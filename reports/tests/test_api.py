"""The API's reports: the cycle report, spending across cycles, the forecast and the CSV file,
amounts as strings in the base currency."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from cycles.tests.factories import CycleFactory
from expenses.tests.factories import CategoryFactory, ExpenseFactory
from templates_app.tests.factories import ExpenseTemplateFactory

pytestmark = pytest.mark.django_db


def test_cycle_report_breaks_down_by_category(owner_api, household):
    cycle = CycleFactory(household=household, income=Decimal("1000.00"))
    food = CategoryFactory(household=household, name="Food")
    fun = CategoryFactory(household=household, name="Fun")
    ExpenseFactory(cycle=cycle, category=food, amount=Decimal("30.10"))
    ExpenseFactory(cycle=cycle, category=food, amount=Decimal("9.90"))
    ExpenseFactory(cycle=cycle, category=fun, amount=Decimal("5.00"))
    report = owner_api.get(f"/api/v1/reports/cycles/{cycle.pk}").json()
    assert report["total"] == "45.00" and report["left"] == "955.00"
    by_category = {row["label"]: (row["total"], row["count"]) for row in report["by_category"]}
    assert by_category == {"Food": ("40.00", 2), "Fun": ("5.00", 1)}
    assert report["largest"][0]["base_amount"] == "30.10"


def test_overview_compares_cycles(owner_api, household):
    for day in (1, 44, 87):
        start = datetime.date(2026, 1, 1) + datetime.timedelta(days=day - 1)
        cycle = CycleFactory(household=household, start_date=start)
        ExpenseFactory(cycle=cycle, amount=Decimal(f"{day}.00"), status="paid", paid_on=start)
    report = owner_api.get("/api/v1/reports/overview?range=3").json()
    assert [c["spent"] for c in report["cycles"]] == ["1.00", "44.00", "87.00"]
    assert report["total_spent"] == "132.00" and report["range"] == "3"
    bad = owner_api.get("/api/v1/reports/overview?range=7")
    assert bad.status_code == 422


def test_forecast_counts_the_templates(owner_api, household):
    ExpenseTemplateFactory(household=household, amount=Decimal("100.00"), frequency="weekly")
    forecast = owner_api.get("/api/v1/reports/forecast").json()
    assert forecast["from_templates"] == "600.00"
    assert forecast["templates"][0]["count"] == 6


def test_cycle_csv_export_is_a_file(owner_api, household):
    cycle = CycleFactory(household=household)
    ExpenseFactory(cycle=cycle, description="Tea")
    response = owner_api.get(f"/api/v1/reports/cycles/{cycle.pk}/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Tea" in b"".join(response.streaming_content).decode()
