"""Live events in the Wagtail admin: who sees and who manages which event (every refusal
by URL), making events and featuring products through the forms, tokens shown once,
totals after the event, results and exports with the screen's numbers, bounded queries."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from live.models import FeaturedProduct, LiveEvent, ViewerToken
from live_results.selectors import event_results
from tests.factories import FeaturedProductFactory, LiveEventFactory

from .conftest import clock, local, pay, place, tag_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pages")]


def url(name, *args):
    return reverse(f"live_admin:{name}", args=args)


def as_user(client, user):
    client.force_login(user)
    return client


def event_urls(event) -> dict[str, tuple[str, str]]:
    """Every admin URL of one event, with its method."""
    feature = event.featured.first()
    token = event.viewer_tokens.first()
    urls = {
        "detail": ("get", url("event", event.pk)),
        "results": ("get", url("results", event.pk)),
        "results.csv": ("get", url("results_export", event.pk, "csv")),
        "results.xlsx": ("get", url("results_export", event.pk, "xlsx")),
        "qr": ("get", url("qr", event.pk)),
        "edit": ("get", url("edit", event.pk)),
        "go_live": ("post", url("go_live", event.pk)),
        "off_air": ("post", url("off_air", event.pk)),
        "featured_add": ("post", url("featured_add", event.pk)),
        "token_create": ("post", url("token_create", event.pk)),
        "totals": ("post", url("totals", event.pk)),
    }
    if feature:
        urls["featured_update"] = ("post", url("featured_update", event.pk, feature.pk))
        urls["featured_remove"] = ("post", url("featured_remove", event.pk, feature.pk))
    if token:
        urls["token_revoke"] = ("post", url("token_revoke", event.pk, token.pk))
    return urls


READ_ONLY = {"detail", "results", "results.csv", "results.xlsx", "qr"}


ADMIN_HOME = "/admin/"


def outcome(response):
    """The status code, or "denied" for Wagtail's permission-denied answer (back to the
    dashboard with a message, nothing of the event)."""
    if response.status_code == 302 and response.url == ADMIN_HOME:
        return "denied"
    return response.status_code


def statuses(client, event) -> dict[str, int | str]:
    return {name: outcome(getattr(client, method)(path)) for name, (method, path) in event_urls(event).items()}


@pytest.fixture
def with_token(live_world):
    from live import services

    for event, operator in (
        (live_world.event_a, live_world.w.operator_a),
        (live_world.event_b, live_world.w.operator_b),
    ):
        services.issue_token(event.pk, by=operator)
    return live_world


def test_operator_a_can_neither_open_nor_change_shop_bs_event_by_url(client, with_token):
    lw = with_token
    as_user(client, lw.w.operator_a)

    assert set(statuses(client, lw.event_b).values()) == {404}
    listing = client.get(url("index")).content.decode()
    assert "单县山药直播专场" in listing and "成武牡丹籽油直播" not in listing
    export = client.get(url("export", "csv"))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["单县山药直播专场"]
    # Nothing changed on event B.
    assert ViewerToken.objects.filter(event=lw.event_b, revoked_at__isnull=True).count() == 1
    assert FeaturedProduct.objects.filter(event=lw.event_b).count() == 1
    lw.event_b.refresh_from_db()
    assert lw.event_b.actual_start is None


def test_county_officer_a_sees_nothing_of_county_bs_events(client, with_token):
    lw = with_token
    as_user(client, lw.w.officer_a)

    assert set(statuses(client, lw.event_b).values()) == {404}
    listing = client.get(url("index")).content.decode()
    assert "单县山药直播专场" in listing and "成武牡丹籽油直播" not in listing
    xlsx = load_workbook(io.BytesIO(client.get(url("export", "xlsx")).content))
    assert [row[1] for row in xlsx.active.iter_rows(min_row=2, values_only=True)] == ["单县山药直播专场"]
    # The city's officer sees both.
    as_user(client, lw.w.officer_city)
    listing = client.get(url("index")).content.decode()
    assert "单县山药直播专场" in listing and "成武牡丹籽油直播" in listing


def test_officers_read_shop_events_in_their_jurisdiction_but_change_none_of_them(client, with_token):
    lw = with_token
    as_user(client, lw.w.officer_a)

    codes = statuses(client, lw.event_a)
    assert {name: code for name, code in codes.items() if name in READ_ONLY} == dict.fromkeys(READ_ONLY, 200)
    assert {name: code for name, code in codes.items() if name not in READ_ONLY} == dict.fromkeys(
        set(codes) - READ_ONLY, "denied"
    )
    lw.event_a.refresh_from_db()
    assert lw.event_a.actual_start is None and lw.event_a.featured.count() == 1


def test_a_joint_event_is_seen_by_both_operators_and_managed_by_the_platform(client, live_world):
    lw = live_world
    joint = LiveEventFactory(title="菏泽联合直播", shops=[lw.w.shop_a, lw.w.shop_b])
    assert joint.region == lw.w.city  # the smallest region holding both shops

    for operator in (lw.w.operator_a, lw.w.operator_b):
        as_user(client, operator)
        assert client.get(url("event", joint.pk)).status_code == 200
        assert outcome(client.get(url("edit", joint.pk))) == "denied"
    as_user(client, lw.w.officer_a)  # not all of its shops are in 单县
    assert client.get(url("event", joint.pk)).status_code == 404
    as_user(client, lw.w.officer_city)
    assert client.get(url("event", joint.pk)).status_code == 200
    as_user(client, lw.w.admin)
    assert client.get(url("edit", joint.pk)).status_code == 200


def event_post(**overrides) -> dict:
    day = dt.date.today() + dt.timedelta(days=5)
    data = {
        "title": "朱楼村山药节直播",
        "host": "朱晓燕",
        "platform": "douyin",
        "external_url": "https://live.douyin.com/123456",
        "embed_url": "",
        "description": "现挖铁棍山药",
        "scheduled_start": f"{day:%Y-%m-%d}T19:30",
        "scheduled_end": f"{day:%Y-%m-%d}T21:30",
        "actual_start": "",
        "actual_end": "",
        "replay_url": "",
        "is_published": "on",
    }
    data.update(overrides)
    return data


def test_an_operator_schedules_an_event_for_their_shop_and_features_products(client, live_world):
    lw = live_world
    as_user(client, lw.w.operator_a)

    refused = client.post(url("add"), event_post(shops=[lw.w.shop_b.pk]))
    assert refused.status_code == 200 and "shops" in refused.context["form"].errors
    missing_link = client.post(url("add"), event_post(shops=[lw.w.shop_a.pk], external_url=""))
    assert "外部平台直播须填写直播间链接。" in missing_link.content.decode()
    backwards = client.post(
        url("add"), event_post(shops=[lw.w.shop_a.pk], scheduled_end=event_post()["scheduled_start"])
    )
    assert "计划结束时间须晚于计划开始时间。" in backwards.content.decode()

    response = client.post(url("add"), event_post(shops=[lw.w.shop_a.pk]))
    event = LiveEvent.objects.get(title="朱楼村山药节直播")
    assert response.status_code == 302 and response["Location"] == url("event", event.pk)
    assert list(event.shops.all()) == [lw.w.shop_a] and event.region == lw.w.village_a
    assert event.scheduled_start == local(dt.date.today() + dt.timedelta(days=5), 19, 30)
    assert event.created_by == lw.w.operator_a and event.organiser_bureau is None

    # Featured products: own listed products only, at most their own price.
    too_dear = client.post(
        url("featured_add", event.pk), {"product": lw.w.yam.pk, "event_price": "39.00", "sort_order": 1}, follow=True
    )
    assert "「单县铁棍山药」直播价不能高于日常价 ¥38.80。" in [str(m) for m in too_dear.context["messages"]]
    other_shop = client.post(
        url("featured_add", event.pk), {"product": lw.w.oil.pk, "event_price": "", "sort_order": 1}, follow=True
    )
    assert any("选择一个有效的选项" in str(m) for m in other_shop.context["messages"])
    client.post(url("featured_add", event.pk), {"product": lw.w.yam.pk, "event_price": "29.90", "sort_order": 1})
    assert list(event.featured.values_list("product_id", "event_price_fen")) == [(lw.w.yam.pk, 2990)]
    feature = event.featured.get()
    client.post(
        url("featured_update", event.pk, feature.pk),
        {f"f{feature.pk}-event_price": "27.50", f"f{feature.pk}-sort_order": 2},
    )
    feature.refresh_from_db()
    assert (feature.event_price_fen, feature.sort_order) == (2750, 2)
    # Taking the shop off the event while its product is featured is refused.
    keep = client.post(url("edit", event.pk), event_post(shops=[]))
    assert "shops" in keep.context["form"].errors


def test_an_officer_runs_a_region_event_whose_shops_follow_its_products(client, live_world):
    lw = live_world
    as_user(client, lw.w.officer_a)
    response = client.post(url("add"), event_post(platform="own", external_url="", region=lw.w.county_a.pk))
    event = LiveEvent.objects.get(title="朱楼村山药节直播")
    assert response.status_code == 302
    assert (event.organiser_bureau, event.region) == (lw.w.officer_a.bureau, lw.w.county_a)

    outside = client.post(url("featured_add", event.pk), {"product": lw.w.oil.pk, "sort_order": 0}, follow=True)
    assert any("选择一个有效的选项" in str(m) for m in outside.context["messages"])  # 成武县 is not 单县
    client.post(url("featured_add", event.pk), {"product": lw.w.yam.pk, "event_price": "30", "sort_order": 0})
    assert list(event.shops.all()) == [lw.w.shop_a]

    # Shop A's operator sees the bureau's event (their product is in it) but cannot change it.
    as_user(client, lw.w.operator_a)
    assert client.get(url("event", event.pk)).status_code == 200
    assert outcome(client.get(url("edit", event.pk))) == "denied"
    # County B's officer does not see it; the city's officer sees it, changes nothing.
    as_user(client, lw.w.officer_b)
    assert client.get(url("event", event.pk)).status_code == 404
    as_user(client, lw.w.officer_city)
    assert client.get(url("event", event.pk)).status_code == 200
    assert outcome(client.post(url("go_live", event.pk))) == "denied"
    # An officer may not run an event for a region outside their jurisdiction.
    as_user(client, lw.w.officer_a)
    refused = client.post(
        url("add"), event_post(title="越界", platform="own", external_url="", region=lw.w.county_b.pk)
    )
    assert "region" in refused.context["form"].errors
    assert not LiveEvent.objects.filter(title="越界").exists()


def test_going_on_and_off_air_and_totals_after_the_event(client, live_world):
    lw = live_world
    as_user(client, lw.w.operator_a)
    with clock(lw.start + dt.timedelta(minutes=3)):
        client.post(url("go_live", lw.event_a.pk))
        early_totals = client.post(url("totals", lw.event_a.pk), {"peak_viewers": "100"}, follow=True)
    assert "直播结束后才能录入观看总数。" in [str(m) for m in early_totals.context["messages"]]
    with clock(lw.end + dt.timedelta(minutes=10)):
        client.post(url("off_air", lw.event_a.pk))
        bad = client.post(url("totals", lw.event_a.pk), {"peak_viewers": "-3"}, follow=True)
        assert any("最高同时在线人数" in str(m) for m in bad.context["messages"])
        client.post(url("totals", lw.event_a.pk), {"peak_viewers": "297000", "total_views": "1200000", "likes": ""})
    lw.event_a.refresh_from_db()
    assert lw.event_a.actual_start == lw.event_a.scheduled_start + dt.timedelta(minutes=3)
    assert lw.event_a.actual_end == lw.event_a.scheduled_end + dt.timedelta(minutes=10)
    assert (lw.event_a.manual_peak_viewers, lw.event_a.manual_total_views, lw.event_a.manual_likes) == (
        297_000,
        1_200_000,
        None,
    )
    assert lw.event_a.totals_entered_by == lw.w.operator_a


def test_a_token_is_shown_once_and_can_be_revoked(client, live_world):
    lw = live_world
    as_user(client, lw.w.operator_a)
    page = client.post(url("token_create", lw.event_a.pk), {"label": "抖音助手"}).content.decode()
    token = ViewerToken.objects.get()
    raw = page.split('<code class="raw-token">')[1].split("</code>")[0]
    assert raw.startswith(token.prefix) and "只显示这一次" in page

    again = client.get(url("event", lw.event_a.pk)).content.decode()
    assert raw not in again and f"{token.prefix}…" in again
    client.post(url("token_revoke", lw.event_a.pk, token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == lw.w.operator_a


@pytest.fixture
def some_sales(live_world):
    lw = live_world
    tag = tag_of(lw.event_a, lw.start)
    for minute, quantity in ((5, 2), (15, 1)):
        order = place([(lw.w.yam, quantity)], at=lw.start + dt.timedelta(minutes=minute), tag=tag)
        pay(lw.w, order, at=lw.start + dt.timedelta(minutes=minute + 1))
    window = place([(lw.w.yam, 1)], at=lw.start + dt.timedelta(minutes=30))
    pay(lw.w, window, at=lw.start + dt.timedelta(minutes=31))
    return lw


def test_results_page_and_its_exports_show_the_same_numbers(client, some_sales):
    lw = some_sales
    as_user(client, lw.w.officer_city)
    results = event_results(lw.event_a)
    assert (results.in_live.orders, results.in_live.gmv_fen, results.window.gmv_fen) == (2, 8970, 2990)

    page = client.get(url("results", lw.event_a.pk))
    rows = {row[0]: row[1:] for row in page.context["rows"]}
    assert rows["订单数"] == [2, 0, 2, 1]
    assert rows["成交额(元)"] == [Decimal("89.70"), Decimal("0.00"), Decimal("89.70"), Decimal("29.90")]
    assert "89.70" in page.content.decode()

    csv_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(client.get(url("results_export", lw.event_a.pk, "csv")).streaming_content).decode("utf-8-sig")
            )
        )
    )
    assert csv_rows[0] == ["指标", "直播中", "直播后7天", "直播带货合计", "直播时段自然成交"]
    csv_by_label = {row[0]: row[1:] for row in csv_rows[1:] if row}
    assert csv_by_label["订单数"] == ["2", "0", "2", "1"]
    assert csv_by_label["成交额(元)"] == ["89.70", "0.00", "89.70", "29.90"]
    sheet = load_workbook(io.BytesIO(client.get(url("results_export", lw.event_a.pk, "xlsx")).content)).active
    xlsx_by_label = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert xlsx_by_label["成交额(元)"] == (89.7, 0, 89.7, 29.9)

    listing = client.get(url("index"))
    row = next(r for e, r in listing.context["rows"] if e.pk == lw.event_a.pk)
    assert (row.attributed.orders, row.attributed.gmv_fen) == (2, 8970)
    export = list(
        csv.reader(io.StringIO(b"".join(client.get(url("export", "csv")).streaming_content).decode("utf-8-sig")))
    )
    header, *data = export
    line = dict(zip(header, next(r for r in data if r[0] == lw.event_a.code), strict=True))
    assert (line["直播带货订单"], line["直播带货成交额(元)"], line["自然成交额(元)"]) == ("2", "89.70", "29.90")


# Absolute bounds, the same on SQLite and PostgreSQL. Every admin page pays 11 for the
# session, the user, permissions, the user's shops and Wagtail's chrome (locale, page and
# collection permissions); the results selector 8 for any number of events; the list adds
# the page of events with their shops and the paginator's count, the export the events.
# Pages with the admin menu have one more since the platform's transfer payee became a
# Wagtail site setting (the 设置 menu asks whether this user may edit it).
INDEX_QUERIES = 22
RESULTS_QUERIES = 20
EXPORT_QUERIES = 17
RESULTS_EXPORT_QUERIES = 16


def count_queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(ctx.captured_queries)


def test_list_results_and_export_views_run_a_bounded_number_of_queries(client, some_sales, django_assert_num_queries):
    lw = some_sales
    as_user(client, lw.w.operator_a)
    client.get(url("index"))  # warm per-process caches
    small = {
        "index": count_queries(client, url("index")),
        "export": count_queries(client, url("export", "csv")),
        "results": count_queries(client, url("results", lw.event_a.pk)),
        "results_export": count_queries(client, url("results_export", lw.event_a.pk, "xlsx")),
    }
    assert small == {
        "index": INDEX_QUERIES,
        "export": EXPORT_QUERIES,
        "results": RESULTS_QUERIES,
        "results_export": RESULTS_EXPORT_QUERIES,
    }

    for n in range(12):
        event = LiveEventFactory(title=f"加场{n}", shops=[lw.w.shop_a])
        FeaturedProductFactory(event=event, product=lw.asparagus)
        order = place([(lw.asparagus, 1)], at=event.window_start, tag=tag_of(event, event.window_start))
        pay(lw.w, order, at=event.window_start + dt.timedelta(minutes=1))

    with django_assert_num_queries(INDEX_QUERIES):
        response = client.get(url("index"))
    assert len(response.context["rows"]) == 13  # event A and the twelve; not shop B's event
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(url("export", "csv"))
        assert len(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()) == 1 + 13
    with django_assert_num_queries(RESULTS_QUERIES):
        client.get(url("results", lw.event_a.pk))


def test_the_platform_runs_a_bureau_event_for_a_city_and_buyers_are_kept_out(client, live_world):
    lw = live_world
    as_user(client, lw.w.admin)
    no_owner = client.post(url("add"), event_post(platform="own", external_url=""))
    assert "请至少选择一个网店；商务局主办的直播请选择主办部门。" in no_owner.content.decode()
    bureau = lw.w.officer_city.bureau
    client.post(
        url("add"), event_post(title="菏泽市局直播", platform="own", external_url="", organiser_bureau=bureau.pk)
    )
    event = LiveEvent.objects.get(title="菏泽市局直播")
    assert (event.organiser_bureau, event.region, event.shops.count()) == (bureau, lw.w.city, 0)

    as_user(client, lw.w.officer_city)  # their bureau's event: they manage it
    assert client.get(url("edit", event.pk)).status_code == 200
    as_user(client, lw.w.officer_a)  # a county officer does not see a city's event
    assert client.get(url("event", event.pk)).status_code == 404
    as_user(client, lw.w.buyer)  # no admin access at all
    response = client.get(url("index"))
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
