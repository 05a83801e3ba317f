"""Organisation accounts through their pages (/org/…), checkout for an organisation, and
the reserved share's progress, for the unit and for the bureaus: exact figures, and every
role refused what it may not do (another organisation's pages are a 404)."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from attribution.models import LedgerEntry
from certification.models import Certificate
from core import sms
from core.roles import Role
from orders.models import Order
from procurement.models import Invitation, Member, Organisation, OrganisationOrder, Quota
from procurement.services import NotAllowed
from tests.factories import UserFactory, address_county, place_order_for, valid_credit_code
from tests.worlds import refund_lines

from .helpers import checkout_for, organisation_post, pay_in_full, sign_in

pytestmark = pytest.mark.django_db


# --- registering and members -----------------------------------------------------------------------------------------


def test_registering_makes_the_person_its_administrator(unit, world):
    organisation, admin = unit
    assert organisation.kind == "budget_unit"
    assert organisation.region.code == "371722"
    assert organisation.invoice_title == "单县财政局"  # left blank: the name
    member = Member.objects.get(organisation=organisation, user=admin)
    assert member.roles == ["admin", "purchaser", "approver", "finance"]
    page = sign_in(admin).get(f"/org/{organisation.pk}/").content.decode()
    assert "单县财政局" in page and "本年度尚未填报预留份额" in page


def test_a_credit_code_registered_once(unit, world):
    other = UserFactory(username="someone", mobile="13700000001")
    response = sign_in(other).post("/org/new/", organisation_post(name="冒名单位"))
    assert response.status_code == 200
    assert "该统一社会信用代码的单位已注册" in response.content.decode()
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credit_code", "12371722MB1234567X", "统一社会信用代码校验位不正确"),
        ("credit_code", "ABC", "统一社会信用代码应为18位"),
        ("county", "110101", "110101 不在可用的选项中"),
        ("invoice_account", "6228-48", "银行账号只能由数字组成"),
    ],
)
def test_bad_registrations_are_refused_with_a_message(world, field, value, message):
    person = UserFactory(username="p1", mobile="13700000002")
    response = sign_in(person).post("/org/new/", organisation_post(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.exists()


def test_invitation_by_sms_accepted_by_the_invited_number_only(unit, world, django_capture_on_commit_callbacks):
    organisation, admin = unit
    client = sign_in(admin)
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/org/{organisation.pk}/members/", {"mobile": "139 1234 5678", "name": "李采购", "roles": ["purchaser"]}
        )
    assert response.status_code == 302
    message = sms.outbox[-1]
    assert message.mobile == "13912345678"
    assert "单县财政局" in message.text and "采购员" in message.text and "/org/" in message.text
    invitation = Invitation.objects.get()

    stranger = UserFactory(username="stranger", mobile="13900000000")
    refused = sign_in(stranger).post(f"/org/invitations/{invitation.pk}/accept/", follow=True)
    assert "这份邀请发给了手机号 139****5678" in refused.content.decode()
    assert not Member.objects.filter(user=stranger).exists()

    invited = UserFactory(username="li", name="李采购", mobile="13912345678")
    invited_client = sign_in(invited)
    assert "「单县财政局」邀请您担任：采购员" in invited_client.get("/org/").content.decode()
    invited_client.post(f"/org/invitations/{invitation.pk}/accept/")
    assert Member.objects.get(user=invited).roles == ["purchaser"]
    again = invited_client.post(f"/org/invitations/{invitation.pk}/accept/", follow=True)
    assert "邀请已失效" in again.content.decode()


def test_an_expired_or_revoked_invitation_cannot_be_accepted(unit, world):
    organisation, admin = unit
    client = sign_in(admin)
    client.post(f"/org/{organisation.pk}/members/", {"mobile": "13912345678", "roles": ["finance"]})
    invitation = Invitation.objects.get()
    invited = sign_in(UserFactory(username="li", mobile="13912345678"))
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, seconds=1)):
        assert "邀请已失效" in invited.post(f"/org/invitations/{invitation.pk}/accept/", follow=True).content.decode()
    client.post(f"/org/{organisation.pk}/invitations/{invitation.pk}/revoke/")
    assert "邀请已失效" in invited.post(f"/org/invitations/{invitation.pk}/accept/", follow=True).content.decode()
    assert Member.objects.filter(organisation=organisation).count() == 1


def test_the_last_administrator_stays(unit, world):
    organisation, admin = unit
    me = Member.objects.get(user=admin)
    client = sign_in(admin)
    response = client.post(
        f"/org/{organisation.pk}/members/{me.pk}/roles/", {f"m{me.pk}-roles": ["purchaser"]}, follow=True
    )
    assert "单位至少要有一名管理员" in response.content.decode()
    assert Member.objects.get(pk=me.pk).is_admin


def test_roles_refused_inside_the_organisation_and_across_it(unit, members, world):
    organisation, admin = unit
    purchaser, finance = members["purchaser"], members["finance"]
    for person in (purchaser, finance):
        client = sign_in(person)
        assert client.get(f"/org/{organisation.pk}/").status_code == 200
        for url in ("members/", "settings/", "quota/"):
            assert client.get(f"/org/{organisation.pk}/{url}").status_code == 403
        assert (
            client.post(f"/org/{organisation.pk}/members/", {"mobile": "13600000000", "roles": ["admin"]}).status_code
            == 403
        )
    # Another organisation's pages do not say they exist.
    other_admin = UserFactory(username="other", mobile="13600000009")
    sign_in(other_admin).post(
        "/org/new/", organisation_post(name="成武县教育局", credit_code=valid_credit_code("11371723MB0000001"))
    )
    other = Organisation.objects.get(name="成武县教育局")
    client = sign_in(admin)
    for url in ("", "members/", "settings/", "quota/"):
        assert client.get(f"/org/{other.pk}/{url}").status_code == 404
    assert client.get("/org/abc/").status_code == 400
    assert Client().get(f"/org/{organisation.pk}/").status_code == 302  # to sign in


# --- buying for the organisation -------------------------------------------------------------------------------------


def test_a_purchaser_buys_for_the_organisation_and_finance_cannot(unit, members, world):
    organisation, _admin = unit
    order = checkout_for(world, members["purchaser"], organisation)
    link = OrganisationOrder.objects.get(order=order)
    assert (link.organisation, link.purchaser) == (organisation, members["purchaser"])
    assert (order.buyer_type, order.organisation_name, order.tax_id) == (
        "budget_unit",
        "单县财政局",
        organisation.credit_code,
    )
    # Finance (and the approver) are not offered the organisation at checkout ...
    for role in ("finance", "approver"):
        client = sign_in(members[role])
        client.post("/cart/add/", {"product_id": world.yam.pk, "quantity": 1})
        assert 'name="buying_for"' not in client.get("/checkout/").content.decode()
    # ... a purchaser cannot post another organisation's id ...
    response = checkout_for(world, members["purchaser"], Organisation(pk=organisation.pk + 100), expect_refusal=True)
    assert response.status_code == 200 and response.context["form"].errors["buying_for"]
    # ... and the service itself refuses anyone but a purchaser: nothing is placed.
    orders_before = Order.objects.count()
    with pytest.raises(NotAllowed):
        place_order_for(
            [(world.yam, 1)],
            user=members["finance"],
            buyer_type="budget_unit",
            organisation_name="单县财政局",
            tax_id=organisation.credit_code,
            buying_for=str(organisation.pk),
        )
    assert Order.objects.count() == orders_before
    assert OrganisationOrder.objects.count() == 1


# --- the reserved share ----------------------------------------------------------------------------------------------


def test_quota_by_share_or_amount_with_the_regional_minimum(unit, world):
    organisation, admin = unit
    client = sign_in(admin)
    url = f"/org/{organisation.pk}/quota/?year=2026"
    low = client.post(url, {"planned_food": "100000", "mode": "share", "share": "9.99"})
    assert "预留比例应在 10.00% 到 100% 之间" in low.content.decode()
    assert client.post(url, {"planned_food": "100000", "mode": "share", "share": "abc"}).status_code == 200
    assert not Quota.objects.exists()
    client.post(url, {"planned_food": "100000", "mode": "share", "share": "12.5"})
    quota = Quota.objects.get()
    assert (quota.share_bp, quota.amount_fen, quota.reserved_fen) == (1250, None, 1_250_000)
    small = client.post(url, {"planned_food": "100000", "mode": "amount", "amount": "9999.99"})
    assert "预留金额不得低于采购计划的 10.00%（本地区最低要求），即 ¥10,000.00" in small.content.decode()
    client.post(url, {"planned_food": "100000", "mode": "amount", "amount": "30000"})
    quota.refresh_from_db()
    assert (quota.share_bp, quota.amount_fen, quota.reserved_fen) == (None, 3_000_000, 3_000_000)


@pytest.mark.parametrize(
    ("code", "minimum"), [("110101", 3000), ("440305", 2000), ("440106", 3000), ("360102", 3000), ("371722", 1000)]
)
def test_the_regional_minimum(code, minimum, world):
    from procurement.rules import minimum_share_bp

    assert minimum_share_bp(address_county(code).code) == minimum


def test_progress_equals_the_ledger_refunds_and_uncertified_sales_excluded(unit, members, world):
    """Spent = the unit's orders' ledger entries certified at payment, net of reversals, in
    the year: recomputed here independently from the order lines."""
    organisation, admin = unit
    purchaser = members["purchaser"]
    Certificate.objects.update(valid_from=dt.date(2026, 1, 1))  # certified all year
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)):
        march = checkout_for(world, purchaser, organisation, [(world.yam, 10)])
        pay_in_full(world, march)
    with time_machine.travel(dt.datetime(2026, 5, 5, 10, tzinfo=dt.UTC)):
        may = checkout_for(world, purchaser, organisation, [(world.yam, 2), (world.oil, 3)])
        pay_in_full(world, may)
        yam_line = may.suborders.get(shop=world.shop_a).lines.get()
        refund_lines(world, may, {yam_line: 1})
        # Placed while certified, paid after the oil's certificate was revoked: not counted.
        lapsed = checkout_for(world, purchaser, organisation, [(world.oil, 1)])
        Certificate.objects.filter(product=world.oil).update(revoked_at=timezone.now())
        pay_in_full(world, lapsed)
        # Someone else's order with the unit's tax ID typed in: not the unit's.
        outsider = UserFactory(username="outsider", roles=[Role.BUYER])
        checkout_for(world, outsider, None, [(world.yam, 1)], tax_id=organisation.credit_code, pay=True)
    sign_in(admin).post(
        f"/org/{organisation.pk}/quota/?year=2026", {"planned_food": "5000", "mode": "share", "share": "30"}
    )

    expected_march = 10 * 3880
    expected_may = 2 * 3880 + 3 * 12800 - 3880  # one yam refunded; the lapsed oil not counted
    ledger = LedgerEntry.objects.filter(order__in=[march, may, lapsed], certified_at_payment=True).aggregate(
        s=Sum("amount_fen")
    )["s"]
    assert ledger == expected_march + expected_may

    with time_machine.travel(dt.datetime(2026, 6, 1, 4, tzinfo=dt.UTC)):
        response = sign_in(admin).get(f"/org/{organisation.pk}/?year=2026")
    progress = response.context["progress"]
    assert progress.spent_fen == expected_march + expected_may == 81_080
    assert progress.reserved_fen == 150_000
    assert progress.left_fen == 150_000 - 81_080
    assert progress.done_bp == 81_080 * 10_000 // 150_000 == 5405
    assert progress.days_left == 214  # 2026-06-01 to 2026-12-31, today included
    assert [(m.month, m.spent_fen, m.cumulative_fen) for m in progress.months] == [
        (1, 0, 0),
        (2, 0, 0),
        (3, 38_800, 38_800),
        (4, 0, 38_800),
        (5, 42_280, 81_080),
        (6, 0, 81_080),
    ]
    page = response.content.decode()
    assert "¥810.80" in page and "54.05%" in page


def test_bureaus_see_the_units_of_their_region_ranked_and_exportable(unit, members, world):
    organisation, admin = unit
    sign_in(admin).post(
        f"/org/{organisation.pk}/quota/?year=2026", {"planned_food": "1000", "mode": "amount", "amount": "100"}
    )
    checkout_for(world, members["purchaser"], organisation, [(world.yam, 1)], pay=True)
    second_admin = UserFactory(username="edu", mobile="13600000008")
    sign_in(second_admin).post(
        "/org/new/",
        organisation_post(name="单县教育局", credit_code=valid_credit_code("11371722MB0000002")),
    )
    far_admin = UserFactory(username="far", mobile="13600000007")
    sign_in(far_admin).post(
        "/org/new/",
        organisation_post(
            name="东城区机关",
            credit_code=valid_credit_code("11110101MB0000003"),
            province="11",
            city="1101",
            county="110101",
        ),
    )
    with time_machine.travel(dt.datetime(2026, 7, 1, 4, tzinfo=dt.UTC)):
        officer = sign_in(world.officer_a)  # 单县商务局
        response = officer.get("/admin/procurement/units/?year=2026")
        assert response.status_code == 200
        rows = [(r.organisation.name, r.spent_fen, r.done_bp) for r in response.context["rows"]]
        # The unit with a quota first (38.80 of 100.00), the one without after; 东城区 not shown.
        assert rows == [("单县财政局", 3880, 3880), ("单县教育局", 0, None)]
        csv = b"".join(officer.get("/admin/procurement/units.csv?year=2026").streaming_content).decode("utf-8-sig")
        assert csv.splitlines()[1].split(",")[:7] == [
            "1",
            "单县财政局",
            organisation.credit_code,
            "山东省 菏泽市 单县",
            "100.00",
            "38.80",
            "38.80%",
        ]
        xlsx = officer.get("/admin/procurement/units.xlsx?year=2026")
        assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        # Another county's bureau sees neither; a shop operator and a buyer are refused.
        assert [
            r.organisation.name
            for r in sign_in(world.officer_b).get("/admin/procurement/units/?year=2026").context["rows"]
        ] == []
        assert sign_in(world.operator_a).get("/admin/procurement/units/").status_code in (302, 403)
        assert sign_in(admin).get("/admin/procurement/units/").status_code in (302, 403)
        platform = sign_in(world.admin).get("/admin/procurement/units/?year=2026")
        assert len(platform.context["rows"]) == 3
