"""Carts, orders, per-shop sub-orders, order lines and the order history.

Where state lives (decided): the **Order** carries the *payment* state (awaiting payment,
paid, cancelled, partially refunded, refunded) because one checkout is paid once, as a
whole; each **SubOrder** carries the *fulfilment* state of one shop's part (awaiting
payment, paid = to ship, shipped, completed, cancelled, refunded) because each shop ships
its own parcel. Both move only through ``transitions.TRANSITIONS`` and
``services.apply_transition``; every move is an ``OrderEvent``.
"""

import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.scoping import Scope
from live.models import LiveAttribution

from .states import FulfilmentStatus, OrderStatus
from .transitions import TRANSITIONS, Target


class BuyerType(models.TextChoices):
    INDIVIDUAL = "individual", _("个人")
    BUDGET_UNIT = "budget_unit", _("预算单位")
    UNION = "union", _("工会")
    ENTERPRISE = "enterprise", _("企业")

    @classmethod
    def institutional(cls) -> tuple[str, ...]:
        return (cls.BUDGET_UNIT, cls.UNION, cls.ENTERPRISE)


class PaymentMethod(models.TextChoices):
    CARD = "card", _("银行卡")
    ALIPAY = "alipay", _("支付宝")
    WECHAT_PAY = "wechat_pay", _("微信支付")
    TRANSFER = "transfer", _("对公转账 / 发票")
    # Money taken at an offline point (专柜 / 专馆 / 专区) and reported by it: never offered
    # at checkout; its orders are made by ``services.record_offline_sale``.
    OFFLINE = "offline", _("线下网点收款")


class CartItem(models.Model):
    """A signed-in buyer's cart line. Anonymous buyers keep theirs in the session
    (``cart.SessionCart``); the two merge on sign-in."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    # The price the buyer saw when adding: checkout compares it and says so if it moved.
    price_fen = models.PositiveIntegerField(_("加购时价格（分）"))
    added_at = models.DateTimeField(auto_now_add=True)
    # The live event whose link or code the buyer came through, and when (live).
    live_event = models.ForeignKey("live.LiveEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    live_tagged_at = models.DateTimeField(null=True, blank=True)
    # Or the code of another link kind it came through, e.g. a campaign's (``link_tags``).
    link_code = models.CharField(max_length=12, blank=True, default="")

    class Meta:
        verbose_name = _("购物车商品")
        verbose_name_plural = pgettext_lazy("plural", "购物车商品")
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="cart_item_unique_product")]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"


class AddressRegion(models.Model):
    """Where buyers live: the province, city and county of every province of China, from the
    official division codes shipped in ``producers/data/divisions`` (loaded by migration
    0004 through ``orders/address_regions.py``). Not the producer ``Region`` tree, which
    holds only the provinces a deployment serves and is what bureaus browse.

    Shaped as Chinese shops show an address, always three levels: a municipality's city is
    the municipality itself (北京市 → 北京市 → 东城区; Chongqing's 市辖区 and 县 are one
    city), and each county-level unit governed directly by its province (省直辖县级行政区划:
    济源市, 仙桃市, 琼海市 …) is a city of its own whose one county is itself, as the codes
    already show 东莞市 → 东莞市. Codes are the official ones (a promoted unit's city and
    county share its 6-digit code), so they are unique per level."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省")
        CITY = 2, _("市")
        COUNTY = 3, _("县/区")

    code = models.CharField(_("代码"), max_length=12)
    name = models.CharField(_("名称"), max_length=40)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    full_name = models.CharField(_("省市县"), max_length=120, help_text=_("如：广东省 广州市 天河区"))

    class Meta:
        verbose_name = _("收货地区")
        verbose_name_plural = pgettext_lazy("plural", "收货地区")
        ordering = ["level", "code"]
        constraints = [models.UniqueConstraint(fields=["level", "code"], name="address_region_code_per_level")]
        indexes = [models.Index(fields=["parent", "code"], name="address_region_children")]

    def __str__(self) -> str:
        return self.full_name


MAX_ADDRESSES = 20


class Address(models.Model):
    """A signed-in buyer's saved shipping address (地址簿): at most ``MAX_ADDRESSES``, exactly
    one of them the default (``services.add_address`` and friends keep both rules; the
    database refuses a second default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    recipient_name = models.CharField(_("收货人姓名"), max_length=50)
    mobile = models.CharField(_("手机号"), max_length=11)
    region = models.ForeignKey(AddressRegion, on_delete=models.PROTECT, related_name="+", verbose_name=_("省市县"))
    detail = models.CharField(_("详细地址"), max_length=200)
    is_default = models.BooleanField(_("默认地址"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("singular", "收货地址")
        verbose_name_plural = pgettext_lazy("plural", "收货地址")
        ordering = ["-is_default", "-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(is_default=True), name="address_one_default_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.region.full_name} {self.detail}"


def new_order_token() -> str:
    return secrets.token_urlsafe(32)


class Order(models.Model):
    """One checkout: the buyer, the shipping address and the payment state."""

    number = models.CharField(_("订单号"), max_length=24, unique=True)
    token = models.CharField(_("访问令牌"), max_length=64, unique=True, default=new_order_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("买家账号"),
    )
    status = models.CharField(
        _("付款状态"), max_length=24, choices=OrderStatus.choices, default=OrderStatus.AWAITING_PAYMENT
    )
    buyer_type = models.CharField(_("买家类型"), max_length=20, choices=BuyerType.choices)
    contact_name = models.CharField(_("联系人"), max_length=50)
    email = models.EmailField(_("邮箱"))
    mobile = models.CharField(_("手机号"), max_length=11)
    organisation_name = models.CharField(_("单位名称"), max_length=120, blank=True)
    tax_id = models.CharField(_("纳税人识别号"), max_length=18, blank=True)
    # A snapshot, like the lines' titles and prices: the county's official code and its
    # names as they were at checkout (``AddressRegion.full_name``), whatever later editions
    # of the division codes rename or merge.
    ship_region_code = models.CharField(_("收货地区代码"), max_length=12)
    ship_region_name = models.CharField(_("省市县"), max_length=120)
    ship_detail = models.CharField(_("详细地址"), max_length=200)
    recipient_name = models.CharField(_("收货人"), max_length=50)
    recipient_mobile = models.CharField(_("收货人手机"), max_length=11)
    payment_method = models.CharField(_("付款方式"), max_length=20, choices=PaymentMethod.choices)
    total_fen = models.PositiveBigIntegerField(_("应付（分）"))
    paid_fen = models.PositiveBigIntegerField(_("已收（分）"), default=0)
    refunded_fen = models.PositiveBigIntegerField(_("已退（分）"), default=0)
    payment_due_at = models.DateTimeField(_("付款截止"))
    # Set for an organisation that pays by transfer N days after acceptance (its setting
    # when the order was placed): the order ships unpaid (OrderStatus.ON_TERMS) and
    # ``payment_due_at`` becomes the end of the Nth Shanghai day after its last parcel is
    # accepted. Empty: paid before shipping, within the payment window.
    payment_terms_days = models.PositiveSmallIntegerField(_("验收后付款天数"), null=True, blank=True)
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True, db_index=True)
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    # A bank-transfer order's payee as the buyer was told it at checkout (order page, e-mail,
    # payment notice), kept like the lines' prices: a later change of the platform's or the
    # shop's account must not send the buyer's money elsewhere. Empty when no account was
    # configured then (the payee is then looked up when shown: transfer_details.py).
    payee_name = models.CharField(_("收款户名"), max_length=100, blank=True, default="")
    payee_bank = models.CharField(_("收款开户行"), max_length=100, blank=True, default="")
    payee_account = models.CharField(_("收款账号"), max_length=40, blank=True, default="")
    payee_shop_name = models.CharField(_("收款网店"), max_length=120, blank=True, default="")
    # The sales channel when the order says it itself: an offline point's sale carries its
    # point's (专柜 / 专馆 / 专区). Empty for online orders, whose channel follows from the
    # buyer and the live link (``sales_channels.selectors.channel_of``).
    channel = models.CharField(_("销售渠道"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = pgettext_lazy("plural", "订单")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "payment_due_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(paid_fen__lte=models.F("total_fen")), name="order_not_overpaid"),
            models.CheckConstraint(condition=Q(refunded_fen__lte=models.F("paid_fen")), name="order_refund_le_paid"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_institutional(self) -> bool:
        return self.buyer_type in BuyerType.institutional()

    @property
    def outstanding_fen(self) -> int:
        return self.total_fen - self.paid_fen

    @property
    def is_paid_in_full(self) -> bool:
        """Past awaiting payment with the whole total received (the pay and return pages'
        "paid")."""
        return self.status != OrderStatus.AWAITING_PAYMENT and self.paid_fen >= self.total_fen

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("orders:by_token", args=[self.token])


class SubOrder(models.Model):
    """One shop's part of an order: what it ships, with its own fulfilment state.

    Scoped by shop only (no region path): operators see their shops' sub-orders; bureau
    officers, who are scoped by region, get nothing, as they must see no buyer data."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="suborders", verbose_name=_("订单"))
    shop = models.ForeignKey("catalog.Shop", on_delete=models.PROTECT, related_name="suborders", verbose_name=_("网店"))
    status = models.CharField(
        _("履约状态"),
        max_length=24,
        choices=FulfilmentStatus.choices,
        default=FulfilmentStatus.AWAITING_PAYMENT,
    )
    subtotal_fen = models.PositiveBigIntegerField(_("小计（分）"))
    carrier = models.CharField(_("快递公司"), max_length=40, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)
    shipped_at = models.DateTimeField(_("发货时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    scope = Scope(shop="shop", region=None)

    class Meta:
        verbose_name = _("子订单")
        verbose_name_plural = pgettext_lazy("plural", "子订单")
        ordering = ["-order__created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["order", "shop"], name="suborder_one_per_shop")]

    def __str__(self) -> str:
        return f"{self.order.number}-{self.shop_id}"


class OrderLine(models.Model):
    """What was sold, as it was at checkout: title, unit price, certificate number and the
    benefit-linkage version in force."""

    suborder = models.ForeignKey(SubOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines")
    title = models.CharField(_("品名"), max_length=120)
    unit = models.CharField(_("规格"), max_length=40, blank=True)
    unit_price_fen = models.PositiveIntegerField(_("单价（分）"))
    quantity = models.PositiveIntegerField(_("数量"))
    certificate_number = models.CharField(_("证书编号"), max_length=32, blank=True)
    linkage = models.ForeignKey(
        "producers.BenefitLinkage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("利益联结版本"),
    )
    refunded_quantity = models.PositiveIntegerField(_("已退数量"), default=0)
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    live_event = models.ForeignKey(
        "live.LiveEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("直播活动"),
    )
    live_attribution = models.CharField(_("直播归因"), max_length=12, blank=True, choices=LiveAttribution.choices)
    # The code of the link (other than a live event's) the buyer came through, e.g. a
    # campaign's, as it was at checkout; what it is worth is decided at payment
    # (``sales_channels.selectors.pairing_of``).
    link_code = models.CharField(_("活动码"), max_length=12, blank=True, default="")
    # The production batch the line was packed from, recorded at shipping (traceability):
    # the buyer's order page links its trace page; a recall lists the orders of a batch.
    batch = models.ForeignKey(
        "traceability.Batch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("生产批次"),
    )
    certified_at_payment = models.BooleanField(
        _("付款时有效认定"),
        null=True,
        help_text=_("付款时产品是否持有有效证书，决定是否计入消费帮扶金额。"),
    )

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = pgettext_lazy("plural", "订单明细")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=models.F("quantity")), name="order_line_refund_le_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} × {self.quantity}"

    @property
    def line_total_fen(self) -> int:
        return self.unit_price_fen * self.quantity

    @property
    def refundable_quantity(self) -> int:
        return self.quantity - self.refunded_quantity


# The action of an order-history line that records a step of an after-sales request
# (``services.log_after_sale``); its statuses are the request's, not the order's.
AFTER_SALE_ACTION = "after_sale"
# The one history line of an offline point's sale (``services.record_offline_sale``): sold,
# paid and handed over at the counter in one moment.
OFFLINE_SALE_ACTION = "offline_sale"


class OrderEvent(models.Model):
    """The order history: every state change of an order or sub-order, who, when, from, to."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    suborder = models.ForeignKey(SubOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=24)
    to_status = models.CharField(_("新状态"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("订单记录")
        verbose_name_plural = pgettext_lazy("plural", "订单记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    def get_action_label(self) -> str:
        if self.action == "place":
            return gettext("提交订单")
        if self.action == AFTER_SALE_ACTION:
            return gettext("售后")
        if self.action == OFFLINE_SALE_ACTION:
            return gettext("线下网点售出")
        target = Target.SUBORDER if self.suborder_id else Target.ORDER
        transition = TRANSITIONS.get((target, self.action))
        return str(transition.label) if transition else self.action


# --- reviews (评价) ----------------------------------------------------------------------------------------

REVIEW_TEXT_MAX = 500
REVIEW_REPLY_MAX = 500
REVIEW_HIDDEN_REASON_MAX = 200
MAX_REVIEW_PHOTOS = 3


def review_photo_storage():
    """Review photos live beside certification evidence, outside MEDIA_ROOT, and are served
    through a view (``views.review_photo``): a review the platform hides takes its photos
    off the public web too, which files under a public URL could not do."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


def mask_name(name: str) -> str:
    """A buyer's 姓名 as the product page shows it: the first character and one star (陈静 → 陈*)."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else gettext("匿名买家")


class Review(models.Model):
    """A buyer's review (评价) of one order line, once the shop's parcel was received: a
    rating 1–5, text and up to ``MAX_REVIEW_PHOTOS`` photos; at most one per line (the
    database refuses a second). The shop's operator may reply once; a platform
    administrator may hide it with a reason (it then leaves the product page and its
    average; the buyer still sees it, marked hidden). Written through ``services`` only."""

    line = models.OneToOneField(OrderLine, on_delete=models.CASCADE, related_name="review", verbose_name=_("订单明细"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="reviews", verbose_name=_("商品")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("买家账号"),
    )
    # The 姓名 the review was written under (the account's, else the order's contact), shown
    # to the public only masked (``masked_author``).
    author_name = models.CharField(_("评价人"), max_length=50)
    rating = models.PositiveSmallIntegerField(_("评分"))
    text = models.TextField(_("评价内容"), max_length=REVIEW_TEXT_MAX, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    reply = models.TextField(_("店家回复"), max_length=REVIEW_REPLY_MAX, blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hidden = models.BooleanField(_("已隐藏"), default=False)
    hidden_reason = models.CharField(_("隐藏原因"), max_length=REVIEW_HIDDEN_REASON_MAX, blank=True)
    hidden_at = models.DateTimeField(_("隐藏时间"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Operators see their shops' reviews; officers none (as with sub-orders: no buyer data).
    scope = Scope(shop="product__shop", region=None)

    class Meta:
        verbose_name = _("商品评价")
        verbose_name_plural = pgettext_lazy("plural", "商品评价")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product", "hidden", "-created_at"], name="review_product_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(condition=Q(hidden=False) | ~Q(hidden_reason=""), name="review_hidden_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ★{self.rating}"

    @property
    def masked_author(self) -> str:
        return mask_name(self.author_name)

    @property
    def stars(self) -> str:
        return "★" * self.rating + "☆" * (5 - self.rating)


class ReviewPhoto(models.Model):
    """A photo of a review, checked by content on upload (``core.uploads``)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("照片"), upload_to="reviews/%Y/%m/", storage=review_photo_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("评价照片")
        verbose_name_plural = pgettext_lazy("plural", "评价照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class RecallNotice(models.Model):
    """A recall (召回) notice a platform administrator sent the buyers of every order shipped
    from a batch: an e-mail and a text message to each buyer (one per address and number,
    however many orders they have from it). At most one per batch per Asia/Shanghai day
    (the database refuses a second), so a resubmitted form never writes to buyers twice.
    Records who sent it, when, what it said and how many were written to."""

    batch = models.ForeignKey(
        "traceability.Batch",
        on_delete=models.PROTECT,
        related_name="recall_notices",
        verbose_name=_("生产批次"),
    )
    day = models.DateField(_("日期"))
    message = models.TextField(_("召回说明"), max_length=300)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("发送人")
    )
    sent_at = models.DateTimeField(_("发送时间"))
    orders_count = models.PositiveIntegerField(_("订单数"))
    emails_count = models.PositiveIntegerField(_("邮件数"))
    sms_count = models.PositiveIntegerField(_("短信数"))

    class Meta:
        verbose_name = _("召回通知")
        verbose_name_plural = pgettext_lazy("plural", "召回通知")
        ordering = ["-sent_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "day"], name="recall_notice_once_a_day")]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.day:%Y-%m-%d}"
