"""The viewer-sample endpoint: a per-event token (hash stored, revocable, one event only,
rate-limited), JSON validated field by field with a 400 naming each reason, samples only
inside the event window, cumulative views never decreasing, idempotent on a repeated time."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from core.errors import DomainError
from core.tokens import hash_token
from live import services
from live.models import ViewerSample, ViewerToken

from .conftest import SECOND, clock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def token_a(live_world):
    _row, raw = services.issue_token(live_world.event_a.pk, label="抖音助手", by=live_world.w.operator_a)
    return raw


def push(client, event, payload, token, *, raw_body=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    body = raw_body if raw_body is not None else json.dumps(payload)
    return client.post(
        reverse("live:push_samples", args=[event.code]), data=body, content_type="application/json", **headers
    )


def sample(at: dt.datetime, concurrent=2970, views=120_000, likes=56_000) -> dict:
    return {"at": at.isoformat(), "concurrent_viewers": concurrent, "cumulative_views": views, "likes": likes}


def test_the_token_is_shown_once_and_only_its_hash_is_stored(live_world):
    row, raw = services.issue_token(live_world.event_a.pk, label="快手助手", by=live_world.w.operator_a)

    assert raw.startswith("lv_") and len(raw) > 40
    stored = ViewerToken.objects.get(pk=row.pk)
    assert raw not in (stored.token_hash, stored.prefix) and stored.prefix == raw[:10]
    assert stored.token_hash == hash_token(raw)
    # Operator B may not issue (or revoke) tokens for shop A's event.
    with pytest.raises(DomainError, match="无权管理该直播活动"):
        services.issue_token(live_world.event_a.pk, by=live_world.w.operator_b)
    with pytest.raises(DomainError, match="无权管理该直播活动"):
        services.revoke_token(row.pk, by=live_world.w.operator_b)


def test_a_sample_inside_the_window_is_stored_and_a_repeat_is_harmless(client, live_world, token_a):
    lw = live_world
    with clock(lw.start + dt.timedelta(minutes=30)):
        first = push(client, lw.event_a, sample(lw.start + dt.timedelta(minutes=29)), token_a)
        again = push(client, lw.event_a, sample(lw.start + dt.timedelta(minutes=29)), token_a)
        other_numbers = push(client, lw.event_a, sample(lw.start + dt.timedelta(minutes=29), concurrent=1), token_a)

    assert (first.status_code, first.json()) == (201, {"stored": 1, "duplicates": 0})
    assert (again.status_code, again.json()) == (200, {"stored": 0, "duplicates": 1})
    assert other_numbers.status_code == 409
    assert other_numbers.json()["errors"][0]["field"] == "at"
    stored = ViewerSample.objects.get()
    assert (stored.concurrent_viewers, stored.cumulative_views, stored.likes) == (2970, 120_000, 56_000)
    assert stored.token.label == "抖音助手"
    assert ViewerToken.objects.get().last_used_at == lw.start + dt.timedelta(minutes=30)


def test_window_edges_are_inside_one_second_beyond_is_refused(client, live_world, token_a):
    lw = live_world
    with clock(lw.end + dt.timedelta(minutes=1)):
        at_start = push(client, lw.event_a, sample(lw.start, views=10), token_a)
        at_end = push(client, lw.event_a, sample(lw.end, views=20), token_a)
        before = push(client, lw.event_a, sample(lw.start - SECOND), token_a)
        after = push(client, lw.event_a, sample(lw.end + SECOND), token_a)

    assert (at_start.status_code, at_end.status_code) == (201, 201)
    for response in (before, after):
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert error["field"] == "at" and "不在直播时段" in error["reason"]
    assert ViewerSample.objects.count() == 2


@pytest.mark.parametrize(
    "change, field, reason",
    [
        ({"concurrent_viewers": "2970"}, "concurrent_viewers", "须为整数"),
        ({"concurrent_viewers": 29.7}, "concurrent_viewers", "须为整数"),
        ({"likes": True}, "likes", "须为整数"),
        ({"cumulative_views": -1}, "cumulative_views", "不能为负数"),
        ({"concurrent_viewers": 2_147_483_648}, "concurrent_viewers", "不能大于 2147483647"),
        ({"at": "2026-12-03 19:30:00"}, "at", "须带时区"),
        ({"at": "yesterday evening"}, "at", "不是有效的 ISO 8601 时间"),
        ({"at": 1764761400}, "at", "须为 ISO 8601 时间字符串"),
        ({"viewers": 3}, "viewers", "未知字段"),
    ],
)
def test_each_bad_field_is_named_with_its_reason(client, live_world, token_a, change, field, reason):
    lw = live_world
    payload = sample(lw.start + dt.timedelta(minutes=5))
    payload.update(change)
    with clock(lw.start + dt.timedelta(minutes=10)):
        response = push(client, lw.event_a, payload, token_a)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(0, field)]
    assert reason in errors[0]["reason"]
    assert not ViewerSample.objects.exists()


def test_missing_fields_future_times_and_bad_bodies(client, live_world, token_a):
    lw = live_world
    now = lw.start + dt.timedelta(minutes=10)
    with clock(now):
        missing = push(client, lw.event_a, {"at": now.isoformat()}, token_a)
        future = push(client, lw.event_a, sample(now + dt.timedelta(minutes=3)), token_a)
        not_json = push(client, lw.event_a, None, token_a, raw_body="{at: 1}")
        a_list = push(client, lw.event_a, [sample(now)], token_a)
        empty = push(client, lw.event_a, {"samples": []}, token_a)
        too_many = push(client, lw.event_a, {"samples": [sample(now)] * 501}, token_a)
        get = client.get(reverse("live:push_samples", args=[lw.event_a.code]), HTTP_AUTHORIZATION=f"Bearer {token_a}")

    assert missing.status_code == 400
    assert {(e["field"], e["reason"]) for e in missing.json()["errors"]} == {
        ("concurrent_viewers", "必填"),
        ("cumulative_views", "必填"),
        ("likes", "必填"),
    }
    assert future.status_code == 400 and "不能是将来的时间" in future.json()["errors"][0]["reason"]
    assert not_json.status_code == 400 and "请求体不是有效的 JSON。" in not_json.json()["error"]
    assert a_list.status_code == 400 and "须为 JSON 对象" in a_list.json()["errors"][0]["reason"]
    assert empty.status_code == 400 and "须为非空数组" in empty.json()["errors"][0]["reason"]
    assert too_many.status_code == 400 and "一次最多 500 条" in too_many.json()["errors"][0]["reason"]
    assert get.status_code == 405
    assert not ViewerSample.objects.exists()


def test_a_batch_is_all_or_nothing(client, live_world, token_a):
    lw = live_world
    good = [sample(lw.start + dt.timedelta(minutes=m), views=1000 * m) for m in (1, 2, 3)]
    bad = dict(good[1], likes=-5)
    with clock(lw.start + dt.timedelta(minutes=10)):
        refused = push(client, lw.event_a, {"samples": [good[0], bad, good[2]]}, token_a)
        assert not ViewerSample.objects.exists()
        accepted = push(client, lw.event_a, {"samples": good}, token_a)

    assert refused.status_code == 400
    assert [(e["index"], e["field"]) for e in refused.json()["errors"]] == [(1, "likes")]
    assert (accepted.status_code, accepted.json()) == (201, {"stored": 3, "duplicates": 0})


def test_cumulative_views_never_decrease_against_stored_and_sent_samples(client, live_world, token_a):
    lw = live_world
    t = [lw.start + dt.timedelta(minutes=m) for m in range(6)]
    with clock(lw.start + dt.timedelta(minutes=10)):
        assert (
            push(
                client, lw.event_a, {"samples": [sample(t[1], views=100), sample(t[3], views=300)]}, token_a
            ).status_code
            == 201
        )
        below_earlier = push(client, lw.event_a, sample(t[4], views=299), token_a)
        above_later = push(client, lw.event_a, sample(t[2], views=301), token_a)
        inside_batch = push(
            client, lw.event_a, {"samples": [sample(t[5], views=500), sample(t[4], views=600)]}, token_a
        )
        in_between = push(client, lw.event_a, sample(t[2], views=300), token_a)  # equal is fine

    for response in (below_earlier, above_later, inside_batch):
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "cumulative_views"
        assert "累计观看不能减少" in response.json()["errors"][0]["reason"]
    assert in_between.status_code == 201
    assert list(ViewerSample.objects.order_by("at").values_list("cumulative_views", flat=True)) == [100, 300, 300]


def test_tokens_missing_unknown_revoked_or_of_another_event_are_refused(client, live_world, token_a):
    lw = live_world
    revoked_row, revoked = services.issue_token(lw.event_a.pk, by=lw.w.operator_a)
    services.revoke_token(revoked_row.pk, by=lw.w.operator_a)
    body = sample(lw.start + dt.timedelta(minutes=1))
    with clock(lw.start + dt.timedelta(minutes=2)):
        no_header = push(client, lw.event_a, body, None)
        wrong_scheme = client.post(
            reverse("live:push_samples", args=[lw.event_a.code]),
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token_a}",
        )
        unknown = push(client, lw.event_a, body, "lv_not-a-real-token")
        after_revoking = push(client, lw.event_a, body, revoked)
        a_on_b = push(client, lw.event_b, body, token_a)
        no_event = client.post(
            "/live/api/events/ZZZZZZZZ/samples/",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token_a}",
        )

    for response in (no_header, wrong_scheme, unknown):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="live"'
    assert after_revoking.status_code == 403 and "令牌已撤销" in after_revoking.json()["error"]
    assert a_on_b.status_code == 403 and "该令牌不属于这场直播" in a_on_b.json()["error"]
    assert no_event.status_code == 404
    assert not ViewerSample.objects.exists()  # event B got nothing from A's token


def test_each_token_is_rate_limited_per_minute(client, live_world, token_a, settings):
    settings.LIVE_SAMPLES_PER_MINUTE = 3
    lw = live_world
    other_row, other = services.issue_token(lw.event_a.pk, by=lw.w.operator_a)
    minute = lw.start + dt.timedelta(minutes=20)
    with clock(minute + dt.timedelta(seconds=15)):
        codes = [
            push(client, lw.event_a, sample(minute + dt.timedelta(seconds=s), views=s), token_a).status_code
            for s in (1, 2, 3)
        ]
        limited = push(client, lw.event_a, sample(minute + dt.timedelta(seconds=4), views=4), token_a)
        other_token = push(client, lw.event_a, sample(minute + dt.timedelta(seconds=5), views=5), other)
    with clock(minute + dt.timedelta(minutes=1)):
        next_minute = push(client, lw.event_a, sample(minute + dt.timedelta(seconds=6), views=6), token_a)

    assert codes == [201, 201, 201]
    assert limited.status_code == 429 and limited["Retry-After"] == "45"
    assert other_token.status_code == 201  # the budget is per token
    assert next_minute.status_code == 201
    assert ViewerSample.objects.count() == 5


def test_json_nested_too_deep_or_too_large_is_400_and_stores_nothing(client, live_world, token_a):
    deep = "[" * 20_000 + "]" * 20_000  # json.loads would raise RecursionError (a 500)
    response = push(client, live_world.event_a, None, token_a, raw_body=deep)
    assert response.status_code == 400 and "嵌套过深" in response.json()["error"]
    response = push(client, live_world.event_a, None, token_a, raw_body='{"x": "' + "9" * 300_000 + '"}')
    assert response.status_code == 400 and "过大" in response.json()["error"]
    assert ViewerSample.objects.count() == 0
