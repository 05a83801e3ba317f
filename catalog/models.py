from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.images import get_image_model
from wagtail.models import Orderable

from core.money import format_fen
from core.page_urls import page_url
from core.scoping import Scope
from core.validators import validate_account_number

from .listing import listing_conditions

# The rendition every product card and the product page use; prefetched with the list.
CARD_RENDITION = "fill-400x400"
DETAIL_RENDITION = "max-800x800"
# Half-size renditions for srcset: a phone of ordinary density takes these, a sharp screen or a
# wide one the full size (cms/templatetags/storefront.py picks through the browser's `sizes`).
CARD_RENDITION_SMALL = "fill-200x200"
DETAIL_RENDITION_SMALL = "max-400x400"
CARD_RENDITIONS = (CARD_RENDITION_SMALL, CARD_RENDITION)
# The picture a shared product page shows (Open Graph, WeChat) and its share poster draws:
# square, at least 300×300 as WeChat wants. Made and prefetched with the detail renditions.
SHARE_RENDITION = "fill-600x600"
DETAIL_RENDITIONS = (DETAIL_RENDITION_SMALL, DETAIL_RENDITION, SHARE_RENDITION)


class Category(models.Model):
    """Product category: the seven of the Zaozhuang catalogue, with sub-categories."""

    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名"), max_length=80, blank=True)
    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("品类")
        verbose_name_plural = pgettext_lazy("plural", "品类")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("category", self.slug)


class ShopQuerySet(models.QuerySet):
    def active(self) -> "ShopQuerySet":
        return self.filter(is_active=True)


class Shop(models.Model):
    """A village e-shop (村级电商网店): one per village or cooperative, run by operators."""

    name = models.CharField(_("店名"), max_length=100)
    slug = models.SlugField(_("标识"), max_length=80, unique=True)
    region = models.ForeignKey(
        "producers.Region", on_delete=models.PROTECT, related_name="shops", verbose_name=_("所在地")
    )
    description = models.TextField(_("简介"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="operated_shops", verbose_name=_("运营人员")
    )
    is_active = models.BooleanField(_("营业中"), default=True)
    # The shop's own account for bank transfers (对公转账): a single-shop order whose shop
    # has all three is paid to it, any other to the platform's (payments.selectors.payee_for).
    payee_name = models.CharField(_("户名"), max_length=100, blank=True)
    payee_bank = models.CharField(
        _("开户行"), max_length=100, blank=True, help_text=_("写到支行，如：中国农业银行单县支行。")
    )
    payee_account = models.CharField(
        _("账号"),
        max_length=40,
        blank=True,
        validators=[validate_account_number],
        help_text=_("8 至 30 位数字，可用空格分组。"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShopQuerySet.as_manager()
    scope = Scope(shop="", region="region")

    class Meta:
        verbose_name = _("网店")
        verbose_name_plural = pgettext_lazy("plural", "网店")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return page_url("shop", self.slug)

    PAYEE_FIELDS = ("payee_name", "payee_bank", "payee_account")

    @property
    def has_payee(self) -> bool:
        return all(getattr(self, name).strip() for name in self.PAYEE_FIELDS)

    def clean(self) -> None:
        super().clean()
        for name in self.PAYEE_FIELDS:
            setattr(self, name, " ".join(getattr(self, name).split()))
        filled = [name for name in self.PAYEE_FIELDS if getattr(self, name)]
        if filled and len(filled) < len(self.PAYEE_FIELDS):
            raise ValidationError(
                {
                    name: _("户名、开户行和账号须一并填写，或都留空（用平台的收款账户）。")
                    for name in self.PAYEE_FIELDS
                    if name not in filled
                }
            )


class ProductQuerySet(models.QuerySet):
    def listed(self) -> "ProductQuerySet":
        """What the storefront shows, searches and sells: listed by its shop, the shop
        active, and every condition of ``listing.py`` (a certificate valid today). The one
        place that decides it; because the conditions are part of this query, a revoked
        or lapsed certificate hides the product at once, with no job to wait for."""
        return self.filter(*listing_conditions(), is_listed=True, shop__is_active=True)

    def purchasable(self) -> "ProductQuerySet":
        """What can go into a cart: listed and in stock."""
        return self.listed().filter(stock__gt=0)

    def card_rows(self) -> "ProductQuerySet":
        """The rows a product card shows, without its picture: one query. The card renderer
        (``cms/fragments.py``) fetches pictures only for the cards it does not find kept
        (``prefetch_card_images``)."""
        return self.select_related("shop", "category", "origin_region")

    def for_cards(self) -> "ProductQuerySet":
        """Everything a product card shows, in a fixed number of queries (three)."""
        return self.card_rows().prefetch_related(card_images())


def card_images() -> Prefetch:
    """A product's pictures with their card renditions (two queries for any number of products)."""
    image_qs = ProductImage.objects.select_related("image").prefetch_related(
        Prefetch(
            "image__renditions",
            queryset=get_image_model().get_rendition_model().objects.filter(filter_spec__in=CARD_RENDITIONS),
        )
    )
    return Prefetch("images", queryset=image_qs)


def prefetch_card_images(products) -> None:
    """``card_images`` for those of ``products`` that have not got them yet."""
    missing = [p for p in products if "images" not in getattr(p, "_prefetched_objects_cache", {})]
    if missing:
        prefetch_related_objects(missing, card_images())


class Product(ClusterableModel):
    """A product a shop sells. Prices are integer fen."""

    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="products", verbose_name=_("网店"))
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="products", verbose_name=_("生产主体")
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("品类"))
    title = models.CharField(_("品名"), max_length=120)
    summary = models.CharField(_("卖点"), max_length=200, blank=True)
    description = models.TextField(_("详情"), blank=True)
    unit = models.CharField(_("规格"), max_length=40, help_text=_("如：500克/袋"))
    price_fen = models.PositiveIntegerField(_("价格（分）"))
    stock = models.PositiveIntegerField(_("库存"), default=0)
    origin_region = models.ForeignKey(
        "producers.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("产地")
    )
    is_listed = models.BooleanField(_("上架"), default=True)
    units_sold = models.PositiveIntegerField(
        _("已售件数"),
        default=0,
        editable=False,
        help_text=_("已付款件数减退款件数，由订单服务维护。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()
    scope = Scope(shop="shop", region="producer__region")

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = pgettext_lazy("plural", "产品")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["shop", "is_listed"]),
            models.Index(fields=["category", "is_listed"]),
            # The storefront's sorts (catalog/selectors.py SORTS), read in index order so that a
            # page of a list stops after its rows instead of sorting the whole catalogue:
            # newest (created_at, id) backwards, price_asc (price_fen, -id) forwards,
            # price_desc (price_fen, id) backwards.
            models.Index(fields=["created_at", "id"], name="catalog_product_newest"),
            models.Index(fields=["price_fen", "-id"], name="catalog_product_price_asc"),
            models.Index(fields=["price_fen", "id"], name="catalog_product_price_desc"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return page_url("product", self.pk)

    @property
    def price_yuan(self) -> str:
        return format_fen(self.price_fen)

    @property
    def main_image(self):
        images = list(self.images.all())
        return images[0].image if images else None


class ProductImage(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+", verbose_name=_("图片"))
    caption = models.CharField(pgettext_lazy("image caption", "说明"), max_length=120, blank=True)

    scope = Scope(shop="product__shop", region="product__producer__region")

    class Meta(Orderable.Meta):
        verbose_name = _("产品图片")
        verbose_name_plural = pgettext_lazy("plural", "产品图片")
