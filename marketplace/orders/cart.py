"""The cart: in the session for anonymous buyers, in ``CartItem`` rows for signed-in
ones, merged on sign-in. Both remember the price the buyer saw, so checkout can say when
it changed. Only ``Product.objects.purchasable()`` can enter."""

from dataclasses import dataclass

from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver

from catalog.models import Product
from catalog.money import format_fen
from marketplace.errors import DomainError

from .models import CartItem

SESSION_KEY = "cart"
MAX_LINES = 50


class Cart:
    """{product id: (quantity, price seen in fen)} for one buyer."""

    def __init__(self, request):
        self.request = request
        self.user = request.user if request.user.is_authenticated else None

    # storage

    def items(self) -> dict[int, tuple[int, int]]:
        if self.user is not None:
            return {
                pid: (q, p) for pid, q, p in self.user.cart_items.values_list("product_id", "quantity", "price_fen")
            }
        raw = self.request.session.get(SESSION_KEY, {})
        return {int(pid): (int(q), int(p)) for pid, (q, p) in raw.items()}

    def _put(self, product_id: int, quantity: int, price_fen: int) -> None:
        if self.user is not None:
            CartItem.objects.update_or_create(
                user=self.user, product_id=product_id, defaults={"quantity": quantity, "price_fen": price_fen}
            )
        else:
            raw = self.request.session.get(SESSION_KEY, {})
            raw[str(product_id)] = [quantity, price_fen]
            self.request.session[SESSION_KEY] = raw

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
            raise DomainError("该商品已售罄或已下架，不能加入购物车。")
        current = self.items().get(product.pk, (0, 0))[0]
        self._check_quantity(product, current + quantity)
        if not current and len(self.items()) >= MAX_LINES:
            raise DomainError(f"购物车最多放 {MAX_LINES} 种商品。")
        self._put(product.pk, current + quantity, product.price_fen)
        return product

    def update(self, product_id: int, quantity: int) -> None:
        """Set the quantity of a product already in the cart (0 removes it)."""
        if quantity == 0:
            self.remove(product_id)
            return
        if product_id not in self.items():
            raise DomainError("购物车中没有该商品。")
        product = Product.objects.purchasable().filter(pk=product_id).first()
        if product is None:
            self.remove(product_id)
            raise DomainError("该商品已售罄或已下架，已从购物车移除。")
        self._check_quantity(product, quantity)
        self._put(product.pk, quantity, self.items()[product.pk][1])

    @staticmethod
    def _check_quantity(product: Product, quantity: int) -> None:
        if quantity < 1:
            raise DomainError("数量至少为 1。")
        if quantity > product.stock:
            raise DomainError(f"「{product.title}」库存仅剩 {product.stock} 件，请减少数量。")


@dataclass
class CartLine:
    product: Product
    quantity: int
    price_fen: int

    @property
    def total_fen(self) -> int:
        return self.price_fen * self.quantity


def review(cart: Cart) -> tuple[list[CartLine], list[str]]:
    """Recheck the cart against today's catalogue: drop what is no longer purchasable,
    cap quantities at the stock, take the current price. Returns the lines (grouped by
    shop in order) and one message per change; the cart is updated to match, so the rest
    of it is never lost."""
    items = cart.items()
    products = {
        p.pk: p for p in Product.objects.purchasable().filter(pk__in=list(items)).select_related("shop").order_by("pk")
    }
    gone_titles = dict(
        Product.objects.filter(pk__in=[pid for pid in items if pid not in products]).values_list("pk", "title")
    )
    lines, changes = [], []
    for pid, (quantity, seen_price) in items.items():
        product = products.get(pid)
        if product is None:
            changes.append(f"「{gone_titles.get(pid, '该商品')}」已售罄或不再销售，已从购物车移除。")
            cart.remove(pid)
            continue
        if product.price_fen != seen_price:
            changes.append(
                f"「{product.title}」价格已由 ¥{format_fen(seen_price)} 变为 ¥{format_fen(product.price_fen)}。"
            )
        if quantity > product.stock:
            changes.append(f"「{product.title}」库存不足，数量已由 {quantity} 件调整为 {product.stock} 件。")
            quantity = product.stock
        if product.price_fen != seen_price or quantity != items[pid][0]:
            cart._put(pid, quantity, product.price_fen)
        lines.append(CartLine(product, quantity, product.price_fen))
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
        for pid_text, (quantity, price) in raw.items():
            pid = int(pid_text)
            if pid not in stock:
                continue
            total = min(int(quantity) + (existing[pid].quantity if pid in existing else 0), max(stock[pid], 1))
            CartItem.objects.update_or_create(
                user=user, product_id=pid, defaults={"quantity": total, "price_fen": int(price)}
            )
    request.session[SESSION_KEY] = {}
