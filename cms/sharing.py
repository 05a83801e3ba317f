"""What a storefront page tells the apps it is shared to: title, description, picture,
canonical URL and type, read by search engines, Open Graph readers (most chat apps) and
WeChat's in-app browser (which, without its JS-SDK, reads the ``itemprop`` meta tags).

Every editable page type takes ``SharingMixin`` (an optional share picture in its
"promote" tab, beside Wagtail's SEO title and search description). One ``Share`` is built
per response: ``page_share`` for Wagtail pages, ``product_share`` / ``shop_share`` /
``category_share`` / ``event_share`` for the objects the routable pages serve,
``site_share`` for the rest (cart, search). Templates render it through
``{% share_meta %}`` (``templatetags/sharing.py``), in ``{% block share %}`` of base.html,
which a template overrides to describe its own object.

Fallbacks: picture → the page's banner or cover → the site's picture
(``static/img/share-default.png``); description → search description → summary or intro
(tags stripped) → the site's tagline. All URLs are absolute, from ``SITE_URL``, the same
address the share poster's QR code and the e-mails use."""

import html
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from catalog.models import DETAIL_RENDITION, SHARE_RENDITION
from core.money import yuan_decimal

from .renditions import PAGE_SHARE_RENDITION, rendition_of

# Pages' pictures are mostly wide banners and covers: Open Graph's preferred 1.91:1. A
# product's is its square first picture (SHARE_RENDITION, 600×600). WeChat crops either to
# a square thumbnail and ignores pictures under 300×300, so smaller ones fall through.
MIN_SHARE_SIDE = 300
DEFAULT_IMAGE = "img/share-default.png"
DEFAULT_IMAGE_SIZE = (600, 600)
DESCRIPTION_CHARS = 120

SITE_NAME = _("消费帮扶馆")
SITE_TAGLINE = _("买扶贫产品 · 助乡村振兴")


class SharingMixin(models.Model):
    """An optional share picture for a page (its "promote" tab); see the module docs."""

    share_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("分享图片"),
        help_text=_(
            "分享到微信等应用时显示的图片，宜不小于 300×300 像素；留空则用页面的横幅或封面图，再无则用网站标志。"
        ),
    )

    promote_panels = Page.promote_panels + [FieldPanel("share_image")]
    share_type = "website"  # og:type

    class Meta:
        abstract = True

    def share_image_candidates(self) -> list:
        """Pictures to share, best first: the chosen one, then the banner or cover."""
        return [getattr(self, name, None) for name in ("share_image", "banner", "cover")]

    def share_description_candidates(self) -> list[str]:
        """Texts to describe the page with, best first (rich text is stripped later)."""
        return [self.search_description, getattr(self, "summary", ""), getattr(self, "intro", "")]


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int
    height: int


@dataclass
class Share:
    title: str
    description: str
    url: str
    image: ShareImage
    type: str = "website"
    # More Open Graph properties, e.g. ("product:price:amount", "59.90").
    properties: list[tuple[str, str]] = field(default_factory=list)
    # A schema.org object, rendered as JSON-LD (see ``json_ld``).
    structured_data: dict | None = None

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image.width > self.image.height else "summary"

    @property
    def json_ld(self) -> str:
        """The structured data as JSON, safe inside <script>: <, > and & escaped as
        Django's json_script does, so no value can close the element."""
        if self.structured_data is None:
            return ""
        text = json.dumps(self.structured_data, ensure_ascii=False, separators=(",", ":"))
        return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def absolute(url: str) -> str:
    """``url`` made absolute from ``SITE_URL`` (left alone if it already is)."""
    if "://" in url or url.startswith("//"):
        return url if "://" in url else "https:" + url
    return settings.SITE_URL.rstrip("/") + url


def og_locale() -> str:
    return "en_US" if (get_language() or "").startswith("en") else "zh_CN"


def plain(text: str, chars: int = DESCRIPTION_CHARS) -> str:
    """Rich text or long text as one plain line, cut at ``chars`` characters."""
    text = " ".join(html.unescape(strip_tags(text or "")).split())
    return Truncator(text).chars(chars)


def _first_text(*candidates) -> str:
    for candidate in candidates:
        text = plain(str(candidate or ""))
        if text:
            return text
    return str(SITE_TAGLINE)


def default_image() -> ShareImage:
    return ShareImage(absolute(static(DEFAULT_IMAGE)), *DEFAULT_IMAGE_SIZE)


def image_share(images, spec: str) -> ShareImage:
    """The first of ``images`` whose rendition at ``spec`` is at least 300×300, else the
    site's picture."""
    for image in images:
        if image is None:
            continue
        rendition = rendition_of(image, spec)
        if min(rendition.width, rendition.height) >= MIN_SHARE_SIDE:
            return ShareImage(absolute(rendition.url), rendition.width, rendition.height)
    return default_image()


def site_share(request) -> Share:
    """Pages that describe nothing of their own (cart, search, sign-in)."""
    return Share(
        title=str(SITE_NAME),
        description=str(SITE_TAGLINE),
        url=absolute(request.path if request is not None else "/"),
        image=default_image(),
    )


def page_share(request, page) -> Share:
    """A Wagtail page: its SEO title, description and picture with their fallbacks."""
    page_type = getattr(page, "share_type", "website")  # ArticlePage: "article"
    if isinstance(page, SharingMixin):
        images = page.share_image_candidates()
        descriptions = page.share_description_candidates()
    else:
        images, descriptions = [], [getattr(page, "search_description", "")]
    url = page.get_url(request) if request is not None else page.url
    return Share(
        title=page.seo_title or page.title,
        description=_first_text(*descriptions),
        url=absolute(url or "/"),
        image=image_share(images, PAGE_SHARE_RENDITION),
        type=page_type,
    )


def product_share(product, images, price_fen: int, review_summary=None) -> Share:
    """A product's page: its name, selling points, first picture, price (the one shown:
    a live price while its event is on air) and a schema.org Product with its Offer."""
    url = absolute(product.get_absolute_url())
    price = str(yuan_decimal(price_fen))
    in_stock = product.stock > 0
    description = _first_text(product.summary, product.description)
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": description,
        "sku": str(product.pk),
        "category": product.category.name,
        "brand": {"@type": "Brand", "name": product.producer.name},
        "manufacturer": {"@type": "Organization", "name": product.producer.name},
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": price,
            "priceCurrency": "CNY",
            "availability": "https://schema.org/InStock" if in_stock else "https://schema.org/OutOfStock",
            "itemCondition": "https://schema.org/NewCondition",
            "seller": {"@type": "Organization", "name": product.shop.name},
        },
    }
    if images:
        data["image"] = [absolute(rendition_of(image, DETAIL_RENDITION).url) for image in images]
    if review_summary is not None and review_summary.count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(review_summary.average),
            "reviewCount": review_summary.count,
            "bestRating": "5",
            "worstRating": "1",
        }
    return Share(
        title=product.title,
        description=description,
        url=url,
        image=image_share(images[:1], SHARE_RENDITION),
        type="product",
        properties=[
            ("product:price:amount", price),
            ("product:price:currency", "CNY"),
            ("product:availability", "in stock" if in_stock else "out of stock"),
        ],
        structured_data=data,
    )


def shop_share(shop) -> Share:
    return Share(
        title=shop.name,
        description=_first_text(shop.description),
        url=absolute(shop.get_absolute_url()),
        image=default_image(),
    )


def category_share(category) -> Share:
    return Share(
        title=category.name,
        description=str(SITE_TAGLINE),
        url=absolute(category.get_absolute_url()),
        image=default_image(),
    )


def event_share(event) -> Share:
    return Share(
        title=event.title,
        description=_first_text(event.description),
        url=absolute(event.get_absolute_url()),
        image=image_share([event.cover], PAGE_SHARE_RENDITION),
    )
