from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page

BODY_BLOCKS = [
    ("heading", blocks.CharBlock(form_classname="title", label=_("标题 heading"))),
    ("paragraph", blocks.RichTextBlock(label=_("段落 paragraph"))),
    ("image", ImageBlock(label=_("图片 image"))),
    ("quote", blocks.BlockQuoteBlock(label=_("引用 quote"))),
]


class HomePage(Page):
    """The storefront's front page: editorial intro above the newest listed products."""

    intro = RichTextField(_("导语 intro"), blank=True)
    body = StreamField(BODY_BLOCKS, blank=True, verbose_name=_("正文 body"))
    products_shown = models.PositiveSmallIntegerField(_("展示商品数 products shown"), default=12)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body"), FieldPanel("products_shown")]
    max_count = 1
    subpage_types = ["cms.CatalogPage", "cms.ArticleIndexPage"]

    class Meta:
        verbose_name = _("首页 home page")


class CatalogPage(RoutablePageMixin, Page):
    """The catalogue: product list, category lists, product pages and shop pages, all
    served from the catalogue's Django models through this one routable page."""

    intro = RichTextField(_("导语 intro"), blank=True)
    page_size = models.PositiveSmallIntegerField(_("每页商品数 products per page"), default=24)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("page_size")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("商品目录页 catalogue page")


class ArticleIndexPage(Page):
    """A list of stories, campaigns and announcements."""

    intro = RichTextField(_("导语 intro"), blank=True)
    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]

    class Meta:
        verbose_name = _("文章列表页 article index")


class ArticlePage(Page):
    """An editorial story or campaign page (助农故事、消费帮扶活动)."""

    class Kind(models.TextChoices):
        STORY = "story", _("助农故事 story")
        CAMPAIGN = "campaign", _("帮扶活动 campaign")
        NOTICE = "notice", _("公告 notice")

    kind = models.CharField(_("类型 kind"), max_length=20, choices=Kind.choices, default=Kind.STORY)
    date = models.DateField(_("日期 date"))
    summary = models.CharField(_("摘要 summary"), max_length=250, blank=True)
    cover = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = StreamField(BODY_BLOCKS, blank=True, verbose_name=_("正文 body"))

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("cover"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.ArticleIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("文章 article")
