"""``manage.py audit_ledger`` and its Celery task: zero discrepancies on honest books,
each discrepancy named with its order when the books and the ledger disagree."""

import pytest
from django.core.management import call_command

from attribution.models import LedgerEntry
from attribution.tasks import audit_ledger_task
from orders.models import OrderLine
from payments.models import Payment

from .conftest import buy_and_pay, refund_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(ledger_world):
    w = ledger_world
    first = buy_and_pay(w, [(w.yam, 3), (w.oil, 1)], buyer_type="union")
    second = buy_and_pay(w, [(w.yam, 2)])
    refund_lines(w, first, {OrderLine.objects.get(suborder__order=first, product=w.yam): 1})
    return first, second


def run_audit(capsys) -> tuple[int, str]:
    try:
        call_command("audit_ledger")
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def test_honest_books_have_no_discrepancies(books, capsys):
    code, output = run_audit(capsys)
    # 5 + 2 (oil: household and producer) + 5 sale entries, 5 reversals; 3 lines, 2 orders.
    assert code == 0
    assert "checked 17 ledger entries, 3 order lines, 2 orders" in output
    assert "0 discrepancies" in output
    assert audit_ledger_task.delay().get()["discrepancies"] == 0


def test_an_extra_entry_is_reported_with_its_order(books, ledger_world, capsys):
    first, _second = books
    extra = LedgerEntry.objects.filter(order=first, product=ledger_world.yam, kind="sale").first()
    extra.pk, extra.beneficiary_key, extra.amount_fen = None, "household:999999", 100
    extra.household_id = extra.household_id or None
    extra.save()

    code, output = run_audit(capsys)

    assert code == 1
    assert f"订单 {first.number}" in output
    line = OrderLine.objects.get(suborder__order=first, product=ledger_world.yam)
    assert f"订单 {first.number} 明细 {line.pk}：销售记账合计 ¥117.40，应为 ¥116.40" in output
    assert f"订单 {first.number} 明细 {line.pk}：台账净额 ¥78.60，应为已付减已退 ¥77.60" in output
    assert f"订单 {first.number}：台账合计 ¥206.60，应为已收减已退 ¥205.60" in output
    assert ": 3 discrepancies" in output


def test_a_line_paid_without_entries_and_a_refund_not_reversed_are_reported(books, capsys):
    first, second = books
    # Books changed behind the services' back: one more unit refunded on the line, one
    # more payment accepted on the other order.
    line = OrderLine.objects.get(suborder__order=second)
    OrderLine.objects.filter(pk=line.pk).update(refunded_quantity=1)
    Payment.objects.create(
        order=second, method="transfer", amount_fen=1, reference="ROGUE", status=Payment.Status.ACCEPTED
    )

    code, output = run_audit(capsys)

    assert code == 1
    assert f"订单 {second.number} 明细 {line.pk}：台账净额 ¥77.60，应为已付减已退 ¥38.80" in output
    assert f"订单 {second.number}：已入账收款 ¥77.61，订单记已收 ¥77.60" in output
    assert f"订单 {first.number}" not in output


def test_the_task_reports_discrepancies_and_mails_admins(books, settings, mailoutbox):
    settings.ADMINS = [("财务", "finance@example.cn")]
    first, _ = books
    extra = LedgerEntry.objects.filter(order=first).first()
    extra.pk, extra.beneficiary_key = None, "producer:424242"
    extra.save()

    result = audit_ledger_task.delay().get()

    assert result["discrepancies"] >= 1
    assert len(mailoutbox) == 1 and "收益台账核对发现" in mailoutbox[0].subject
    assert first.number in mailoutbox[0].body
