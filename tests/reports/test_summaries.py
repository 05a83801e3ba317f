"""The summary tables against the ledger: kept in step by every payment and refund, equal
to a rebuild from scratch, and rebuilt by the management command."""

import io

import pytest
from django.core.management import call_command

from attribution.models import LedgerEntry
from reports.models import (
    SUMMARY_MODELS,
    HouseholdIncome,
    ProductSalesSummary,
    SalesSummary,
)
from reports.services import summary_differences, table_rows

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list[tuple]]:
    return {model._meta.model_name: sorted(table_rows(model), key=str) for model in SUMMARY_MODELS}


def test_incremental_summaries_equal_a_rebuild_from_the_ledger(report_world):
    incremental = snapshot()
    assert all(incremental.values()), "every summary table has rows"
    assert summary_differences() == []

    out = io.StringIO()
    call_command("rebuild_report_summaries", stdout=out)
    assert snapshot() == incremental
    assert "salessummary" in out.getvalue()


def test_check_option_finds_a_tampered_row_and_rebuild_repairs_it(report_world):
    row = SalesSummary.objects.order_by("pk").first()
    SalesSummary.objects.filter(pk=row.pk).update(sales_fen=row.sales_fen + 1)
    HouseholdIncome.objects.order_by("pk").last().delete()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("rebuild_report_summaries", "--check", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert "salessummary" in out.getvalue() and "householdincome" in out.getvalue()

    call_command("rebuild_report_summaries", stdout=io.StringIO())
    assert summary_differences() == []


def test_each_table_adds_up_to_the_ledger_at_every_grain(report_world):
    ledger_total = sum(LedgerEntry.objects.values_list("amount_fen", flat=True))
    certified_households = sum(
        LedgerEntry.objects.filter(certified_at_payment=True, beneficiary_kind="household").values_list(
            "amount_fen", flat=True
        )
    )
    for grain in ("day", "month", "year"):
        sales = SalesSummary.objects.filter(grain=grain)
        assert sum(r.sales_fen + r.refunds_fen for r in sales) == ledger_total
        assert sum(r.household_fen + r.collective_fen + r.producer_fen for r in sales) == ledger_total
        products = ProductSalesSummary.objects.filter(grain=grain)
        assert sum(r.sales_fen + r.refunds_fen for r in products) == ledger_total
        households = HouseholdIncome.objects.filter(grain=grain)
        assert sum(households.values_list("net_fen", flat=True)) == certified_households
    # A month row starts on the 1st, a year row on 1 January.
    assert set(SalesSummary.objects.filter(grain="month").values_list("day__day", flat=True)) == {1}
    assert set(SalesSummary.objects.filter(grain="year").values_list("day__month", "day__day")) == {(1, 1)}
