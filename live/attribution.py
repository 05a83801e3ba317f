"""Which event an order line counts for, and how (直播归因). Decided once, when the order
is placed (``orders.services.place_order`` calls ``attribute_lines`` with the same moment
it prices the order at); the answer is stored on the order line and copied onto its
ledger entries, so event results and household attribution come from the same ledger.

The rules (README, "Live-stream sales"):

* A cart item is **tagged** when the buyer followed an event's link (``?live=<code>``)
  or entered its code; the tag remembers the event and when. It applies to the event's
  featured products and to any product of the event's shops.
* A tagged line placed while the event's window is open ([start, end)) is **in-live**;
  placed from the window's end until the end of the post-live period
  (``LiveEvent.post_live_end``) it is **post-live**. A tag is worth nothing before the
  window opens and lapses with the post-live period.
* A line that no tag claims, of a product featured in an event whose window is open at
  that moment, is **window** sales of that event (of the earliest-starting one, if
  several). Window sales are reported apart and never added to the other two.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from .models import FeaturedProduct, LiveAttribution, LiveEvent


@dataclass(frozen=True)
class LiveTag:
    """The event a cart item came through, and when it was tagged."""

    event_id: int
    tagged_at: dt.datetime


@dataclass(frozen=True)
class LineFacts:
    """What the rules need to know about one line to be placed (keyed by product id)."""

    shop_id: int
    tag: LiveTag | None = None


@dataclass(frozen=True)
class Attribution:
    event_id: int
    kind: str  # a LiveAttribution value


def qualifies(product_id: int, shop_id: int, featured_ids: set[int], shop_ids: set[int]) -> bool:
    """Whether an event's tag may claim this product: featured in it, or of one of its shops."""
    return product_id in featured_ids or shop_id in shop_ids


def attribute_lines(lines: Mapping[int, LineFacts], at: dt.datetime) -> dict[int, Attribution]:
    """``{product id: Attribution}`` for the lines (keyed by product id) placed at ``at``;
    lines that count for no event are absent. Three queries at most."""
    out: dict[int, Attribution] = {}
    tagged_event_ids = {f.tag.event_id for f in lines.values() if f.tag is not None}
    if tagged_event_ids:
        events = LiveEvent.objects.published().in_bulk(tagged_event_ids)
        featured: dict[int, set[int]] = {}
        for event_id, product_id in FeaturedProduct.objects.filter(event_id__in=events).values_list(
            "event_id", "product_id"
        ):
            featured.setdefault(event_id, set()).add(product_id)
        shops: dict[int, set[int]] = {}
        for event_id, shop_id in LiveEvent.shops.through.objects.filter(liveevent_id__in=events).values_list(
            "liveevent_id", "shop_id"
        ):
            shops.setdefault(event_id, set()).add(shop_id)
        for product_id, facts in lines.items():
            event = events.get(facts.tag.event_id) if facts.tag else None
            if event is None or facts.tag.tagged_at > at:
                continue
            if not qualifies(product_id, facts.shop_id, featured.get(event.pk, set()), shops.get(event.pk, set())):
                continue
            if event.is_live_at(at):
                out[product_id] = Attribution(event.pk, LiveAttribution.IN_LIVE)
            elif event.window_end <= at < event.post_live_end:
                out[product_id] = Attribution(event.pk, LiveAttribution.POST_LIVE)
    unclaimed = [pid for pid in lines if pid not in out]
    if unclaimed:
        window = (
            FeaturedProduct.objects.filter(product_id__in=unclaimed)
            .live_at(at)
            .order_by("window_start_at", "event_id")
            .values_list("product_id", "event_id")
        )
        for product_id, event_id in window:
            out.setdefault(product_id, Attribution(event_id, LiveAttribution.WINDOW))
    return out
