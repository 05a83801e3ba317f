"""The ledger written by real sales and refunds: one entry per beneficiary of the linkage
in force at payment, exact to the fen, reversals on refund, snapshots that later changes
do not touch, and nothing written twice."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attribution.models import EntryKind, LedgerEntry, LedgerImmutable
from attribution.services import write_sale_entries
from certification.models import Certificate
from orders.models import OrderLine, OrderStatus
from producers.models import BenefitMode
from producers.services import ShareSpec, revise_benefit_linkage
from tests.factories import HouseholdFactory, ProductFactory

from .conftest import buy_and_pay, refund_lines

pytestmark = pytest.mark.django_db


def holdings(line) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, amount in LedgerEntry.objects.filter(order_line=line).values_list("beneficiary_key", "amount_fen"):
        out[key] = out.get(key, 0) + amount
    return out


def test_a_paid_line_is_split_over_the_linkage_in_force_to_the_fen(ledger_world):
    w = ledger_world
    order = buy_and_pay(w, [(w.yam, 3)], buyer_type="budget_unit")
    [line] = OrderLine.objects.filter(suborder__order=order)

    entries = list(LedgerEntry.objects.filter(order_line=line).order_by("pk"))
    # 3 × 38.80 = 116.40 yuan: 30 % / 25 % / 10 % / 15 % and the producer's 20 %.
    assert [(e.beneficiary_key, e.share_bp, e.mode, e.amount_fen) for e in entries] == [
        (f"household:{w.zhang.pk}", 3000, BenefitMode.GUARANTEED_PURCHASE, 3492),
        (f"household:{w.li.pk}", 2500, BenefitMode.EMPLOYMENT, 2910),
        (f"household:{w.wang.pk}", 1000, BenefitMode.DIVIDEND, 1164),
        (f"collective:{w.collective.pk}", 1500, BenefitMode.DIVIDEND, 1746),
        (f"producer:{w.coop.pk}", 2000, "retained", 2328),
    ]
    assert sum(e.amount_fen for e in entries) == 11640 == line.line_total_fen
    first = entries[0]
    assert first.kind == EntryKind.SALE
    assert first.household == w.zhang and first.beneficiary_region == w.village_a
    assert entries[3].collective == w.collective and entries[4].beneficiary_region == w.coop.region
    assert (first.producer, first.producer_kind, first.producer_region) == (w.coop, "cooperative", w.village_a)
    assert (first.shop, first.product, first.category) == (w.shop_a, w.yam, w.yam.category)
    assert first.buyer_type == "budget_unit"
    assert first.certified_at_payment is True
    assert first.certificate_number == line.certificate_number and first.certificate_number.startswith("FPTEST")
    assert first.linkage == line.linkage and line.linkage.version == 1
    assert first.paid_at == line.paid_at == first.booked_at
    assert first.live_event is None and first.live_attribution == ""


def test_uneven_shares_and_a_one_fen_line_add_up_exactly(ledger_world):
    w = ledger_world
    penny = ProductFactory(shop=w.shop_a, producer=w.coop, title="试吃装", price_fen=1)
    third = [HouseholdFactory(village=w.village_a) for _ in range(3)]
    revise_benefit_linkage(
        penny,
        [ShareSpec(3333, "purchase", household=h) for h in third[:2]]
        + [ShareSpec(3334, "purchase", household=third[2])],
    )
    order = buy_and_pay(w, [(penny, 1)])
    amounts = list(LedgerEntry.objects.filter(order=order).order_by("pk").values_list("amount_fen", flat=True))
    assert amounts == [0, 0, 1]  # 1 fen: the largest remainder (the 33.34 % share) gets it


def test_refunds_write_reversals_that_end_at_zero_for_everyone(ledger_world):
    w = ledger_world
    order = buy_and_pay(w, [(w.yam, 3)])
    [line] = OrderLine.objects.filter(suborder__order=order)

    refund_lines(w, order, {line: 1})
    reversal = LedgerEntry.objects.filter(order_line=line, kind=EntryKind.REFUND).order_by("pk")
    assert [e.amount_fen for e in reversal] == [-1164, -970, -388, -582, -776]
    assert sum(e.amount_fen for e in reversal) == -3880
    assert all(e.refund is not None and e.refund_line is not None for e in reversal)
    assert sum(holdings(line).values()) == 7760

    refund_lines(w, order, {line: 2})
    assert set(holdings(line).values()) == {0}
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_a_linkage_changed_after_a_sale_does_not_change_that_sale(ledger_world):
    w = ledger_world
    before = buy_and_pay(w, [(w.yam, 1)])
    entries_before = list(LedgerEntry.objects.filter(order=before).values_list("beneficiary_key", "amount_fen"))
    revise_benefit_linkage(w.yam, [ShareSpec(10000, BenefitMode.EMPLOYMENT, household=w.zhang)])

    after = buy_and_pay(w, [(w.yam, 1)])

    assert list(LedgerEntry.objects.filter(order=before).values_list("beneficiary_key", "amount_fen")) == entries_before
    assert list(LedgerEntry.objects.filter(order=after).values_list("beneficiary_key", "amount_fen", "share_bp")) == [
        (f"household:{w.zhang.pk}", 3880, 10000)
    ]
    # A refund of the old sale reverses by the old version's shares.
    [old_line] = OrderLine.objects.filter(suborder__order=before)
    refund_lines(w, before, {old_line: 1})
    assert set(holdings(old_line)) == {k for k, _ in entries_before}


def test_the_linkage_version_in_force_at_payment_not_at_checkout_is_used(ledger_world):
    w = ledger_world
    from payments import services as payments
    from tests.factories import place_order_for

    order = place_order_for([(w.yam, 1)])
    revise_benefit_linkage(w.yam, [ShareSpec(5000, BenefitMode.EMPLOYMENT, household=w.li)])
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference="BANK-1", by=w.admin)

    [line] = OrderLine.objects.filter(suborder__order=order)
    assert line.linkage.version == 2
    assert holdings(line) == {f"household:{w.li.pk}": 1940, f"producer:{w.coop.pk}": 1940}


def test_a_sale_without_a_valid_certificate_at_payment_is_marked_so(ledger_world):
    w = ledger_world
    from payments import services as payments
    from tests.factories import place_order_for

    order = place_order_for([(w.yam, 2)])
    Certificate.objects.filter(product=w.yam).update(revoked_at=timezone.now())
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference="BANK-2", by=w.admin)

    entries = LedgerEntry.objects.filter(order=order)
    assert entries.count() == 5
    assert set(entries.values_list("certified_at_payment", flat=True)) == {False}
    assert LedgerEntry.objects.consumption_support().filter(order=order).count() == 0


def test_a_partial_transfer_writes_nothing_until_the_order_is_paid(ledger_world):
    w = ledger_world
    from payments import services as payments
    from tests.factories import place_order_for

    order = place_order_for([(w.yam, 2)])
    payments.record_transfer_receipt(order.pk, amount_fen=5000, reference="BANK-P1", by=w.admin)
    assert not LedgerEntry.objects.filter(order=order).exists()
    payments.record_transfer_receipt(order.pk, amount_fen=2760, reference="BANK-P2", by=w.admin)
    assert LedgerEntry.objects.filter(order=order).count() == 5


def test_writing_the_same_sale_twice_creates_nothing(ledger_world):
    w = ledger_world
    order = buy_and_pay(w, [(w.yam, 1)])
    [line] = OrderLine.objects.filter(suborder__order=order).select_related("product__producer")
    assert write_sale_entries(line, order, line.product) == []
    assert LedgerEntry.objects.filter(order=order).count() == 5
    # And the database's unique key refuses a duplicate that bypasses the check.
    entry = LedgerEntry.objects.filter(order=order).first()
    entry.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()


def test_entries_cannot_be_changed_or_deleted_through_the_orm(ledger_world):
    w = ledger_world
    order = buy_and_pay(w, [(w.yam, 1)])
    entry = LedgerEntry.objects.filter(order=order).first()
    entry.amount_fen = 1
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(order=order).update(amount_fen=0)
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(order=order).delete()
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("amount_fen", flat=True)) == [
        388,
        582,
        776,
        970,
        1164,
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's (DATABASE_URL)")
@pytest.mark.parametrize("statement", ["UPDATE {t} SET amount_fen = 0", "DELETE FROM {t}"])
def test_postgresql_refuses_raw_updates_and_deletes(ledger_world, statement):
    from django.db import DatabaseError

    from core.db_roles import two_roles

    w = ledger_world
    order = buy_and_pay(w, [(w.yam, 1)])
    table = LedgerEntry._meta.db_table
    # The application's role of two holds no UPDATE or DELETE; a role owning the table meets the trigger.
    refusal = "permission denied" if two_roles() else "append-only"
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement.format(t=table) + " WHERE order_id = %s", [order.pk])
    assert LedgerEntry.objects.filter(order=order).count() == 5


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    price=st.integers(1, 99_999),
    quantity=st.integers(1, 6),
    shares=st.lists(st.integers(1, 4000), min_size=0, max_size=6),
    refunds=st.lists(st.integers(1, 6), max_size=5),
)
def test_property_lines_always_sum_to_paid_minus_refunded_never_negative(
    ledger_world, price, quantity, shares, refunds
):
    """Random prices, quantities and share sets (shares that do not divide evenly, 1 fen
    lines, up to six beneficiaries, shares that leave a remainder to the producer), and
    random sequences of partial refunds, through the real payment and refund services."""
    w = ledger_world
    while sum(shares) > 10_000:
        shares.pop()
    with transaction.atomic():
        product = ProductFactory(shop=w.shop_a, producer=w.coop, price_fen=price, stock=10)
        households = [HouseholdFactory(village=w.village_a) for _ in shares]
        if shares:
            revise_benefit_linkage(
                product, [ShareSpec(bp, "purchase", household=h) for bp, h in zip(shares, households, strict=True)]
            )
        order = buy_and_pay(w, [(product, quantity)])
        [line] = OrderLine.objects.filter(suborder__order=order)
        assert sum(holdings(line).values()) == price * quantity
        left = quantity
        for n, qty in enumerate(refunds):
            qty = min(qty, left)
            if not qty:
                break
            refund_lines(w, order, {line: qty})
            left -= qty
            held = holdings(line)
            assert sum(held.values()) == price * left, (n, held)
            assert min(held.values()) >= 0
        expected_people = len(shares) + (1 if sum(shares) < 10_000 else 0)
        assert LedgerEntry.objects.filter(order_line=line, kind=EntryKind.SALE).count() == expected_people
        transaction.set_rollback(True)


def test_booked_times_are_payment_and_refund_times(ledger_world, django_capture_on_commit_callbacks):
    w = ledger_world
    order = buy_and_pay(w, [(w.yam, 2)])
    [line] = OrderLine.objects.filter(suborder__order=order)
    refund = refund_lines(w, order, {line: 1})
    sale = LedgerEntry.objects.filter(order_line=line, kind=EntryKind.SALE).first()
    reversal = LedgerEntry.objects.filter(order_line=line, kind=EntryKind.REFUND).first()
    assert sale.booked_at == line.paid_at
    assert reversal.booked_at == refund.confirmed_at and reversal.paid_at == line.paid_at
    assert reversal.booked_at - sale.booked_at < dt.timedelta(minutes=1)
