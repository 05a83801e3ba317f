"""Writes of live-stream sales: events, their featured products, going on and off air,
viewer tokens and the totals entered by hand. Each function checks who asks
(``access``), runs in a transaction and raises ``DomainError`` with the reason; viewer
samples are written by ``metrics``."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, Shop
from core.errors import DomainError
from core.models import Bureau
from core.money import format_fen
from core.roles import Role, roles_of
from core.scoping import is_platform_admin, operated_shop_ids
from core.tokens import NewToken
from producers.models import Region

from .access import may_create, may_manage
from .models import FeaturedProduct, LiveEvent, Platform, ViewerToken

TOKEN_PREFIX = "lv_"


class NotAllowed(DomainError):
    """The user may not do this to this event."""


def _require_manager(user, event: LiveEvent) -> None:
    if not may_manage(user, event):
        raise NotAllowed(gettext("无权管理该直播活动。"))


def common_region(shops: Iterable[Shop]) -> Region:
    """The deepest region holding every shop of ``shops`` (codes nest by prefix)."""
    shops = list(shops)
    if not shops:
        raise DomainError(gettext("请至少选择一个网店。"))
    codes = [shop.region.code for shop in shops]
    first = shops[0].region
    candidates = [first.code, *reversed(first.ancestors_codes())]  # deepest first
    prefixed = [c for c in candidates if all(code.startswith(c) for code in codes)]
    found = {r.code: r for r in Region.objects.filter(code__in=prefixed)}
    for code in prefixed:  # deepest first
        if code in found:
            return found[code]
    raise DomainError(gettext("所选网店不在同一省内，不能合办一场直播。"))


@dataclass
class EventDetails:
    """What a form says about an event; ``shops`` for a shops' event, ``organiser_bureau``
    (and ``region``, in its jurisdiction) for a bureau's."""

    title: str
    scheduled_start: dt.datetime
    scheduled_end: dt.datetime
    platform: str = Platform.OWN
    host: str = ""
    external_url: str = ""
    embed_url: str = ""
    description: str = ""
    actual_start: dt.datetime | None = None
    actual_end: dt.datetime | None = None
    cover: object | None = None
    replay_url: str = ""
    is_published: bool = False
    shops: list[Shop] | None = None
    organiser_bureau: Bureau | None = None
    region: Region | None = None


def _check_times(d: EventDetails) -> None:
    for value in (d.scheduled_start, d.scheduled_end, d.actual_start, d.actual_end):
        if value is not None and timezone.is_naive(value):
            raise DomainError(gettext("时间须带时区。"))
    if d.scheduled_end <= d.scheduled_start:
        raise DomainError(gettext("计划结束时间须晚于计划开始时间。"))
    if d.actual_end is not None and d.actual_start is None:
        raise DomainError(gettext("填写实际结束时间前须先有实际开始时间。"))
    if d.actual_start and d.actual_end and d.actual_end <= d.actual_start:
        raise DomainError(gettext("实际结束时间须晚于实际开始时间。"))
    if d.actual_start and d.actual_start > timezone.now():
        raise DomainError(gettext("实际开始时间不能晚于现在。"))
    if d.actual_end and d.actual_end > timezone.now():
        raise DomainError(gettext("实际结束时间不能晚于现在；直播结束时请点「下播」。"))
    if d.platform != Platform.OWN and not d.external_url:
        raise DomainError(gettext("外部平台直播须填写直播间链接。"))


def _owner_fields(user, d: EventDetails, event: LiveEvent | None) -> dict:
    """Shops / organiser and region of the event, checked against who asks."""
    if d.organiser_bureau is not None:
        bureau = d.organiser_bureau
        if not is_platform_admin(user) and not (Role.BUREAU_OFFICER in roles_of(user) and user.bureau_id == bureau.pk):
            raise NotAllowed(gettext("只能以本部门名义主办直播。"))
        region = d.region or bureau.region
        if not region.code.startswith(bureau.region.code):
            raise DomainError(gettext("主办地区须在「%(bureau)s」辖区内。") % {"bureau": bureau.name})
        if d.shops:
            raise DomainError(gettext("商务局主办的直播由直播商品决定参与网店，请勿另选网店。"))
        return {"organiser_bureau": bureau, "region": region}
    shops = list(d.shops or [])
    if not shops:
        raise DomainError(gettext("请至少选择一个网店；商务局主办的直播请选择主办部门。"))
    if not is_platform_admin(user):
        if Role.SHOP_OPERATOR not in roles_of(user) or not {s.pk for s in shops} <= set(operated_shop_ids(user)):
            raise NotAllowed(gettext("只能为自己运营的网店安排直播。"))
    if event is not None:
        kept = {s.pk for s in shops}
        orphaned = event.featured.exclude(product__shop_id__in=kept).select_related("product")
        if orphaned:
            titles = "、".join(f.product.title for f in orphaned)
            raise DomainError(gettext("请先移除这些直播商品再撤下其网店：%(titles)s。") % {"titles": titles})
    return {"organiser_bureau": None, "region": common_region(shops), "shops": shops}


_EDITABLE = (
    "title",
    "host",
    "platform",
    "external_url",
    "embed_url",
    "description",
    "scheduled_start",
    "scheduled_end",
    "actual_start",
    "actual_end",
    "cover",
    "replay_url",
    "is_published",
)


@transaction.atomic
def create_event(details: EventDetails, *, by) -> LiveEvent:
    """A new event, for the operator's own shops or the officer's own bureau (admins:
    any). Its code is drawn at random; its region follows from the shops or the bureau."""
    if not may_create(by):
        raise NotAllowed(gettext("无权安排直播。"))
    _check_times(details)
    owner = _owner_fields(by, details, None)
    event = LiveEvent(created_by=by, organiser_bureau=owner["organiser_bureau"], region=owner["region"])
    for name in _EDITABLE:
        setattr(event, name, getattr(details, name))
    event.save()
    if "shops" in owner:
        event.shops.set(owner["shops"])
    return event


@transaction.atomic
def update_event(event_id: int, details: EventDetails, *, by) -> LiveEvent:
    """Change an event. Who organises it (shops or bureau) stays; a shop with featured
    products cannot be taken off the event while they are there."""
    event = LiveEvent.objects.select_for_update().get(pk=event_id)
    _require_manager(by, event)
    _check_times(details)
    if (details.organiser_bureau is None) != (event.organiser_bureau_id is None) or (
        details.organiser_bureau is not None and details.organiser_bureau.pk != event.organiser_bureau_id
    ):
        raise DomainError(gettext("直播的主办方（网店或商务局）创建后不能更改。"))
    owner = _owner_fields(by, details, event)
    for name in _EDITABLE:
        setattr(event, name, getattr(details, name))
    event.region = owner["region"]
    event.save()
    if "shops" in owner:
        event.shops.set(owner["shops"])
    return event


@transaction.atomic
def go_live(event_id: int, *, by) -> LiveEvent:
    """开播: record the actual start as now."""
    event = LiveEvent.objects.select_for_update().get(pk=event_id)
    _require_manager(by, event)
    if event.actual_start is not None:
        raise DomainError(
            gettext("该直播已于 %(at)s 开播。") % {"at": f"{timezone.localtime(event.actual_start):%Y-%m-%d %H:%M}"}
        )
    event.actual_start = timezone.now()
    event.save(update_fields=["actual_start", "updated_at"])
    return event


@transaction.atomic
def go_off_air(event_id: int, *, by) -> LiveEvent:
    """下播: record the actual end as now; the post-live period starts."""
    event = LiveEvent.objects.select_for_update().get(pk=event_id)
    _require_manager(by, event)
    if event.actual_start is None:
        raise DomainError(gettext("尚未开播，不能下播。"))
    if event.actual_end is not None:
        raise DomainError(gettext("该直播已经下播。"))
    event.actual_end = timezone.now()
    event.save(update_fields=["actual_end", "updated_at"])
    return event


# --- featured products -----------------------------------------------------------------


def eligible_products(event: LiveEvent):
    """Products the event may feature: listed ones (certified, on sale) of its shops (a
    shops' event), or of shops in its region (a bureau's event)."""
    if event.organiser_bureau_id:
        return Product.objects.listed().filter(shop__region__code__startswith=event.region.code)
    return Product.objects.listed().filter(shop__in=event.shops.all())


def _check_open_for_changes(event: LiveEvent) -> None:
    if timezone.now() >= event.window_end:
        raise DomainError(gettext("直播已结束，直播商品和直播价不能再修改（已计入的成交以此为准）。"))


def _check_price(product: Product, event_price_fen: int | None) -> None:
    if event_price_fen is None:
        return
    if event_price_fen <= 0:
        raise DomainError(gettext("直播价须大于 0。"))
    if event_price_fen > product.price_fen:
        raise DomainError(
            gettext("「%(title)s」直播价不能高于日常价 ¥%(price)s。")
            % {"title": product.title, "price": format_fen(product.price_fen)}
        )


@transaction.atomic
def add_featured(event_id: int, product_id: int, *, event_price_fen: int | None, sort_order: int = 0, by):
    event = LiveEvent.objects.select_for_update().get(pk=event_id)
    _require_manager(by, event)
    _check_open_for_changes(event)
    product = eligible_products(event).filter(pk=product_id).first()
    if product is None:
        raise DomainError(gettext("只能选择本场直播参与网店（商务局主办：辖区内网店）在售的认定产品。"))
    if event.featured.filter(product=product).exists():
        raise DomainError(gettext("「%(title)s」已在本场直播商品中。") % {"title": product.title})
    _check_price(product, event_price_fen)
    feature = FeaturedProduct.objects.create(
        event=event, product=product, event_price_fen=event_price_fen, sort_order=sort_order
    )
    if event.organiser_bureau_id:
        event.shops.add(product.shop_id)
    return feature


@transaction.atomic
def update_featured(feature_id: int, *, event_price_fen: int | None, sort_order: int, by) -> FeaturedProduct:
    feature = FeaturedProduct.objects.select_related("event", "product").get(pk=feature_id)
    event = LiveEvent.objects.select_for_update().get(pk=feature.event_id)
    _require_manager(by, event)
    _check_open_for_changes(event)
    _check_price(feature.product, event_price_fen)
    feature.event_price_fen, feature.sort_order = event_price_fen, sort_order
    feature.save(update_fields=["event_price_fen", "sort_order"])
    return feature


@transaction.atomic
def remove_featured(feature_id: int, *, by) -> None:
    feature = FeaturedProduct.objects.select_related("product").get(pk=feature_id)
    event = LiveEvent.objects.select_for_update().get(pk=feature.event_id)
    _require_manager(by, event)
    _check_open_for_changes(event)
    feature.delete()
    if event.organiser_bureau_id and not event.featured.filter(product__shop_id=feature.product.shop_id).exists():
        event.shops.remove(feature.product.shop_id)


# --- viewer tokens and totals ----------------------------------------------------------------


@transaction.atomic
def issue_token(event_id: int, *, label: str = "", by) -> tuple[ViewerToken, str]:
    """A new token for pushing this event's viewer samples. Returns the row and the
    token itself, which is not stored and cannot be shown again."""
    event = LiveEvent.objects.select_for_update().get(pk=event_id)
    _require_manager(by, event)
    if timezone.now() >= event.post_live_end:
        raise DomainError(gettext("直播结束已超过 7 天，不再签发令牌。"))
    new = NewToken.make(TOKEN_PREFIX)
    token = ViewerToken.objects.create(
        event=event, label=label.strip()[:60], token_hash=new.hash, prefix=new.shown, created_by=by
    )
    return token, new.text


@transaction.atomic
def revoke_token(token_id: int, *, by) -> ViewerToken:
    token = ViewerToken.objects.select_for_update().get(pk=token_id)
    _require_manager(by, token.event)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


@transaction.atomic
def enter_totals(
    event_id: int, *, peak_viewers: int | None, total_views: int | None, likes: int | None, by
) -> LiveEvent:
    """The platform's own figures, entered after the event; each one given replaces what
    the pushed samples say in the results (blank leaves the samples' figure)."""
    event = LiveEvent.objects.select_for_update().get(pk=event_id)
    _require_manager(by, event)
    if timezone.now() < event.window_end:
        raise DomainError(gettext("直播结束后才能录入观看总数。"))
    for label, value in ((_("最高同时在线"), peak_viewers), (_("累计观看"), total_views), (_("点赞"), likes)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise DomainError(gettext("%(label)s须为非负整数。") % {"label": label})
    if peak_viewers is not None and total_views is not None and peak_viewers > total_views:
        raise DomainError(gettext("最高同时在线人数不能多于累计观看人次。"))
    event.manual_peak_viewers, event.manual_total_views, event.manual_likes = peak_viewers, total_views, likes
    event.totals_entered_by, event.totals_entered_at = by, timezone.now()
    event.save()
    return event
