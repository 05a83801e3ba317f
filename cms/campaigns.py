"""Reads behind the campaign pages (专题活动): a campaign's status, its own product list
(only what is listed at the moment of the request), its sales figures, and the list of
campaigns. ``models.py`` calls these from ``get_context`` and hands over its own querysets,
so this module does not import the page models (they import it)."""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone

from catalog.models import Product
from reports.selectors import ProductSales, product_sales

from .selectors import page_banner, with_card_picture

UPCOMING, LIVE, ENDED = "upcoming", "live", "ended"
CAMPAIGNS_PER_PAGE = 12


def status_at(starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime) -> str:
    """未开始 before ``starts_at``, 进行中 until ``ends_at`` (exclusive), 已结束 after."""
    if now < starts_at:
        return UPCOMING
    if now < ends_at:
        return LIVE
    return ENDED


def campaign_days(starts_at: dt.datetime, ends_at: dt.datetime) -> tuple[dt.date, dt.date]:
    """The Asia/Shanghai days a campaign touches, both inclusive. ``ends_at`` is the end's
    moment, itself excluded: a campaign ending at 00:00 on the 8th ends with the 7th."""
    first = timezone.localdate(starts_at)
    last = timezone.localdate(ends_at - dt.timedelta(microseconds=1))
    return first, max(first, last)


@dataclass(frozen=True)
class Countdown:
    seconds: int

    @property
    def days(self) -> int:
        return self.seconds // 86400

    @property
    def hours(self) -> int:
        return self.seconds % 86400 // 3600

    @property
    def minutes(self) -> int:
        return self.seconds % 3600 // 60


def listed_campaign_products(page, *, preview: bool = False) -> list[Product]:
    """The campaign's own products in the editors' order, only those listed now, ready for
    product cards: one query for the list (a subquery gives each product its place); the
    cards fetch the pictures of those not kept (``cms/fragments.py``). In a preview the
    list being edited is in memory: it is read from there."""
    if preview:
        order = [row.product_id for row in sorted(page.campaign_products.all(), key=lambda r: r.sort_order or 0)]
        found = Product.objects.listed().for_cards().in_bulk(order)
        return [found[pk] for pk in order if pk in found]
    rows = page.campaign_products.model.objects.filter(page_id=page.pk)
    place = rows.filter(product_id=OuterRef("pk")).values("sort_order")[:1]
    return list(
        Product.objects.listed()
        .card_rows()
        .filter(pk__in=rows.values("product_id"))
        .annotate(campaign_place=Subquery(place))
        .order_by(F("campaign_place").asc(nulls_last=True), "pk")
    )


def sales_days(page, now: dt.datetime) -> tuple[dt.date, dt.date] | None:
    """The days whose sales a campaign's figures count: its Asia/Shanghai days, up to today
    while it runs; None before it starts."""
    if status_at(page.starts_at, page.ends_at, now) == UPCOMING:
        return None
    first, last = campaign_days(page.starts_at, page.ends_at)
    return first, max(first, min(last, timezone.localdate(now)))


def campaign_sales(page, days: tuple[dt.date, dt.date], *, preview: bool = False) -> ProductSales:
    """What the campaign's products sold on ``days`` (``sales_days``), net of refunds, from
    the report's product summary table (``reports.selectors.product_sales``): every product
    on the campaign's list, listed now or not, since the sales happened. The summary keeps
    days, so the first and last day count whole. One query."""
    if preview:
        ids = [row.product_id for row in page.campaign_products.all()]
    else:
        ids = page.campaign_products.model.objects.filter(page_id=page.pk).values("product_id")
    return product_sales(ids, *days)


def campaign_context(page, now: dt.datetime, *, preview: bool = False) -> dict:
    """Everything a campaign page shows beyond its own fields."""
    status = status_at(page.starts_at, page.ends_at, now)
    days = sales_days(page, now)
    return {
        "campaign_status": status,
        "countdown": Countdown(int((page.starts_at - now).total_seconds())) if status == UPCOMING else None,
        "banner": page_banner(page),
        "products": listed_campaign_products(page, preview=preview),
        "sales": campaign_sales(page, days, preview=preview) if days else None,
        "sales_days": days,
    }


def campaign_cards(campaigns, now: dt.datetime, page_number: int) -> PaginatorPage:
    """One page of the campaign list: running and coming campaigns first, soonest start
    first, then ended ones, latest ending first; each with its banner's card picture and
    ``campaign_status``."""
    ended = Case(When(ends_at__lte=now, then=Value(1)), default=Value(0), output_field=IntegerField())
    qs = (
        with_card_picture(campaigns, "banner")
        .annotate(has_ended=ended)
        .order_by(
            "has_ended",
            Case(When(ends_at__gt=now, then=F("starts_at"))).asc(nulls_last=True),
            F("ends_at").desc(),
            "pk",
        )
    )
    cards = Paginator(qs, CAMPAIGNS_PER_PAGE).get_page(page_number)
    for campaign in cards:
        campaign.campaign_status = status_at(campaign.starts_at, campaign.ends_at, now)
        campaign.first_day, campaign.last_day = campaign_days(campaign.starts_at, campaign.ends_at)
    return cards
