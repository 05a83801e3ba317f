"""The StreamField blocks editors build storefront pages from: product grids, shop lists,
the live strip, banners, the figures strip, calls to action, category tiles, and the plain
heading / paragraph / image / quote.

Blocks that show rows (products, shops, events, categories, figures) hold only the
editor's choices: a chooser block here keeps an **id**, never a model instance, so no
block can render a product that is no longer listed. What they show is loaded at render
time by ``block_data.prepare_blocks`` (one query per kind of row for the whole page) and
handed to the block templates as ``data``."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.images.blocks import ImageBlock, ImageChooserBlock

from catalog.choosers import category_chooser_viewset, product_chooser_viewset, shop_chooser_viewset
from producers.choosers import region_chooser_viewset

MAX_PRODUCTS = 48

DEFAULT_HEADING = _("不填即用默认标题。")

SORT_LABELS = [
    ("newest", _("最新上架")),
    ("price_asc", _("价格从低到高")),
    ("price_desc", _("价格从高到低")),
]


# --- choosers that keep ids -------------------------------------------------------------------------------------------


class IdChooserMixin:
    """A chooser block whose value is the chosen row's id (or None). The admin widget
    shows the row as usual; the storefront loads what it may show itself."""

    def to_python(self, value):
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    def bulk_to_python(self, values):
        return [self.to_python(v) for v in values]

    def get_prep_value(self, value):
        return value.pk if isinstance(value, Model) else value

    def value_from_form(self, value):
        return value.pk if isinstance(value, Model) else self.to_python(value)

    def extract_references(self, value):
        if value is not None:
            yield self.model_class, str(value), "", ""


class ProductChooserBlock(IdChooserMixin, product_chooser_viewset.get_block_class()):
    pass


class ShopChooserBlock(IdChooserMixin, shop_chooser_viewset.get_block_class()):
    pass


class CategoryChooserBlock(IdChooserMixin, category_chooser_viewset.get_block_class()):
    pass


class RegionChooserBlock(IdChooserMixin, region_chooser_viewset.get_block_class()):
    pass


# --- links ------------------------------------------------------------------------------------------------------------


class LinkValue(blocks.StructValue):
    @cached_property
    def href(self) -> str:
        page = self.get("page")
        if page is not None:
            return page.url or ""
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    """A page of the site or a web address (one of the two)."""

    page = blocks.PageChooserBlock(required=False, label=_("站内页面"))
    url = blocks.CharBlock(required=False, max_length=500, label=_("网址"), help_text=_("如：/products/ 或 https://…"))

    class Meta:
        value_class = LinkValue
        label = _("链接")
        form_classname = "struct-block link-block"

    def __init__(self, *args, link_required=False, **kwargs):
        self.link_required = link_required
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        url = (value.get("url") or "").strip()
        if value.get("page") is not None and url:
            raise StructBlockValidationError(block_errors={"url": ValidationError(_("站内页面和网址只填一项。"))})
        if url and not (url.startswith("/") or url.startswith("https://") or url.startswith("http://")):
            raise StructBlockValidationError(
                block_errors={"url": ValidationError(_("网址须以 / 、http:// 或 https:// 开头。"))}
            )
        if self.link_required and value.get("page") is None and not url:
            raise StructBlockValidationError(block_errors={"page": ValidationError(_("请选择站内页面或填写网址。"))})
        return value


def _error(field: str, message) -> StructBlockValidationError:
    return StructBlockValidationError(block_errors={field: ValidationError(message)})


# --- the blocks -------------------------------------------------------------------------------------------------------


class ProductGridBlock(blocks.StructBlock):
    """商品橱窗: chosen products, or a rule (category / region / shop / newest) with a sort
    and a count. Only listed products appear, at the moment of the request."""

    SOURCES = [
        ("chosen", _("指定商品")),
        ("newest", _("全部商品")),
        ("category", _("按品类（含下级品类）")),
        ("region", _("按产地（含下级地区）")),
        ("shop", _("按网店")),
    ]

    title = blocks.CharBlock(
        required=False, max_length=60, label=_("标题"), help_text=_("选填；“全部商品”不填即用默认标题“新品上架”。")
    )
    source = blocks.ChoiceBlock(choices=SOURCES, default="chosen", label=_("商品来源"))
    products = blocks.ListBlock(
        ProductChooserBlock(label=_("商品")), max_num=MAX_PRODUCTS, label=_("指定商品"), default=[]
    )
    category = CategoryChooserBlock(required=False, label=_("品类"))
    region = RegionChooserBlock(required=False, label=_("产地"))
    shop = ShopChooserBlock(required=False, label=_("网店"))
    sort = blocks.ChoiceBlock(choices=SORT_LABELS, default="newest", label=_("排序"))
    count = blocks.IntegerBlock(min_value=1, max_value=MAX_PRODUCTS, default=8, label=_("商品数量"))
    more = LinkBlock(required=False, label=_("“查看更多”链接"))

    class Meta:
        template = "cms/blocks/product_grid.html"
        icon = "pick"
        label = _("商品橱窗")
        help_text = _("选“指定商品”时按所选顺序展示；其他来源按排序取前若干件。下架或证书失效的商品自动隐藏。")

    def clean(self, value):
        value = super().clean(value)
        source = value.get("source")
        if source in ("category", "region", "shop") and value.get(source) is None:
            raise _error(source, _("按此来源展示时须选择。"))
        return value


class ShopListBlock(blocks.StructBlock):
    """网店列表: chosen shops, or the open shops (with products on sale) of a region."""

    SOURCES = [("region", _("按地区（不选地区即全部）")), ("chosen", _("指定网店"))]

    title = blocks.CharBlock(required=False, max_length=60, label=_("标题"), help_text=DEFAULT_HEADING)
    source = blocks.ChoiceBlock(choices=SOURCES, default="region", label=_("网店来源"))
    shops = blocks.ListBlock(ShopChooserBlock(label=_("网店")), max_num=MAX_PRODUCTS, label=_("指定网店"), default=[])
    region = RegionChooserBlock(required=False, label=_("地区"))
    count = blocks.IntegerBlock(min_value=1, max_value=MAX_PRODUCTS, default=12, label=_("网店数量"))

    class Meta:
        template = "cms/blocks/shop_list.html"
        icon = "home"
        label = _("网店列表")


class LiveStripBlock(blocks.StructBlock):
    """直播: live and upcoming published events (optionally of one region), live first."""

    title = blocks.CharBlock(required=False, max_length=60, label=_("标题"), help_text=DEFAULT_HEADING)
    region = RegionChooserBlock(required=False, label=_("地区"), help_text=_("选填：只展示该地区及下级地区的直播。"))
    count = blocks.IntegerBlock(min_value=1, max_value=12, default=6, label=_("直播数量"))

    class Meta:
        template = "cms/blocks/live_strip.html"
        icon = "media"
        label = _("直播")


class BannerBlock(blocks.StructBlock):
    """横幅: an image with a title and a link, shown only between its start and end."""

    image = ImageChooserBlock(label=_("图片"))
    title = blocks.CharBlock(required=False, max_length=60, label=_("标题"))
    subtitle = blocks.CharBlock(required=False, max_length=120, label=_("副标题"))
    link = LinkBlock(required=False, label=_("链接"))
    starts_at = blocks.DateTimeBlock(required=False, label=_("开始展示"))
    ends_at = blocks.DateTimeBlock(required=False, label=_("结束展示"))

    class Meta:
        template = "cms/blocks/banner.html"
        icon = "image"
        label = _("横幅")
        help_text = _("不填时间即一直展示；时间按北京时间。")

    def clean(self, value):
        value = super().clean(value)
        starts, ends = value.get("starts_at"), value.get("ends_at")
        if starts and ends and aware(ends) <= aware(starts):
            raise _error("ends_at", _("结束展示须晚于开始展示。"))
        return value


def aware(moment: dt.datetime) -> dt.datetime:
    """A block's date-time as an aware one (a naive one is Asia/Shanghai time)."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def banner_shown(value, now: dt.datetime) -> bool:
    starts, ends = value.get("starts_at"), value.get("ends_at")
    return (starts is None or aware(starts) <= now) and (ends is None or now < aware(ends))


class FiguresBlock(blocks.StructBlock):
    """数据看板: consumption-support volume (net of refunds) and households benefited, from
    the report's summary tables, for a region and a range of days."""

    title = blocks.CharBlock(required=False, max_length=60, label=_("标题"))
    region = RegionChooserBlock(required=False, label=_("地区"), help_text=_("选填：不选即全部地区。"))
    start_date = blocks.DateBlock(required=False, label=_("开始日期"))
    end_date = blocks.DateBlock(required=False, label=_("结束日期"))

    class Meta:
        template = "cms/blocks/figures.html"
        icon = "table"
        label = _("数据看板")
        help_text = _("数据来自消费帮扶报表的汇总表，几分钟更新一次。")

    def clean(self, value):
        value = super().clean(value)
        start, end = value.get("start_date"), value.get("end_date")
        if start and end and end < start:
            raise _error("end_date", _("结束日期不能早于开始日期。"))
        return value


class CallToActionBlock(blocks.StructBlock):
    """行动号召: a title, a line of text and one button."""

    title = blocks.CharBlock(max_length=60, label=_("标题"))
    text = blocks.TextBlock(required=False, max_length=300, label=_("说明"))
    button_label = blocks.CharBlock(max_length=20, label=_("按钮文字"))
    link = LinkBlock(link_required=True, label=_("按钮链接"))

    class Meta:
        template = "cms/blocks/cta.html"
        icon = "link"
        label = _("行动号召")


class CategoryTilesBlock(blocks.StructBlock):
    """按品类选购: tiles linking to category lists (the top-level ones unless chosen)."""

    title = blocks.CharBlock(required=False, max_length=60, label=_("标题"), help_text=DEFAULT_HEADING)
    categories = blocks.ListBlock(
        CategoryChooserBlock(label=_("品类")), label=_("品类"), default=[], help_text=_("不选即全部一级品类。")
    )

    class Meta:
        template = "cms/blocks/category_tiles.html"
        icon = "tag"
        label = _("品类入口")


def _simple_blocks():
    return [
        ("heading", blocks.CharBlock(form_classname="title", label=_("标题"), template="cms/blocks/heading.html")),
        ("paragraph", blocks.RichTextBlock(label=_("段落"), template="cms/blocks/paragraph.html")),
        ("image", ImageBlock(label=_("图片"), template="cms/blocks/image.html")),
        ("quote", blocks.BlockQuoteBlock(label=_("引用"), template="cms/blocks/quote.html")),
    ]


# The storefront pages' blocks (home, campaigns, pavilions).
BODY_BLOCKS = [
    ("banner", BannerBlock()),
    ("product_grid", ProductGridBlock()),
    ("shop_list", ShopListBlock()),
    ("live_strip", LiveStripBlock()),
    ("figures", FiguresBlock()),
    ("category_tiles", CategoryTilesBlock()),
    ("cta", CallToActionBlock()),
    *_simple_blocks(),
]

# Articles: text and pictures, with products and a button.
ARTICLE_BLOCKS = [*_simple_blocks(), ("product_grid", ProductGridBlock()), ("cta", CallToActionBlock())]
