import datetime as dt
from urllib.parse import urlsplit

from csp.decorators import csp_replace
from django.core.exceptions import ValidationError
from django.core.paginator import Page as DjangoPage
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model
from wagtail.models import Orderable, Page, Site

from catalog import selectors as catalog_selectors
from catalog.choosers import product_chooser_viewset
from core import page_cache, parsing

from . import campaigns, fragments, pavilions, poster, restrictions, selectors
from .banner import BannerMixin
from .block_data import BlocksPageMixin
from .blocks import ARTICLE_BLOCKS, BODY_BLOCKS, SORT_LABELS
from .forms import PavilionPageForm
from .renditions import ARTICLE_CARD_RENDITION
from .sharing import SharingMixin


class HomePage(BlocksPageMixin, SharingMixin, Page):
    """The storefront's front page: a title and intro, then blocks (live strip, category
    tiles, newest products, shops by default; ``setup.default_home_body``)."""

    intro = RichTextField(_("导语"), blank=True)
    body = StreamField(BODY_BLOCKS, blank=True, verbose_name=_("页面内容"))

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    max_count = 1
    subpage_types = [
        "cms.CatalogPage",
        "cms.ArticleIndexPage",
        "cms.LiveIndexPage",
        "cms.CampaignIndexPage",
        "cms.PavilionIndexPage",
    ]

    class Meta:
        verbose_name = _("首页")


class CatalogPage(RoutablePageMixin, SharingMixin, Page):
    """The catalogue: product list, category lists, product pages and shop pages, all
    served from the catalogue's Django models through this one routable page."""

    intro = RichTextField(_("导语"), blank=True)
    page_size = models.PositiveSmallIntegerField(_("每页商品数"), default=24)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("page_size")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("商品目录页")

    # Each route renders its own template; every product list starts from
    # Product.objects.listed() (through catalog.selectors), never from a raw queryset.

    def _paginate(self, request, queryset, count: int, sort: str):
        """A page of ``queryset`` (sorted by ``sort``), whose length the caller knows
        (``card_count``: kept, not counted on each request). A "下一页" link carries where
        its page ended (``?after=``): that page starts there, with no OFFSET however deep
        (catalog.selectors.starting_after); ``?page=N`` alone still works."""
        paginator = Paginator(queryset, self.page_size or 24)
        paginator.count = count  # Paginator.count is a cached property: no COUNT(*) query
        number = parsing.page_number(request.GET.get("page"))
        after = catalog_selectors.starting_after(queryset, sort, request.GET.get("after"))
        if after is not None and 1 < number <= paginator.num_pages:
            page = DjangoPage(list(after[: paginator.per_page]), number, paginator)
        else:
            page = paginator.get_page(number)
        objects = page.object_list = list(page.object_list)
        if page.has_next() and objects:
            page.next_cursor = catalog_selectors.cursor_after(objects[-1], sort)
        return page

    def _render(self, request, template, status=200, **extra):
        context = self.get_context(request)
        context.update(extra)
        return TemplateResponse(request, template, context, status=status)

    def _not_found(self, request, heading, message):
        """A clear Chinese page with HTTP 404, for things that exist but may not be shown
        as well as things that never existed: the storefront does not tell them apart."""
        return self._render(request, "cms/catalog_not_available.html", status=404, heading=heading, message=message)

    @path("", name="index")
    def index_route(self, request):
        sort = catalog_selectors.clean_sort(request.GET.get("sort"))
        products = self._paginate(
            request, catalog_selectors.card_products(sort=sort), catalog_selectors.card_count(), sort
        )
        return self._render(request, "cms/catalog_page.html", products=products, sort=sort, sorts=SORT_LABELS)

    @path("category/<slug:slug>/", name="category")
    def category_route(self, request, slug):
        tree = catalog_selectors.category_tree()
        category = next((c for group in tree.values() for c in group if c.slug == slug), None)
        if category is None:
            return self._not_found(request, _("没有这个品类"), _("您访问的品类不存在。"))
        sort = catalog_selectors.clean_sort(request.GET.get("sort"))
        ids = catalog_selectors.descendant_ids(category, tree)
        breadcrumb = catalog_selectors.ancestors(category, tree)
        products = self._paginate(
            request,
            catalog_selectors.card_products(category_ids=ids, sort=sort),
            catalog_selectors.card_count(category_ids=ids),
            sort,
        )
        return self._render(
            request,
            "cms/catalog_category.html",
            category=category,
            breadcrumb=breadcrumb,
            current_category_root_id=breadcrumb[0].pk,
            subcategories=tree.get(category.pk, []),
            products=products,
            sort=sort,
            sorts=SORT_LABELS,
        )

    @path("<int:pk>/", name="product")
    def product_route(self, request, pk):
        # A product's page shows that product (and the site around it), no other's cards.
        page_cache.cacheable(request, *page_cache.product_page_tags(pk))
        product = selectors.listed_product_row(pk)
        if product is None:
            return self._not_found(
                request,
                _("该商品暂不可售"),
                _("该商品已下架、所在网店暂停营业或商品不存在。"),
            )
        parts = fragments.product_page_parts(request, product, parsing.page_number(request.GET.get("page")))
        category_chain = product.category_chain
        return self._render(
            request,
            "cms/catalog_product.html",
            product=product,
            images=parts.images,
            review_summary=parts.review_summary,
            parts={name: mark_safe(html) for name, html in parts.html.items()},  # our own templates' output
            breadcrumb=category_chain,
            current_category_root_id=category_chain[0].pk,
        )

    # A PNG at /products/<pk>/poster/: Wagtail serves no address with a dot in it.
    @path("<int:pk>/poster/", name="product_poster")
    def product_poster_route(self, request, pk):
        """The product's share poster (PNG) for WeChat Moments: ``cms/poster.py``."""
        return poster.poster_response(pk)

    @path("shop/<slug:slug>/", name="shop")
    def shop_route(self, request, slug):
        shop = catalog_selectors.active_shop(slug)
        if shop is None:
            return self._not_found(
                request,
                _("该网店暂停营业"),
                _("该网店暂停营业或不存在，其商品暂不可售。"),
            )
        sort = catalog_selectors.clean_sort(request.GET.get("sort"))
        products = self._paginate(
            request,
            catalog_selectors.card_products(shop=shop, sort=sort),
            catalog_selectors.card_count(shop=shop),
            sort,
        )
        return self._render(
            request,
            "cms/catalog_shop.html",
            shop=shop,
            region_full_name=shop.region.full_name(),
            products=products,
            sort=sort,
            sorts=SORT_LABELS,
        )


class ArticleIndexPage(SharingMixin, Page):
    """A list of stories, campaigns and announcements."""

    intro = RichTextField(_("导语"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]

    class Meta:
        verbose_name = _("文章列表页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        rendition_qs = get_image_model().get_rendition_model().objects.filter(filter_spec=ARTICLE_CARD_RENDITION)
        articles = (
            restrictions.public(ArticlePage.objects.live())
            .child_of(self)
            .select_related("cover")
            .prefetch_related(Prefetch("cover__renditions", queryset=rendition_qs))
            .order_by("-date", "-pk")
        )
        context["articles"] = Paginator(articles, 12).get_page(request.GET.get("page"))
        return context


class ArticlePage(BlocksPageMixin, SharingMixin, Page):
    """An editorial story or campaign page (助农故事、消费帮扶活动)."""

    class Kind(models.TextChoices):
        STORY = "story", _("助农故事")
        CAMPAIGN = "campaign", _("帮扶活动")
        NOTICE = "notice", _("公告")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.STORY)
    date = models.DateField(_("日期"))
    summary = models.CharField(_("摘要"), max_length=250, blank=True)
    cover = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = StreamField(ARTICLE_BLOCKS, blank=True, verbose_name=_("正文"))
    # The region the story is about: the pavilion of that region (or of a region above it)
    # lists it among its stories.
    region = models.ForeignKey(
        "producers.Region",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所属地区"),
        help_text=_("选填：该地区及其上级地区的地方馆会展示这篇文章。"),
    )

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("cover"),
        FieldPanel("region"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.ArticleIndexPage"]
    subpage_types: list[str] = []
    share_type = "article"  # og:type

    class Meta:
        verbose_name = _("文章")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.region_id is not None:
            context["region_full_name"] = self.region.full_name()
            pavilions_here = restrictions.public(PavilionPage.objects.live()).filter(region_id=self.region_id)
            context["region_pavilion"] = pavilions_here.first()
        return context


# A countdown's words (days, hours, minutes) are written by the server; its script counts
# from the start time on. A kept page that shows one is rendered afresh after this long.
COUNTDOWN_SHOWN_FOR = dt.timedelta(seconds=60)


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL, as a Content-Security-Policy source."""
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna").decode("ascii")
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


class LiveIndexPage(RoutablePageMixin, SharingMixin, Page):
    """直播间: the list of live, upcoming and past events at its own URL, and one page per
    event under it (``<code>/``), served from ``live.LiveEvent`` rows the way the catalogue
    page serves products, so an event needs no page of its own in the tree.

    (It moved here from the live app, keeping its page and content type:
    ``migrations/0002_liveindexpage_from_live.py``.)"""

    intro = RichTextField(_("导语"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("直播页")

    def _render(self, request, template, status=200, **extra):
        context = self.get_context(request)
        context.update(extra)
        return TemplateResponse(request, template, context, status=status)

    @path("", name="index")
    def index_route(self, request):
        return self._render(request, "live/index_page.html", lists=selectors.public_event_lists(timezone.now()))

    @path("<str:code>/", name="event")
    def event_route(self, request, code):
        now = timezone.now()
        page_cache.depends_on(request, page_cache.SALES)  # an ended event's results
        context = selectors.public_event_context(code, now)
        if context is not None and context["seconds_to_start"]:
            page_cache.expires_at(request, now + COUNTDOWN_SHOWN_FOR)
        if context is None:
            return self._render(request, "live/event_not_found.html", status=404)
        response = self._render(request, "live/event_page.html", **context)
        if context["player_url"]:
            # The storefront frames nothing; this page frames its player's origin, no other.
            response = csp_replace({"frame-src": [_origin(context["player_url"])]})(lambda: response)()
        return response


# --- campaigns (专题活动) and regional pavilions (地方馆) -----------------------------------------------------------


class CampaignIndexPage(SharingMixin, Page):
    """专题活动: the list of campaigns, current and coming ones first."""

    intro = RichTextField(_("导语"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CampaignPage"]

    class Meta:
        verbose_name = _("专题活动列表页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        site = Site.find_for_request(request)
        listed = restrictions.public(CampaignPage.objects.live())
        context["campaigns"] = campaigns.campaign_cards(
            listed.in_site(site) if site is not None else listed.child_of(self),
            timezone.now(),
            parsing.page_number(request.GET.get("page")),
        )
        return context


class CampaignPage(BlocksPageMixin, BannerMixin, SharingMixin, Page):
    """A campaign (消费帮扶月, 年货节, 832 专区): dates, a banner, its own list of products,
    and editor blocks. Its figures are the sales of its products between its dates."""

    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    summary = models.CharField(_("摘要"), max_length=250, blank=True)
    body = StreamField(BODY_BLOCKS, blank=True, verbose_name=_("页面内容"))

    content_panels = Page.content_panels + [
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
        FieldPanel("summary"),
        FieldPanel("banner"),
        InlinePanel("campaign_products", label=_("活动商品")),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.CampaignIndexPage", "cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("专题活动页")

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        page_cache.depends_on(request, page_cache.SALES)  # 活动进展: the campaign's sales
        context.update(campaigns.campaign_context(self, now, preview=getattr(request, "is_preview", False)))
        if context["countdown"]:
            page_cache.expires_at(request, now + COUNTDOWN_SHOWN_FOR)
        return context


class CampaignProduct(Orderable):
    """One product of a campaign's own list (shown only while listed)."""

    page = ParentalKey(CampaignPage, on_delete=models.CASCADE, related_name="campaign_products")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("商品"))

    # The product chooser (search, the editor's scope), not a drop-down of every product.
    panels = [FieldPanel("product", widget=product_chooser_viewset.widget_class)]

    class Meta(Orderable.Meta):
        verbose_name = _("活动商品")
        constraints = [models.UniqueConstraint(fields=["page", "product"], name="cms_campaign_product_once")]


class PavilionIndexPage(SharingMixin, Page):
    """地方馆: every pavilion, by province, city and county."""

    intro = RichTextField(_("导语"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.PavilionPage"]

    class Meta:
        verbose_name = _("地方馆列表页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        below = restrictions.public(PavilionPage.objects.live()).descendant_of(self)
        context["provinces"] = pavilions.pavilion_tree(below)
        return context


class PavilionPage(BlocksPageMixin, BannerMixin, SharingMixin, Page):
    """A region's pavilion (地方馆): that region's shops, products, live events and stories,
    found automatically from the region, plus the blocks its editors add. A county's
    pavilion sits under its city's, so a city bureau's editors may edit both and a county
    bureau's only its own."""

    region = models.OneToOneField(
        "producers.Region", on_delete=models.PROTECT, related_name="pavilion", verbose_name=_("地区")
    )
    intro = RichTextField(_("导语"), blank=True)
    body = StreamField(BODY_BLOCKS, blank=True, verbose_name=_("页面内容"))

    content_panels = Page.content_panels + [
        FieldPanel("region"),
        FieldPanel("intro"),
        FieldPanel("banner"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.PavilionIndexPage", "cms.PavilionPage"]
    subpage_types = ["cms.PavilionPage"]
    base_form_class = PavilionPageForm  # the region: changed only by those who may publish

    class Meta:
        verbose_name = _("地方馆")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            pavilions.pavilion_context(
                self,
                stories=restrictions.public(ArticlePage.objects.live()),
                children=restrictions.public(PavilionPage.objects.live()).child_of(self),
                now=timezone.now(),
                page_number=parsing.page_number(request.GET.get("page")),
            )
        )
        return context


from .navigation import NavigationSettings  # noqa: E402,F401  (the header and footer menus, a site setting)
