"""The price a buyer pays at a given moment: the product's own price, or, while an event
featuring it runs, that event's live price (直播价).

Decided: the live price is for **anybody** buying the product while the event's window
is open (it is the advertised price of the broadcast), not only for buyers who came
through the event's link; it ends with the window. Several events live at once: the
lowest of their prices. A live price never raises the price: above the product's own
price, the product's own price applies.

The cart records the price the buyer saw and checkout compares it with the price at the
moment of the order (``orders.services.place_order``), so a live price that ended in
between is refused with ``describe_change``'s message."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext

from core.generations import Generation
from core.money import format_fen

from .models import FeaturedProduct, LiveEvent


@dataclass(frozen=True)
class PriceQuote:
    product_id: int
    price_fen: int  # what a buyer pays now
    regular_fen: int  # the product's own price
    event_id: int | None = None  # the event whose live price it is, if any

    @property
    def is_live_price(self) -> bool:
        return self.event_id is not None


def quotes_at(products: Iterable, at: dt.datetime) -> dict[int, PriceQuote]:
    """``{product id: PriceQuote}`` for ``products`` at the moment ``at``. One query."""
    products = list(products)
    live_prices: dict[int, tuple[int, int]] = {}
    rows = (
        FeaturedProduct.objects.filter(product_id__in=[p.pk for p in products], event_price_fen__isnull=False)
        .live_at(at)
        .order_by("event_price_fen", "event_id")
        .values_list("product_id", "event_price_fen", "event_id")
    )
    for product_id, price, event_id in rows:
        live_prices.setdefault(product_id, (price, event_id))
    quotes = {}
    for product in products:
        live = live_prices.get(product.pk)
        if live is not None and live[0] < product.price_fen:
            quotes[product.pk] = PriceQuote(product.pk, live[0], product.price_fen, live[1])
        else:
            quotes[product.pk] = PriceQuote(product.pk, product.price_fen, product.price_fen)
    return quotes


def quote_at(product, at: dt.datetime) -> PriceQuote:
    return quotes_at([product], at)[product.pk]


# --- the live prices pages show ---------------------------------------------------------------------------------------

# Replaced by any change of an event (its window, publishing) or of a featured product.
live_prices = Generation("live:prices")
SCHEDULE_TIMEOUT = 3600


def _schedule() -> tuple[tuple[int, int, int, dt.datetime, dt.datetime], ...]:
    """Every live price of a published event whose window has not closed: (product id,
    price, event id, window start, window end). Kept in the shared cache until an event
    or a featured product changes; a window closing by itself needs no change (filtered
    by the moment asked)."""
    key = f"live:prices:{live_prices.current()}"
    rows = cache.get(key)
    if rows is None:
        rows = tuple(
            FeaturedProduct.objects.filter(event__is_published=True, event_price_fen__isnull=False)
            .annotate_window()
            .filter(window_end_at__gt=timezone.now())
            .order_by("event_price_fen", "event_id")
            .values_list("product_id", "event_price_fen", "event_id", "window_start_at", "window_end_at")
        )
        cache.set(key, rows, SCHEDULE_TIMEOUT)
    return rows


def shown_quote(product, at: dt.datetime) -> PriceQuote:
    """``quote_at`` for a page that shows the price (a product's buy box, its share tags),
    from the kept live prices: no query. The same rule; what a buyer pays is still
    decided by ``quote_at`` at checkout."""
    for product_id, price, event_id, starts, ends in _schedule():  # lowest price first
        if product_id == product.pk and starts <= at < ends:
            if price < product.price_fen:
                return PriceQuote(product.pk, price, product.price_fen, event_id)
            break
    return PriceQuote(product.pk, product.price_fen, product.price_fen)


def _live_prices_changed(sender, **kwargs) -> None:
    live_prices.replace()


for _model in (LiveEvent, FeaturedProduct):
    post_save.connect(_live_prices_changed, sender=_model, dispatch_uid=f"live_prices_{_model.__name__}_saved")
    post_delete.connect(_live_prices_changed, sender=_model, dispatch_uid=f"live_prices_{_model.__name__}_deleted")


def ended_live_price(product_id: int, price_fen: int, at: dt.datetime) -> bool:
    """Whether ``price_fen`` was the live price of an event featuring the product whose
    window closed by ``at``: that is why the price moved."""
    return (
        FeaturedProduct.objects.filter(product_id=product_id, event_price_fen=price_fen)
        .annotate_window()
        .filter(window_end_at__lte=at)
        .exists()
    )


def describe_change(title: str, seen_fen: int, quote: PriceQuote, at: dt.datetime) -> str:
    """The buyer's message for a price that moved between the cart and now."""
    if not quote.is_live_price and ended_live_price(quote.product_id, seen_fen, at):
        return gettext("「%(title)s」直播已结束，直播价 ¥%(seen)s 不再适用，现价 ¥%(now)s。") % {
            "title": title,
            "seen": format_fen(seen_fen),
            "now": format_fen(quote.price_fen),
        }
    if quote.is_live_price:
        return gettext("「%(title)s」正在直播，直播价 ¥%(now)s（原为 ¥%(seen)s）。") % {
            "title": title,
            "seen": format_fen(seen_fen),
            "now": format_fen(quote.price_fen),
        }
    return gettext("「%(title)s」价格已由 ¥%(seen)s 变为 ¥%(now)s。") % {
        "title": title,
        "seen": format_fen(seen_fen),
        "now": format_fen(quote.price_fen),
    }
