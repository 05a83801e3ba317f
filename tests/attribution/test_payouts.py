"""The operators' payout report ("pay your households"): what each beneficiary is owed
for a period from the ledger, payouts recorded against it, and who may do it. Payouts
never touch the ledger."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from attribution.forms import month_bounds
from attribution.models import LedgerEntry, Payout

from .conftest import buy_and_pay

pytestmark = pytest.mark.django_db

REPORT = reverse("attribution_admin:payouts")
RECORD = reverse("attribution_admin:record_payout")


def period_query(world, start=None, end=None) -> dict:
    first, last = month_bounds()
    return {"shop": world.shop_a.pk, "start": (start or first).isoformat(), "end": (end or last).isoformat()}


def owed(response) -> dict[str, tuple[int, int, int, int]]:
    return {
        r.beneficiary_key: (r.attributed_fen, r.paid_fen, r.owed_fen, r.balance_fen) for r in response.context["rows"]
    }


def pay(client, world, who, amount: str, reference="ZZ-001", note="", **period):
    return client.post(
        RECORD,
        {
            **period_query(world, **period),
            "beneficiary": who,
            "amount": amount,
            "paid_on": timezone.localdate().isoformat(),
            "reference": reference,
            "note": note,
        },
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_report_shows_what_each_beneficiary_is_owed(client, sales):
    w = sales
    client.force_login(w.operator_a)
    response = client.get(REPORT, period_query(w))
    assert response.status_code == 200
    # Shop A sold 5 yam boxes at 38.80 and refunded one: 155.20 net, split 30/25/10/15 %.
    assert owed(response) == {
        f"household:{w.zhang.pk}": (4656, 0, 4656, 4656),
        f"household:{w.li.pk}": (3880, 0, 3880, 3880),
        f"household:{w.wang.pk}": (1552, 0, 1552, 1552),
        f"collective:{w.collective.pk}": (2328, 0, 2328, 2328),
    }
    assert response.context["totals"] == {"attributed": 12416, "paid": 0, "owed": 12416}
    page = response.content.decode()
    assert "张小文（371722100200000011）" in page and "陈芳" not in page


def test_recording_payouts_reduces_what_is_owed_and_leaves_the_ledger_alone(client, sales):
    w = sales
    before = list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount_fen"))
    client.force_login(w.operator_a)

    response = pay(client, w, f"household:{w.zhang.pk}", "46.56", reference="农商行-0001")
    assert messages_of(response) == ["已登记发放 ¥46.56（凭证 农商行-0001）。"]
    response = pay(client, w, f"household:{w.li.pk}", "20.00", reference="农商行-0002")
    response = client.get(REPORT, period_query(w))
    assert owed(response)[f"household:{w.zhang.pk}"] == (4656, 4656, 0, 0)
    assert owed(response)[f"household:{w.li.pk}"] == (3880, 2000, 1880, 1880)

    payout = Payout.objects.get(reference="农商行-0001")
    assert (payout.amount_fen, payout.shop, payout.household, payout.recorded_by) == (
        4656,
        w.shop_a,
        w.zhang,
        w.operator_a,
    )
    assert list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount_fen")) == before
    assert "农商行-0002" in response.content.decode()  # recent payouts list


def test_a_correction_needs_a_note_and_bad_amounts_are_refused(client, sales):
    w = sales
    client.force_login(w.operator_a)
    who = f"household:{w.wang.pk}"
    assert messages_of(pay(client, w, who, "-5.00")) == ["未登记：冲正（负数）须填写备注说明原因。"]
    assert messages_of(pay(client, w, who, "0")) == ["未登记：发放金额（元）：发放金额不能为零。"]
    assert "请输入金额" in messages_of(pay(client, w, who, "12.345"))[0]
    assert "请输入金额" in messages_of(pay(client, w, who, "十元"))[0]
    assert messages_of(pay(client, w, who, "5.00", reference="")) == ["未登记：凭证号：必需字段"]
    pay(client, w, who, "15.52", reference="A-1")
    assert messages_of(pay(client, w, who, "-5.00", reference="A-2", note="多发，冲回"))[0].startswith(
        "已登记发放 ¥-5.00"
    )
    assert Payout.objects.filter(household=w.wang).aggregate(s=Sum("amount_fen"))["s"] == 1052


def test_a_beneficiary_without_income_from_the_shop_cannot_be_paid_by_it(client, sales):
    client.force_login(sales.operator_a)
    response = pay(client, sales, f"household:{sales.chen.pk}", "10.00")
    assert messages_of(response) == ["未登记：该受益方没有来自本店的收益记录。"]
    assert not Payout.objects.exists()


def test_operators_cannot_report_or_pay_for_another_shop(client, sales):
    w = sales
    client.force_login(w.operator_b)
    response = client.get(REPORT, period_query(w))
    assert response.status_code == 200
    assert response.context["rows"] == [] and "shop" in response.context["period"].errors
    response = pay(client, w, f"household:{w.zhang.pk}", "10.00")
    assert messages_of(response)[0].startswith("期间或网店无效")
    assert not Payout.objects.exists()


@pytest.mark.parametrize("who, to", [("officer_a", "/admin/"), ("officer_city", "/admin/"), ("buyer", "/admin/login/")])
def test_officers_and_buyers_are_refused(client, sales, who, to):
    """Wagtail answers a refused admin view with a redirect: officers to the dashboard
    (with "no permission"), users without admin access to sign-in."""
    client.force_login(getattr(sales, who))
    data = {
        **period_query(sales),
        "beneficiary": f"household:{sales.zhang.pk}",
        "amount": "1.00",
        "paid_on": timezone.localdate().isoformat(),
        "reference": "X-1",
    }
    for response in (client.get(REPORT), client.post(RECORD, data)):
        assert response.status_code == 302 and response["Location"].split("?")[0] == to
    assert not Payout.objects.exists()


def test_bad_periods_say_why(client, sales):
    client.force_login(sales.operator_a)
    today = timezone.localdate()
    response = client.get(REPORT, period_query(sales, start=today, end=today - dt.timedelta(days=1)))
    assert "期间结束日不能早于开始日" in response.content.decode()
    response = client.get(REPORT, period_query(sales, start=today - dt.timedelta(days=5 * 365), end=today))
    assert "期间最长三年" in response.content.decode()
    response = client.get(REPORT, {"shop": sales.shop_a.pk, "start": "2026-02-30", "end": "x"})
    assert response.status_code == 200 and response.context["rows"] == []


def test_csv_export_has_the_screen_figures(client, sales):
    client.force_login(sales.admin)
    response = client.get(REPORT, {**period_query(sales), "format": "csv"})
    rows = [line.split(",") for line in b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()]
    assert rows[0][-1] == "本期待发(分)"
    assert sorted(int(r[-1]) for r in rows[1:]) == [1552, 2328, 3880, 4656]


def test_the_report_runs_a_fixed_number_of_queries(client, sales):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = sales
    client.force_login(w.operator_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(REPORT, period_query(w)).status_code == 200
        return len(ctx)

    pay(client, w, f"household:{w.li.pk}", "1.00", reference="R-first")
    few = count()
    for _ in range(5):
        buy_and_pay(w, [(w.yam, 1)])
        pay(client, w, f"household:{w.li.pk}", "1.00", reference=f"R{Payout.objects.count()}")
    assert count() == few <= 22
