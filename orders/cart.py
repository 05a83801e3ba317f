"""The cart: in the session for anonymous buyers, in ``CartItem`` rows for signed-in
ones, merged on sign-in. Both remember the price the buyer saw, so checkout can say when
it changed, and the link the item came through: a live event (``live.tagging``) or
another kind's code, e.g. a campaign's (``link_tags``), the most recent link winning.
Only ``Product.objects.purchasable()`` can enter. Prices are those of the moment,
live prices included (``live.pricing``)."""

from dataclasses import dataclass

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from catalog.models import Product
from core.errors import DomainError
from live import tagging
from live.attribution import LiveTag
from live.models import LiveEvent
from live.pricing import PriceQuote, describe_change, quote_at, quotes_at

from . import link_tags
from .models import CartItem

KEEP = object()  # _put: leave the item's link tag as it is

SESSION_KEY = "cart"
MAX_LINES = 50


def session_tag(entry: list) -> LiveTag | None:
    """The live tag of a session cart entry: [quantity, price, event id, tagged at ISO],
    or [quantity, price] untagged, or [quantity, price, None, None, link code]."""
    at = parse_datetime(str(entry[3])) if len(entry) >= 4 and entry[2] else None
    return LiveTag(int(entry[2]), at) if at is not None else None


def session_link_code(entry: list) -> str:
    """The link code (a campaign's) of a session cart entry, or ""."""
    return str(entry[4] or "") if len(entry) >= 5 else ""


class Cart:
    """{product id: (quantity, price seen in fen)} for one buyer."""

    def __init__(self, request):
        self.request = request
        self.user = request.user if request.user.is_authenticated else None

    # storage

    def rows(self) -> dict[int, tuple[int, int, LiveTag | None, str]]:
        """{product id: (quantity, price seen in fen, the live event it came through or None,
        the link code it came through or "")}: at most one of the two."""
        if self.user is not None:
            rows = self.user.cart_items.values_list(
                "product_id", "quantity", "price_fen", "live_event_id", "live_tagged_at", "link_code"
            )
            return {
                pid: (q, p, LiveTag(event_id, at) if event_id else None, code) for pid, q, p, event_id, at, code in rows
            }
        raw = self.request.session.get(SESSION_KEY, {})
        return {
            int(pid): (int(entry[0]), int(entry[1]), session_tag(entry), session_link_code(entry))
            for pid, entry in raw.items()
        }

    def items(self) -> dict[int, tuple[int, int]]:
        return {pid: (quantity, price) for pid, (quantity, price, *_tags) in self.rows().items()}

    def _put(self, product_id: int, quantity: int, price_fen: int, tag=KEEP) -> None:
        """Store an item; ``tag`` a LiveTag, a link code (str), None to clear it, or KEEP
        (leave the item's tag as it is). A live tag clears the link code and a link code the
        live tag: an item keeps the most recent link. Both carts honour all of them: an add
        while the session holds a tag (``add``) tags the item whether the buyer is signed in
        or not. (``tag_items`` tags a signed-in cart's existing items with one UPDATE
        instead of one write per item.)"""
        live = tag if isinstance(tag, LiveTag) else None
        code = tag if isinstance(tag, str) else ""
        if self.user is not None:
            defaults = {"quantity": quantity, "price_fen": price_fen}
            if tag is not KEEP:
                defaults["live_event_id"] = live.event_id if live is not None else None
                defaults["live_tagged_at"] = live.tagged_at if live is not None else None
                defaults["link_code"] = code
            CartItem.objects.update_or_create(user=self.user, product_id=product_id, defaults=defaults)
        else:
            raw = self.request.session.get(SESSION_KEY, {})
            entry = [quantity, price_fen]
            old = raw.get(str(product_id)) or []
            if tag is KEEP and len(old) >= 4:
                entry += old[2:]
            elif live is not None:
                entry += [live.event_id, live.tagged_at.isoformat()]
            elif code:
                entry += [None, None, code]
            raw[str(product_id)] = entry
            self.request.session[SESSION_KEY] = raw

    def tag_items(self, event, at) -> int:
        """Tag the items ``event`` may claim (its featured products, its shops' products)
        with it. Returns how many were tagged."""
        items = self.items()
        if not items:
            return 0
        products = list(Product.objects.filter(pk__in=list(items)).only("pk", "shop_id"))
        tag = LiveTag(event.pk, at)
        claimed = tagging.claimable(event, products)
        if self.user is not None:
            # Only the tag changes: one UPDATE for all the claimed items.
            self.user.cart_items.filter(product_id__in=claimed).update(
                live_event_id=event.pk, live_tagged_at=at, link_code=""
            )
        else:
            for pid in claimed:
                quantity, price = items[pid]
                self._put(pid, quantity, price, tag=tag)
        return len(claimed)

    def tag_items_with_link(self, target) -> int:
        """Tag the items a link target (``link_tags``: e.g. a campaign) may claim with its
        code. Returns how many were tagged."""
        items = self.items()
        if not items:
            return 0
        claimed = target.claimable(list(Product.objects.filter(pk__in=list(items)).only("pk", "shop_id")))
        if self.user is not None:
            self.user.cart_items.filter(product_id__in=claimed).update(
                link_code=target.code, live_event_id=None, live_tagged_at=None
            )
        else:
            for pid in claimed:
                quantity, price = items[pid]
                self._put(pid, quantity, price, tag=target.code)
        return len(claimed)

    def remove(self, product_id: int) -> None:
        if self.user is not None:
            CartItem.objects.filter(user=self.user, product_id=product_id).delete()
        else:
            raw = self.request.session.get(SESSION_KEY, {})
            raw.pop(str(product_id), None)
            self.request.session[SESSION_KEY] = raw

    def clear(self) -> None:
        if self.user is not None:
            CartItem.objects.filter(user=self.user).delete()
        else:
            self.request.session[SESSION_KEY] = {}

    def count(self) -> int:
        """Units in the cart, for the header."""
        return sum(q for q, _p in self.items().values())

    # rules

    def add(self, product_id: int, quantity: int) -> Product:
        """Add ``quantity`` units (on top of what is there). Refuses products that are not
        purchasable and totals outside 1..stock, with a message saying why."""
        product = Product.objects.purchasable().filter(pk=product_id).first()
        if product is None:
            raise DomainError(_("该商品已售罄或已下架，不能加入购物车。"))
        current = self.items().get(product.pk, (0, 0))[0]
        self._check_quantity(product, current + quantity)
        if not current and len(self.items()) >= MAX_LINES:
            raise DomainError(_("购物车最多放 %(max)s 种商品。") % {"max": MAX_LINES})
        now = timezone.now()
        self._put(product.pk, current + quantity, quote_at(product, now).price_fen, tag=self._tag_for(product, now))
        return product

    def _tag_for(self, product: Product, now):
        """The session's live tag or link code when it may claim ``product``; else keep what
        the item has."""
        found = tagging.session_tag(self.request, now)
        if found is not None:
            tag, event = found
            return tag if product.pk in tagging.claimable(event, [product]) else KEEP
        target = link_tags.session_target(self.request, now)
        if target is not None and product.pk in target.claimable([product]):
            return target.code
        return KEEP

    def update(self, product_id: int, quantity: int) -> None:
        """Set the quantity of a product already in the cart (1..stock; ``remove`` takes it out)."""
        if product_id not in self.items():
            raise DomainError(_("购物车中没有该商品。"))
        product = Product.objects.purchasable().filter(pk=product_id).first()
        if product is None:
            self.remove(product_id)
            raise DomainError(_("该商品已售罄或已下架，已从购物车移除。"))
        self._check_quantity(product, quantity)
        self._put(product.pk, quantity, self.items()[product.pk][1])

    @staticmethod
    def _check_quantity(product: Product, quantity: int) -> None:
        if quantity < 1:
            raise DomainError(_("数量至少为 1。"))
        if quantity > product.stock:
            raise DomainError(
                _("「%(title)s」库存仅剩 %(stock)s 件，请减少数量。") % {"title": product.title, "stock": product.stock}
            )


@dataclass
class CartLine:
    product: Product
    quantity: int
    price_fen: int
    quote: PriceQuote | None = None  # live price details, when a live price applies
    live_tag: LiveTag | None = None
    link_code: str = ""  # the campaign (or other link kind) the item came through

    @property
    def total_fen(self) -> int:
        return self.price_fen * self.quantity


def review(cart: Cart) -> tuple[list[CartLine], list[str]]:
    """Recheck the cart against today's catalogue: drop what is no longer purchasable,
    cap quantities at the stock, take the current price. Returns the lines (grouped by
    shop in order) and one message per change; the cart is updated to match, so the rest
    of it is never lost."""
    rows = cart.rows()
    items = {pid: (quantity, price) for pid, (quantity, price, *_tags) in rows.items()}
    products = {
        p.pk: p for p in Product.objects.purchasable().filter(pk__in=list(items)).select_related("shop").order_by("pk")
    }
    gone_titles = dict(
        Product.objects.filter(pk__in=[pid for pid in items if pid not in products]).values_list("pk", "title")
    )
    now = timezone.now()
    quotes = quotes_at(products.values(), now)
    lines, changes = [], []
    for pid, (quantity, seen_price) in items.items():
        product = products.get(pid)
        if product is None:
            changes.append(
                _("「%(title)s」已售罄或不再销售，已从购物车移除。") % {"title": gone_titles.get(pid) or _("该商品")}
            )
            cart.remove(pid)
            continue
        quote = quotes[pid]
        if quote.price_fen != seen_price:
            changes.append(describe_change(product.title, seen_price, quote, now))
        if quantity > product.stock:
            changes.append(
                _("「%(title)s」库存不足，数量已由 %(old)s 件调整为 %(new)s 件。")
                % {"title": product.title, "old": quantity, "new": product.stock}
            )
            quantity = product.stock
        if quote.price_fen != seen_price or quantity != items[pid][0]:
            cart._put(pid, quantity, quote.price_fen)
        lines.append(
            CartLine(product, quantity, quote.price_fen, quote=quote, live_tag=rows[pid][2], link_code=rows[pid][3])
        )
    lines.sort(key=lambda ln: (ln.product.shop.name, ln.product.shop_id, ln.product.pk))
    return lines, changes


@receiver(user_logged_in)
def merge_session_cart(sender, request, user, **kwargs):
    """On sign-in, move the anonymous cart into the account's cart (quantities add up,
    capped at the stock; the session's price-seen wins so a change is still reported)."""
    if request is None or not hasattr(request, "session"):
        return
    raw = request.session.get(SESSION_KEY) or {}
    if not raw:
        return
    with transaction.atomic():
        existing = {ci.product_id: ci for ci in CartItem.objects.filter(user=user)}
        stock = dict(Product.objects.filter(pk__in=[int(k) for k in raw]).values_list("pk", "stock"))
        tags = {int(pid): session_tag(entry) for pid, entry in raw.items()}
        events = set(
            LiveEvent.objects.filter(pk__in=[t.event_id for t in tags.values() if t]).values_list("pk", flat=True)
        )
        for pid_text, entry in raw.items():
            pid = int(pid_text)
            quantity, price = entry[0], entry[1]
            if pid not in stock:
                continue
            total = min(int(quantity) + (existing[pid].quantity if pid in existing else 0), max(stock[pid], 1))
            defaults = {"quantity": total, "price_fen": int(price)}
            # The session's tag goes with the item (it is the more recent visit).
            tag, code = tags[pid], session_link_code(entry)
            if tag is not None and tag.event_id in events:
                defaults.update(live_event_id=tag.event_id, live_tagged_at=tag.tagged_at, link_code="")
            elif code:
                defaults.update(live_event_id=None, live_tagged_at=None, link_code=code)
            CartItem.objects.update_or_create(user=user, product_id=pid, defaults=defaults)
    request.session[SESSION_KEY] = {}
