"""The public event pages (a routable Wagtail page at /live/): countdown before, player or
link and one-tap buying during, replay and results after; the home page's live and
upcoming events; unpublished and unknown events are 404; queries do not grow with data."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import FeaturedProductFactory, LiveEventFactory, ProductFactory

from .conftest import clock, pay, place, tag_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pages")]


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_before_the_event_a_countdown_and_the_coming_live_price(client, live_world):
    lw = live_world
    with clock(lw.start - dt.timedelta(hours=2, seconds=5)):
        page = client.get(lw.event_a.get_absolute_url())
        home = client.get("/")

    assert page.status_code == 200 and lw.event_a.get_absolute_url() == f"/live/{lw.event_a.code}/"
    html = text(page)
    assert 'data-seconds="7205"' in html and "直播预告" in html
    assert "直播价 ¥29.90" in html and "立即抢购" not in html
    assert lw.event_a.get_absolute_url() in text(home) and "直播带货" in text(home)


def test_during_the_event_the_stream_and_one_tap_buying(client, live_world):
    lw = live_world
    lw.event_a.platform, lw.event_a.external_url = "douyin", "https://live.douyin.com/778899"
    lw.event_a.save()
    lw.event_b.platform, lw.event_b.embed_url = "own", "https://player.example.cn/embed/42"
    lw.event_b.save()
    with clock(lw.start + dt.timedelta(minutes=30)):
        page_a, page_b = client.get(lw.event_a.get_absolute_url()), client.get(lw.event_b.get_absolute_url())
        listing = client.get("/live/")

    a = text(page_a)
    assert "直播中" in a and 'href="https://live.douyin.com/778899"' in a and "前往抖音直播间观看" in a
    assert '<span class="badge">直播价</span> <span class="yuan">¥</span>29.90 <del class="muted">¥38.80</del>' in a
    assert f'action="/live/{lw.event_a.code}/buy/"' in a and "立即抢购" in a
    assert '<iframe src="https://player.example.cn/embed/42"' in text(page_b)
    live_section = text(listing).split("<h2>正在直播</h2>")[1].split("<h2>直播预告</h2>")[0]
    assert "单县山药直播专场" in live_section and "成武牡丹籽油直播" in live_section


def test_after_the_event_the_replay_and_its_results(client, live_world):
    lw = live_world
    lw.event_a.replay_url = "https://replay.example.cn/a"
    lw.event_a.save()
    order = place([(lw.w.yam, 2)], at=lw.start + dt.timedelta(minutes=5), tag=tag_of(lw.event_a, lw.start))
    pay(lw.w, order, at=lw.start + dt.timedelta(minutes=6))
    with clock(lw.end + dt.timedelta(days=1)):
        page = text(client.get(lw.event_a.get_absolute_url()))
        home = text(client.get("/"))
        listing = text(client.get("/live/"))

    assert "直播已结束" in page and 'href="https://replay.example.cn/a"' in page
    assert '<dd class="result-orders">1 单</dd>' in page and '<dd class="result-households">3 户</dd>' in page
    assert "¥59.80" in page and "仍计入本场直播" in page
    assert "立即抢购" not in page
    assert lw.event_a.get_absolute_url() not in home  # only live and upcoming events there
    assert "单县山药直播专场" in listing.split("<h2>往期回放</h2>")[1]


def test_unpublished_and_unknown_events_are_not_found(client, live_world):
    lw = live_world
    lw.event_b.is_published = False
    lw.event_b.save()
    with clock(lw.start - dt.timedelta(days=1)):
        hidden = client.get(lw.event_b.get_absolute_url())
        unknown = client.get("/live/NOSUCH22/")
        home = text(client.get("/"))

    assert hidden.status_code == unknown.status_code == 404
    assert "没有这场直播" in text(hidden)
    assert "成武牡丹籽油直播" not in home and "单县山药直播专场" in home


def count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_event_and_home_pages_run_the_same_queries_for_more_products_and_events(client, live_world):
    lw = live_world
    with clock(lw.start + dt.timedelta(minutes=10)):
        client.get("/")
        client.get(lw.event_a.get_absolute_url())  # warm per-process caches
        event_page, home = count(client, lw.event_a.get_absolute_url()), count(client, "/")
        for n in range(4):
            FeaturedProductFactory(event=lw.event_a, product=ProductFactory(shop=lw.w.shop_a, title=f"山药礼盒{n}"))
            LiveEventFactory(
                shops=[lw.w.shop_a],
                scheduled_start=lw.start + dt.timedelta(days=n + 1),
                scheduled_end=lw.end + dt.timedelta(days=n + 1),
            )
        # Each ProductFactory made a category too: the navigation's kept category tree is read
        # again once (catalog/caching.py), then the pages cost what they did.
        client.get(lw.event_a.get_absolute_url())
        client.get("/")
        assert count(client, lw.event_a.get_absolute_url()) == event_page
        assert count(client, "/") == home
        assert text(client.get(lw.event_a.get_absolute_url())).count("立即抢购") == 5
