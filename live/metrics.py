"""Viewer samples pushed by the stream operator's tooling (JSON, one event's token).

The payload is one sample, or up to ``MAX_BATCH`` of them as ``{"samples": [...]}``:

    {"at": "2026-12-01T20:15:00+08:00", "concurrent_viewers": 2970,
     "cumulative_views": 120000, "likes": 56000}

Every field is required and no other is accepted. ``at`` is an ISO 8601 time with a
time-zone offset inside the event window [start, end] (actual times when recorded, else
the scheduled ones) and not in the future; the counts are JSON integers from 0 up to
``MAX_COUNT``; ``cumulative_views`` never goes down as time goes on (checked against the
samples already stored too). A batch is all or nothing: one bad sample refuses it with
every reason, so nothing is half-stored. The same time sent again with the same numbers
is accepted and stores nothing new (a retried request is harmless); with other numbers it
is a conflict."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core import tokens
from core.errors import DomainError
from core.tokens import TokenRefused, hash_token

from .models import LiveEvent, ViewerSample, ViewerToken

MAX_BATCH = 500
MAX_COUNT = 10**12
MAX_CONCURRENT = 2_147_483_647
FUTURE_SKEW = dt.timedelta(minutes=2)  # clocks of the pushing machine may run a little fast
FIELDS = ("at", "concurrent_viewers", "cumulative_views", "likes")
COUNT_FIELDS = {"concurrent_viewers": MAX_CONCURRENT, "cumulative_views": MAX_COUNT, "likes": MAX_COUNT}


@dataclass(frozen=True)
class Sample:
    at: dt.datetime
    concurrent_viewers: int
    cumulative_views: int
    likes: int

    def same_numbers(self, other) -> bool:
        return (self.concurrent_viewers, self.cumulative_views, self.likes) == (
            other.concurrent_viewers,
            other.cumulative_views,
            other.likes,
        )


class SamplesRefused(DomainError):
    """The payload is refused; ``errors`` says why, per sample and field."""

    def __init__(self, errors: list[dict], *, status: int = 400):
        self.errors = errors
        self.status = status
        super().__init__("; ".join(f"{e.get('field') or 'body'}: {e['reason']}" for e in errors))


def _error(index, field, reason) -> dict:
    return {"index": index, "field": field, "reason": reason}


def items_of(payload) -> list:
    """The list of samples in a decoded payload, or SamplesRefused."""
    if isinstance(payload, dict) and "samples" in payload:
        if set(payload) != {"samples"}:
            raise SamplesRefused([_error(None, "samples", gettext("批量提交时只能有 samples 一个字段"))])
        items = payload["samples"]
        if not isinstance(items, list) or not items:
            raise SamplesRefused([_error(None, "samples", gettext("须为非空数组"))])
        if len(items) > MAX_BATCH:
            raise SamplesRefused([_error(None, "samples", gettext("一次最多 %(max)s 条") % {"max": MAX_BATCH})])
        return items
    if isinstance(payload, dict):
        return [payload]
    raise SamplesRefused([_error(None, None, gettext("请求体须为 JSON 对象"))])


def _parse_time(value, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    if not isinstance(value, str):
        return None, gettext("须为 ISO 8601 时间字符串")
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return None, gettext("不是有效的 ISO 8601 时间")
    if timezone.is_naive(at):
        return None, gettext("须带时区，如 +08:00")
    if not start <= at <= end:
        tz = timezone.get_default_timezone()
        return None, gettext("不在直播时段 %(start)s 至 %(end)s 内") % {
            "start": f"{timezone.localtime(start, tz):%Y-%m-%d %H:%M:%S}",
            "end": f"{timezone.localtime(end, tz):%Y-%m-%d %H:%M:%S}",
        }
    if at > now + FUTURE_SKEW:
        return None, gettext("不能是将来的时间")
    return at, ""


def validate(event: LiveEvent, items: list, now: dt.datetime) -> list[Sample]:
    """Each item checked on its own; every reason collected before refusing."""
    start, end = event.window_start, event.window_end
    errors, samples = [], []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors.append(_error(index, None, gettext("须为 JSON 对象")))
            continue
        for name in sorted(set(item) - set(FIELDS)):
            errors.append(_error(index, name, gettext("未知字段")))
        values, bad = {}, False
        for name in FIELDS:
            if name not in item:
                errors.append(_error(index, name, gettext("必填")))
                bad = True
                continue
            value = item[name]
            if name == "at":
                at, reason = _parse_time(value, start, end, now)
                if at is None:
                    errors.append(_error(index, name, reason))
                    bad = True
                values[name] = at
            elif type(value) is not int:  # bool is an int to Python; not to us
                errors.append(_error(index, name, gettext("须为整数")))
                bad = True
            elif value < 0:
                errors.append(_error(index, name, gettext("不能为负数")))
                bad = True
            elif value > COUNT_FIELDS[name]:
                errors.append(_error(index, name, gettext("不能大于 %(max)s") % {"max": COUNT_FIELDS[name]}))
                bad = True
            else:
                values[name] = value
        if not bad and not set(item) - set(FIELDS):
            samples.append((index, Sample(**values)))
    if errors:
        raise SamplesRefused(errors)
    return samples


@dataclass(frozen=True)
class Stored:
    stored: int
    duplicates: int


@transaction.atomic
def record_samples(event_id: int, items: list, *, token: ViewerToken | None, now: dt.datetime | None = None) -> Stored:
    """Validate and store the samples of one request (see the module docstring). The
    event row is locked, so concurrent pushes are checked against each other. Raises
    SamplesRefused (status 400, or 409 for a time already stored with other numbers)."""
    now = now or timezone.now()
    event = LiveEvent.objects.select_for_update().get(pk=event_id)
    indexed = validate(event, items, now)
    errors, new, duplicates = [], {}, 0
    existing = {s.at: s for s in ViewerSample.objects.filter(event=event, at__in=[s.at for _i, s in indexed])}
    conflict = False
    for index, sample in indexed:
        seen = existing.get(sample.at) or new.get(sample.at, (None, None))[1]
        if seen is not None:
            if Sample(seen.at, seen.concurrent_viewers, seen.cumulative_views, seen.likes).same_numbers(sample):
                duplicates += 1
                continue
            conflict = True
            errors.append(_error(index, "at", gettext("该时间已有不同的数据")))
            continue
        new[sample.at] = (index, sample)
    if errors:
        raise SamplesRefused(errors, status=409 if conflict else 400)
    if new:
        _check_views_never_decrease(event, new)
        ViewerSample.objects.bulk_create(
            ViewerSample(
                event=event,
                at=s.at,
                concurrent_viewers=s.concurrent_viewers,
                cumulative_views=s.cumulative_views,
                likes=s.likes,
                token=token,
            )
            for _i, s in new.values()
        )
    if token is not None:
        ViewerToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Stored(stored=len(new), duplicates=duplicates)


def _check_views_never_decrease(event: LiveEvent, new: dict) -> None:
    """The new samples, merged in time order with the stored ones, never lower the
    cumulative views. Two queries: the latest stored before the first new time, and the
    stored ones from there on."""
    first = min(new)
    before = ViewerSample.objects.filter(event=event, at__lt=first).order_by("-at").first()
    timeline = [(s.at, s.cumulative_views, None) for s in ViewerSample.objects.filter(event=event, at__gte=first)]
    if before is not None:
        timeline.append((before.at, before.cumulative_views, None))
    timeline += [(at, s.cumulative_views, index) for at, (index, s) in new.items()]
    timeline.sort(key=lambda row: row[0])
    errors = []
    for (at_a, views_a, index_a), (at_b, views_b, index_b) in zip(timeline, timeline[1:], strict=False):
        if views_b < views_a:
            index = index_b if index_b is not None else index_a
            errors.append(
                _error(
                    index,
                    "cumulative_views",
                    gettext("累计观看不能减少：%(at_a)s 为 %(views_a)s，%(at_b)s 为 %(views_b)s")
                    % {"at_a": at_a.isoformat(), "views_a": views_a, "at_b": at_b.isoformat(), "views_b": views_b},
                )
            )
    if errors:
        raise SamplesRefused(errors)


# --- who is pushing ---------------------------------------------------------------------------------------------


def authorise(raw: str, event: LiveEvent) -> ViewerToken:
    """The token row if ``raw`` may push samples for ``event``: 401 unknown, 403 revoked
    or issued for another event."""
    token = ViewerToken.objects.filter(token_hash=hash_token(raw)).first()
    if token is None:
        raise TokenRefused(gettext("令牌无效"), 401)
    if token.revoked_at is not None:
        raise TokenRefused(gettext("令牌已撤销"), 403)
    if token.event_id != event.pk:
        raise TokenRefused(gettext("该令牌不属于这场直播"), 403)
    return token


def within_rate(token: ViewerToken, now: dt.datetime) -> int:
    """Count this request against the token's per-minute budget (``core.tokens.within_rate``)."""
    return tokens.within_rate(f"live:samples:{token.pk}", settings.LIVE_SAMPLES_PER_MINUTE, now)
