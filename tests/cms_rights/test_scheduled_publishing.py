"""Scheduled publishing: a page published with a go-live time in the future waits, the beat
task (Wagtail's publish_scheduled) publishes it once the time has come and unpublishes it
after its expiry time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.urls import reverse

from cms.models import PavilionPage
from cms.tasks import publish_scheduled_pages
from tests.cms_rights.test_page_permissions import pavilion_form

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)


def at(hour: int, minute: int = 0) -> datetime:
    return T0.replace(hour=hour, minute=minute)


def test_beat_runs_the_task_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["cms-publish-scheduled-pages"]
    assert (entry["task"], entry["schedule"]) == ("cms.publish_scheduled_pages", 60.0)
    assert publish_scheduled_pages.name == "cms.publish_scheduled_pages"


def test_go_live_then_expiry_through_the_beat_task(tree, login):
    w = tree.world
    with time_machine.travel(T0, tick=False):
        client = login(w.admin)
        add = reverse("wagtailadmin_pages:add", args=["cms", "pavilionpage", tree.city.pk])
        page = PavilionPage(title="成武县馆", slug="chengwu", region=w.county_b)
        form = pavilion_form(page, go_live_at="2026-03-01 10:00", expire_at="2026-03-01 12:00")
        assert client.post(add, form | {"action-publish": "1"}).status_code == 302
        page = PavilionPage.objects.get(slug="chengwu")
        # Made as a draft, its revision scheduled: not public before its time.
        assert (page.live, page.go_live_at, page.expire_at) == (False, at(10), at(12))
        assert page.latest_revision.approved_go_live_at == at(10)
        publish_scheduled_pages()  # too early: nothing happens
        assert not PavilionPage.objects.get(pk=page.pk).live
        assert client.get("/pavilions/heze/chengwu/").status_code == 404

    with time_machine.travel(at(10, 1), tick=False):
        publish_scheduled_pages.delay()  # eager in tests, as with no broker
        page = PavilionPage.objects.get(pk=page.pk)
        assert (page.live, page.go_live_at, page.expire_at, page.expired) == (True, at(10), at(12), False)
        assert page.title == "成武县馆"

    with time_machine.travel(at(11, 59), tick=False):
        publish_scheduled_pages()
        assert PavilionPage.objects.get(pk=page.pk).live

    with time_machine.travel(at(12, 1), tick=False):
        publish_scheduled_pages()
        page = PavilionPage.objects.get(pk=page.pk)
        assert (page.live, page.expired) == (False, True)
