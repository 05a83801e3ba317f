"""Monthly statements (对账单) of 单县财政局 (procurement/statements.py): which orders a month
shows and the exact figures, to the fen, for a month with an order paid and partly refunded,
an order on terms accepted but unpaid (its due date, then overdue), an invoice issued, an
order cancelled and one carried from the month before; the statement as XLSX (opened with
openpyxl) and PDF (read with pypdf); who may read them; and the queries, as many for six
orders as for two."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from invoices import services as invoice_services
from invoices.transitions import Actor as InvoiceActor
from orders import services as order_services
from orders.transitions import Actor, Target
from payments import services as payments
from procurement import services, statements
from procurement.models import Member, Organisation
from procurement.statement_documents import statement_pdf
from procurement.statements import Parcel, Statement, StatementOrder
from tests.factories import UserFactory, valid_credit_code
from tests.worlds import refund_lines

from .helpers import checkout_for, pay_in_full, sign_in

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
INVOICE_NUMBER = "26372000000000005678"


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SHANGHAI)


def ship(world, order) -> None:
    for suborder in order.suborders.select_related("shop"):
        operator = world.operator_a if suborder.shop_id == world.shop_a.pk else world.operator_b
        order_services.apply_transition(
            Target.SUBORDER,
            suborder.pk,
            "ship",
            by=operator,
            actor=Actor.OPERATOR,
            carrier="中国邮政",
            tracking_number="E1",
        )


def accept_all(organisation, purchaser, order) -> None:
    member = Member.objects.get(organisation=organisation, user=purchaser)
    for suborder in order.suborders.all():
        services.accept(member, suborder.pk, "accepted")


def invoice(world, organisation, purchaser, order, *, number=INVOICE_NUMBER):
    """The purchaser asks for a 增值税专用发票 of the order's yam parcel; its shop issues it on paper."""
    suborder = order.suborders.get(shop=world.shop_a)
    requested = invoice_services.request_invoice(
        suborder.pk,
        by=purchaser,
        kind="special",
        title_type="company",
        title=organisation.name,
        tax_id=organisation.credit_code,
        address="单县园艺街道 1 号",
        phone="0530-4621000",
        bank="中国农业银行单县支行",
        account="1571 0101 0400 12345",
        email="caiwu@example.cn",
    )
    return invoice_services.apply(
        requested.pk, "issue", by=world.operator_a, actor=InvoiceActor.OPERATOR, medium="paper", number=number
    )


@pytest.fixture
def months(world, unit, members):
    """单县财政局's February to April 2026, every step at its own Shanghai time:

    * C 02-20: 1 yam ¥38.80, paid at once (the unit pays first then);
    * the unit then pays bank transfers 30 days after acceptance (验收后付款);
    * F 02-25: 1 oil ¥128.00 on terms, never shipped; cancelled 04-18;
    * A 03-03: 10 yam ¥388.00, paid early on 03-03; one yam refunded 03-20; its parcel's
      增值税专用发票 issued 03-21;
    * B 03-05: 2 yam + 1 oil ¥205.60 on terms, shipped 03-06, both parcels accepted 03-10
      (due by the end of 04-09); ¥100.00 received 04-15;
    * D 03-25: 1 yam ¥38.80, cancelled 03-26."""
    from certification.models import Certificate

    organisation, admin = unit
    purchaser = members["purchaser"]
    Certificate.objects.update(valid_from=dt.date(2026, 1, 1))  # certified all year
    orders = {}
    with time_machine.travel(at(2, 20)):
        orders["C"] = checkout_for(world, purchaser, organisation, [(world.yam, 1)], pay=True)
    Organisation.objects.filter(pk=organisation.pk).update(payment_terms_days=30)
    with time_machine.travel(at(2, 25)):
        orders["F"] = checkout_for(world, purchaser, organisation, [(world.oil, 1)])
    with time_machine.travel(at(3, 3)):
        orders["A"] = checkout_for(world, purchaser, organisation, [(world.yam, 10)], pay=True)
    with time_machine.travel(at(3, 5)):
        orders["B"] = checkout_for(world, purchaser, organisation, [(world.yam, 2), (world.oil, 1)])
    with time_machine.travel(at(3, 6)):
        ship(world, orders["B"])
    with time_machine.travel(at(3, 10)):
        accept_all(organisation, purchaser, orders["B"])
    with time_machine.travel(at(3, 20)):
        refund_lines(world, orders["A"], {orders["A"].suborders.get().lines.get(): 1})
    with time_machine.travel(at(3, 21)):
        invoice(world, organisation, purchaser, orders["A"])
    with time_machine.travel(at(3, 25)):
        orders["D"] = checkout_for(world, purchaser, organisation, [(world.yam, 1)])
    with time_machine.travel(at(3, 26)):
        order_services.apply_transition(Target.ORDER, orders["D"].pk, "cancel", by=purchaser, actor=Actor.BUYER)
    with time_machine.travel(at(4, 15)):
        payments.record_transfer_receipt(orders["B"].pk, amount_fen=100_00, reference="BANK-B-1", by=world.admin)
    with time_machine.travel(at(4, 18)):
        order_services.apply_transition(Target.ORDER, orders["F"].pk, "cancel", by=purchaser, actor=Actor.BUYER)
    for order in orders.values():
        order.refresh_from_db()
    assert (orders["A"].status, orders["B"].status, orders["F"].status) == (
        "partially_refunded",
        "on_terms",
        "cancelled",
    )
    return organisation, orders


def figures(statement: Statement) -> dict:
    return {
        "opening": statement.opening_fen,
        "ordered": statement.ordered_fen,
        "paid": statement.paid_fen,
        "refunded": statement.refunded_fen,
        "cancelled": statement.cancelled_fen,
        "outstanding": statement.outstanding_fen,
        "overdue": statement.overdue_fen,
    }


def balances(statement: Statement) -> bool:
    """Opening + ordered − paid − cancelled = unpaid at month end."""
    return (
        statement.opening_fen + statement.ordered_fen - statement.paid_fen - statement.cancelled_fen
        == statement.outstanding_fen
    )


# --- the figures ----------------------------------------------------------------------------------------------


def test_march_shows_the_month_and_the_balance_carried_with_exact_figures(months):
    organisation, orders = months
    with time_machine.travel(at(4, 20)):
        march = statements.statement(organisation, 2026, 3)
    # C was paid in February and nothing happened to it since: not on March's statement.
    assert [row.number for row in march.orders] == [orders[k].number for k in "FABD"]
    assert figures(march) == {
        "opening": 128_00,  # F, carried
        "ordered": 388_00 + 205_60,  # A and B; D cancelled in the month
        "paid": 388_00,
        "refunded": 38_80,
        "cancelled": 0,
        "outstanding": 128_00 + 205_60,
        "overdue": 0,  # B falls due in April
    }
    assert balances(march)
    f, a, b, d = march.orders

    # F: carried, as it stood at the end of March (cancelled only in April).
    assert (f.placed_on, f.placed_in_month, f.status, f.opening_fen, f.outstanding_fen) == (
        dt.date(2026, 2, 25),
        False,
        "验收后付款",
        128_00,
        128_00,
    )
    assert (f.terms_days, f.due_on, f.overdue) == (30, None, False)  # not yet accepted: no clock
    assert [(p.shop, p.status, p.acceptance) for p in f.parcels] == [("汶上村电商服务站", "待发货（验收后付款）", "")]

    # A: paid early, one yam refunded, its parcel's invoice issued.
    assert (a.purchaser, a.status, a.total_fen, a.paid_fen, a.refunded_fen, a.outstanding_fen) == (
        "单位purchaser",
        "部分退款",
        388_00,
        388_00,
        38_80,
        0,
    )
    assert (a.due_on, a.overdue) == (None, False)
    (parcel,) = a.parcels
    assert (parcel.shop, parcel.subtotal_fen, parcel.status) == ("朱楼村电商服务站", 388_00, "待发货")
    assert (parcel.invoice_kind, parcel.invoice_status, parcel.invoice_number) == (
        "增值税专用发票",
        "已开票",
        INVOICE_NUMBER,
    )

    # B: on terms, both parcels accepted on 03-10, unpaid at the end of March: due 04-09.
    assert (b.status, b.total_fen, b.paid_fen, b.outstanding_fen) == ("验收后付款", 205_60, 0, 205_60)
    assert (b.terms_days, b.due_on, b.overdue) == (30, dt.date(2026, 4, 9), False)
    assert [(p.shop, p.subtotal_fen, p.status, p.acceptance, p.accepted_on, p.invoice_kind) for p in b.parcels] == [
        ("朱楼村电商服务站", 77_60, "已完成", "验收合格", dt.date(2026, 3, 10), ""),
        ("汶上村电商服务站", 128_00, "已完成", "验收合格", dt.date(2026, 3, 10), ""),
    ]

    # D: placed and cancelled in March: listed, counted nowhere.
    assert (d.status, d.closed, d.total_fen, d.outstanding_fen) == ("已取消", True, 38_80, 0)


def test_april_carries_the_unpaid_orders_flags_the_overdue_and_counts_the_cancelled(months):
    organisation, orders = months
    with time_machine.travel(at(4, 20)):
        april = statements.statement(organisation, 2026, 4)
    # A (settled in March) and D (cancelled in March) are not carried.
    assert [row.number for row in april.orders] == [orders["F"].number, orders["B"].number]
    assert figures(april) == {
        "opening": 128_00 + 205_60,
        "ordered": 0,
        "paid": 100_00,
        "refunded": 0,
        "cancelled": 128_00,  # F, cancelled on 04-18
        "outstanding": 105_60,
        "overdue": 105_60,  # B, due by the end of 04-09
    }
    assert balances(april)
    f, b = april.orders
    assert (f.status, f.opening_fen, f.outstanding_fen, f.closed) == ("已取消", 128_00, 0, True)
    assert (b.opening_fen, b.paid_fen, b.outstanding_fen, b.due_on, b.overdue) == (
        205_60,
        100_00,
        105_60,
        dt.date(2026, 4, 9),
        True,
    )
    assert april.in_progress  # generated on 04-20, before April ended


def test_a_month_reads_the_same_whenever_it_is_printed(months):
    """February from its end and from later: the statuses are those at the end of the month."""
    organisation, orders = months
    with time_machine.travel(at(3, 1, 9)):
        then = statements.statement(organisation, 2026, 2)
    with time_machine.travel(at(6, 1)):
        later = statements.statement(organisation, 2026, 2)
    assert (
        figures(then)
        == figures(later)
        == {
            "opening": 0,
            "ordered": 38_80 + 128_00,
            "paid": 38_80,
            "refunded": 0,
            "cancelled": 0,
            "outstanding": 128_00,
            "overdue": 0,
        }
    )
    assert [(r.number, r.status) for r in later.orders] == [
        (orders["C"].number, "已付款"),
        (orders["F"].number, "验收后付款"),
    ]
    assert not later.in_progress


def test_the_twelve_months_in_one_pass_agree_with_each_month(months):
    organisation, _orders = months
    with time_machine.travel(at(4, 20)):
        listed = statements.statements(organisation, statements.months_back())
        assert [s.key for s in listed[:4]] == ["2026-04", "2026-03", "2026-02", "2026-01"] and len(listed) == 12
        for s in listed[:4]:
            assert figures(s) == figures(statements.statement(organisation, s.year, s.month))
            assert balances(s)
        assert all(not s.orders for s in listed[3:])


def test_months_in_addresses():
    with time_machine.travel(at(4, 20)):
        assert statements.parse_month("2026-04") == (2026, 4)
        assert statements.parse_month("2000-01") == (2000, 1)
        for bad in (
            "2026-05",
            "2026-13",
            "2026-00",
            "1999-12",
            "2026-3",
            "2026_03",
            "２０２６-03",
            "",
            None,
            "abcd-ef",
        ):
            assert statements.parse_month(bad) is None, bad


# --- the pages and the files ------------------------------------------------------------------------------------


def test_the_page_lists_twelve_months_and_shows_the_month_asked(months, members):
    organisation, orders = months
    finance = sign_in(members["finance"])
    with time_machine.travel(at(4, 20)):
        response = finance.get(f"/org/{organisation.pk}/statements/?month=2026-03")
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["shown"].key == "2026-03" and len(response.context["listed"]) == 12
    assert "2026年3月对账单" in page
    for text in (
        orders["B"].number,
        "¥333.60",
        "¥593.60",
        "¥38.80",
        "2026-04-09",
        "验收合格",
        INVOICE_NUMBER,
        "上期结转",
    ):
        assert text in page, text
    assert f'href="/org/{organisation.pk}/statements/2026-03.xlsx"' in page
    assert f'href="/org/{organisation.pk}/statements/2026-03.pdf"' in page
    assert 'class="cart-table order-lines"' in page and 'data-label="月末未付"' in page
    with time_machine.travel(at(4, 20)):
        current = finance.get(f"/org/{organisation.pk}/statements/")
    assert current.context["shown"].key == "2026-04" and "逾期" in current.content.decode()
    # A month older than the list is shown too.
    with time_machine.travel(at(4, 20)):
        older = finance.get(f"/org/{organisation.pk}/statements/?month=2024-11")
    assert older.status_code == 200 and older.context["shown"].key == "2024-11"


def test_the_xlsx_has_the_parcels_and_the_totals_as_numbers_and_dates(months, members):
    organisation, orders = months
    with time_machine.travel(at(4, 20)):
        response = sign_in(members["finance"]).get(f"/org/{organisation.pk}/statements/2026-03.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert (
        response["Content-Disposition"] == f'attachment; filename="statement-{organisation.credit_code}-2026-03.xlsx"'
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["订单明细", "汇总"]
    sheet = wb["订单明细"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:9] == (
        "订单号",
        "下单日期",
        "采购员",
        "订单状态",
        "订单金额（元）",
        "期初未付（元）",
        "本月付款（元）",
        "本月退款（元）",
        "月末未付（元）",
    )
    body = rows[1:]
    # One row per parcel: F, A, B (two parcels), D.
    assert [r[0] for r in body] == [orders[k].number for k in "FABBD"]
    col = {name: header.index(name) for name in header}
    a = body[1]
    assert a[col["下单日期"]] == dt.datetime(2026, 3, 3)  # a date cell
    assert sheet.cell(row=3, column=col["下单日期"] + 1).number_format == "yyyy-mm-dd"
    assert (a[col["订单金额（元）"]], a[col["本月付款（元）"]], a[col["本月退款（元）"]], a[col["月末未付（元）"]]) == (
        388,
        388,
        38.8,
        0,
    )
    assert sheet.cell(row=3, column=col["本月退款（元）"] + 1).number_format == "#,##0.00"
    assert (a[col["网店"]], a[col["发票类型"]], a[col["发票状态"]], a[col["发票号码"]]) == (
        "朱楼村电商服务站",
        "增值税专用发票",
        "已开票",
        INVOICE_NUMBER,
    )
    b_yam, b_oil = body[2], body[3]
    assert (b_yam[col["付款期限"]], b_yam[col["月末未付（元）"]], b_yam[col["验收日期"]]) == (
        dt.datetime(2026, 4, 9),
        205.6,
        dt.datetime(2026, 3, 10),
    )
    assert b_oil[col["月末未付（元）"]] is None and b_oil[col["包裹金额（元）"]] == 128  # the order's figures once
    # Each money column adds up to the totals.
    for name, fen in (("本月付款（元）", 388_00), ("本月退款（元）", 38_80), ("月末未付（元）", 333_60)):
        assert round(sum(r[col[name]] or 0 for r in body) * 100) == fen, name

    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary["单位"] == "单县财政局" and summary["统一社会信用代码"] == organisation.credit_code
    assert (summary["起始日期"], summary["截止日期"]) == (dt.datetime(2026, 3, 1), dt.datetime(2026, 3, 31))
    assert summary["生成时间（北京时间）"].replace(second=0) == dt.datetime(2026, 4, 20, 10, 0)
    assert summary["订单数"] == 4
    assert {
        k: round(summary[k] * 100) for k in ("期初未付", "本月下单", "本月付款", "本月退款", "月末未付", "其中逾期")
    } == {
        "期初未付": 128_00,
        "本月下单": 593_60,
        "本月付款": 388_00,
        "本月退款": 38_80,
        "月末未付": 333_60,
        "其中逾期": 0,
    }


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_in_chinese_with_the_unit_the_month_and_the_totals(months, unit):
    organisation, orders = months
    with time_machine.travel(at(4, 20)):
        response = sign_in(unit[1]).get(f"/org/{organisation.pk}/statements/2026-03.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="statement-{organisation.credit_code}-2026-03.pdf"'
    pages, text = pdf_text(response.content)
    assert pages == 1
    for expected in (
        "单县财政局 2026年3月对账单",
        f"统一社会信用代码：{organisation.credit_code}",
        "2026-03-01 至 2026-03-31",
        "生成时间：2026-04-20 10:00（北京时间）",
        "期初未付",
        "月末未付",
        "¥128.00",
        "¥593.60",
        "¥333.60",
        "¥38.80",
        orders["B"].number,
        "2026-04-09",
        "验收合格",
        INVOICE_NUMBER,
        "第 1 页",
    ):
        assert expected in text, expected


def test_a_long_statement_runs_over_pages_with_the_header_on_each(unit):
    organisation, _admin = unit
    rows = [
        StatementOrder(
            number=f"2026031{n:09d}",
            placed_at=at(3, 1 + n % 28),
            purchaser="采购员",
            status="已付款",
            total_fen=100_00 + n,
            paid_fen=100_00 + n,
            refunded_fen=0,
            opening_fen=0,
            outstanding_fen=0,
            placed_in_month=True,
            closed=False,
            parcels=[Parcel(shop="朱楼村电商服务站", subtotal_fen=100_00 + n, status="已完成", acceptance="验收合格")],
        )
        for n in range(80)
    ]
    start, end = statements.month_bounds(2026, 3)
    long = Statement(organisation, 2026, 3, start, end, at(4, 2), orders=rows, paid_fen=sum(r.paid_fen for r in rows))
    reader = pypdf.PdfReader(io.BytesIO(statement_pdf(long)))
    assert len(reader.pages) >= 3
    for n, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert "订单号" in text and "月末未付" in text and f"第 {n} 页" in text and "单县财政局" in text


# --- who may read them ------------------------------------------------------------------------------------------


def test_only_finance_and_administrators_read_statements(unit, members):
    organisation, admin = unit
    urls = [f"/org/{organisation.pk}/statements/{tail}" for tail in ("", "2026-03.xlsx", "2026-03.pdf")]
    with time_machine.travel(at(4, 20)):
        for who in (admin, members["finance"]):
            for url in urls:
                assert sign_in(who).get(url).status_code == 200, (who, url)
        for role in ("purchaser", "approver"):
            for url in urls:
                response = sign_in(members[role]).get(url)
                assert response.status_code == 403, (role, url)
        for url in urls:
            response = Client().get(url)
            assert response.status_code == 302 and response["Location"].endswith(f"login/?next={url}"), url

        # Another organisation's finance: a 404, as for a stranger; their own statements open.
        other = Organisation.objects.create(
            kind="budget_unit",
            name="成武县财政局",
            credit_code=valid_credit_code("11371723MB7654321"),
            region=organisation.region,
            invoice_title="成武县财政局",
        )
        outsider = UserFactory(username="other-finance", mobile="13600000009")
        Member.objects.create(organisation=other, user=outsider, is_finance=True)
        for who in (outsider, UserFactory(username="stranger", mobile="13600000010")):
            for url in urls:
                assert sign_in(who).get(url).status_code == 404, (who, url)
        assert sign_in(outsider).get(f"/org/{other.pk}/statements/").status_code == 200


def test_a_bad_month_is_a_404_in_a_file_address_and_a_400_as_a_choice(unit, members):
    organisation, admin = unit
    client = sign_in(members["finance"])
    with time_machine.travel(at(4, 20)):
        for month in ("2026-13", "2026-00", "2026-05", "1999-12", "2026-3", "9999999999-01", "26-03", "２０２６-03"):
            for ext in ("xlsx", "pdf"):
                assert client.get(f"/org/{organisation.pk}/statements/{month}.{ext}").status_code == 404, month
        assert client.get(f"/org/{organisation.pk}/statements/2026-03.csv").status_code == 404
        for raw in ("2026-13", "abc", "2026-05", "1999-12", "2026-02-30"):
            response = client.get(f"/org/{organisation.pk}/statements/", {"month": raw})
            assert response.status_code == 400, raw
            assert "请选择 2000 年 1 月至本月之间的月份" in response.content.decode()
        assert client.get("/org/²/statements/").status_code in (400, 404)


def test_the_dashboard_links_finance_and_administrators_to_the_statements(unit, members):
    organisation, admin = unit
    link = f'href="/org/{organisation.pk}/statements/"'
    for who in (admin, members["finance"]):
        assert link in sign_in(who).get(f"/org/{organisation.pk}/").content.decode()
    for role in ("purchaser", "approver"):
        assert link not in sign_in(members[role]).get(f"/org/{organisation.pk}/").content.decode()


# --- queries ----------------------------------------------------------------------------------------------------


def test_the_queries_do_not_grow_with_the_orders(world, unit, members):
    """Two orders, then six (paid, refunded, on terms, shipped and accepted, invoiced): the
    statement, the page and the files read with the same number of queries."""
    from certification.models import Certificate

    organisation, admin = unit
    purchaser = members["purchaser"]
    Certificate.objects.update(valid_from=dt.date(2026, 1, 1))
    finance = sign_in(members["finance"])

    def count() -> list[int]:
        counts = []
        with time_machine.travel(at(3, 28)):
            with CaptureQueriesContext(connection) as queries:
                statements.statement(organisation, 2026, 3)
            counts.append(len(queries))
            for url in ("", "2026-03.xlsx", "2026-03.pdf"):
                finance.get(f"/org/{organisation.pk}/statements/{url}")  # sessions and caches warm
                with CaptureQueriesContext(connection) as queries:
                    assert finance.get(f"/org/{organisation.pk}/statements/{url}").status_code == 200
                counts.append(len(queries))
        return counts

    def paid_and_invoiced(day: int, number: str):
        with time_machine.travel(at(3, day)):
            order = checkout_for(world, purchaser, organisation, [(world.yam, 2), (world.oil, 1)], pay=True)
            invoice(world, organisation, purchaser, order, number=number)
        return order

    paid_and_invoiced(2, "12345671")
    Organisation.objects.filter(pk=organisation.pk).update(payment_terms_days=30)
    with time_machine.travel(at(3, 3)):
        on_terms = checkout_for(world, purchaser, organisation, [(world.yam, 1)])
    two = count()

    refunded = paid_and_invoiced(4, "12345672")
    with time_machine.travel(at(3, 5)):
        refund_lines(world, refunded, {refunded.suborders.get(shop=world.shop_b).lines.get(): 1})
        shipped = checkout_for(world, purchaser, organisation, [(world.yam, 1), (world.oil, 1)])
        ship(world, shipped)
        accept_all(organisation, purchaser, shipped)
        ship(world, on_terms)
        accept_all(organisation, purchaser, on_terms)
        pay_in_full(world, checkout_for(world, purchaser, organisation, [(world.oil, 2)]))
    paid_and_invoiced(6, "12345673")
    with time_machine.travel(at(3, 28)):
        assert len(statements.statement(organisation, 2026, 3).orders) == 6
    assert count() == two
