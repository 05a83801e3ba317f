"""The public trace page /trace/<code>/: what it shows, what it never shows (names, phone
numbers), scans counted once per view, copied unit codes, unknown codes."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.models import Certificate
from traceability import services
from traceability.models import Batch, UnitCode
from traceability.services import add_inspection, create_batch, make_unit_codes

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_trace_page_shows_the_batch_and_no_personal_data(client, trace_world):
    w = trace_world
    batch = w.batch_a
    add_inspection(
        batch,
        SimpleUploadedFile("r.pdf", pdf_bytes()),
        agency="菏泽市农产品质量检测中心",
        inspected_on=dt.date(2026, 11, 20),
        result="passed",
    )
    number = Certificate.objects.filter(product=w.yam).values_list("number", flat=True).get()
    response = client.get(f"/trace/{batch.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "单县铁棍山药" in body
    assert batch.code in body
    assert "山东省 › 菏泽市 › 单县 › 浮岗镇 › 地区371722100201" in body
    assert "浮岗镇东沙土地基地" in body
    best_before = batch.produced_on + dt.timedelta(days=30)
    assert f"{best_before:%Y年%m月%d日}" in body
    assert "合格（菏泽市农产品质量检测中心，2026年11月20日 检测）" in body
    assert f'href="/verify/{number}/"' in body
    assert "单县浮岗山药专业合作社" in body
    assert '<dd class="trace-households">3 户</dd>' in body
    assert '<dd class="trace-scans">1 次</dd>' in body
    assert "/admin/traceability/inspections/" not in body  # no file for the public
    for personal in (
        "张小文",
        "李四",
        "王大山",
        "陈芳",
        "371722100200000011",
        "371722100200000022",
        "371722100200000033",
        "13800138000",
        w.operator_a.username,
        "张*文",
    ):
        assert personal not in body, personal


def test_each_get_is_a_scan_head_and_crawlers_are_not(client, trace_world):
    code = trace_world.batch_a.code
    client.get(f"/trace/{code}/")
    client.get(f"/trace/{code.lower()}/")  # typed in lower case
    assert client.head(f"/trace/{code}/").status_code == 200
    client.get(f"/trace/{code}/", HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert Batch.objects.get(code=code).scan_count == 2


def test_a_copied_unit_code_shows_its_first_scan(client, trace_world):
    unit = make_unit_codes(trace_world.batch_a, 3)[1]
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 15, tzinfo=SHANGHAI), tick=False):
        first = client.get(f"/trace/{unit.code}/").content.decode()
    assert "首次扫码于 2026-12-01 09:15；如非您本人首次扫码，请警惕仿冒。" in first
    assert '<dd class="trace-scans">1 次</dd>' in first
    with time_machine.travel(dt.datetime(2026, 12, 3, 20, 40, tzinfo=SHANGHAI), tick=False):
        second = client.get(f"/trace/{unit.code.lower()}/").content.decode()
    assert "首次扫码于 2026-12-01 09:15；如非您本人首次扫码，请警惕仿冒。" in second
    assert '<dd class="trace-scans">2 次</dd>' in second
    assert "（第 2 号）" in second
    assert trace_world.batch_a.code in second  # the unit's batch
    stored = UnitCode.objects.get(pk=unit.pk)
    assert stored.first_scanned_at == dt.datetime(2026, 12, 1, 9, 15, tzinfo=SHANGHAI)
    assert stored.last_scanned_at == dt.datetime(2026, 12, 3, 20, 40, tzinfo=SHANGHAI)
    assert Batch.objects.get(pk=trace_world.batch_a.pk).scan_count == 0  # a unit's scans are its own


@pytest.mark.parametrize("code", ["NOSUCHCODE", "23456789AB", "ABCDEFGHJKLM", "x", "0" * 30, "OOOOOOOOOO", "²" * 12])
def test_unknown_code_is_a_404_page(client, trace_world, code):
    response = client.get(f"/trace/{code}/")
    assert response.status_code == 404
    assert "未找到溯源码" in response.content.decode()


def test_a_nul_in_the_code_is_refused_before_the_view(client, trace_world):
    assert client.get("/trace/" + "%00" * 10 + "/").status_code == 400  # the site's guard, not a 500


def test_codes_are_unique_and_a_clash_is_drawn_again(trace_world, monkeypatch):
    w = trace_world
    units = make_unit_codes(w.batch_a, 2000)
    assert len({u.code for u in units}) == 2000
    with pytest.raises(Exception, match="1 至 2000"):
        make_unit_codes(w.batch_a, 2001)
    # The next draw repeats batch A's code once, then a fresh one: the batch gets the fresh one.
    draws = itertools.chain([w.batch_a.code], ["ZZZZZZZZZZ"])
    monkeypatch.setattr(services, "new_code", lambda length: next(draws))
    batch = create_batch(w.yam, origin=w.village_a, produced_on=w.batch_a.produced_on, quantity=5, shelf_life_days=9)
    assert batch.code == "ZZZZZZZZZZ"
    assert Batch.objects.count() == 3
