"""Live-stream sale events (直播带货): what an event is and which products it features.

The behaviour around events (event pages, tagging carts through ``?live=<code>``, viewer
metrics, per-event results) lives in the rest of this app; order lines and ledger entries
point here so that event results and household attribution come from the same ledger."""

import secrets
import string

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CODE_ALPHABET = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"


def new_event_code() -> str:
    """Eight characters a viewer can read aloud or type from a stream overlay."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class Platform(models.TextChoices):
    OWN = "own", _("本站直播间 our event page")
    DOUYIN = "douyin", _("抖音 Douyin")
    KUAISHOU = "kuaishou", _("快手 Kuaishou")
    WECHAT_CHANNELS = "wechat_channels", _("微信视频号 WeChat Channels")
    TAOBAO_LIVE = "taobao_live", _("淘宝直播 Taobao Live")


class LiveAttribution(models.TextChoices):
    """How an order line relates to an event; the three are reported apart, never added."""

    IN_LIVE = "in_live", _("直播中 in-live")
    POST_LIVE = "post_live", _("直播后7天 post-live")
    WINDOW = "window", _("直播时段自然成交 window")


class LiveEvent(models.Model):
    """One scheduled broadcast, run by one or more shops, or by a bureau for a region."""

    title = models.CharField(_("标题 title"), max_length=120)
    code = models.CharField(_("直播码 event code"), max_length=12, unique=True, default=new_event_code)
    host = models.CharField(_("主播 host"), max_length=80, blank=True)
    platform = models.CharField(_("平台 platform"), max_length=20, choices=Platform.choices, default=Platform.OWN)
    external_url = models.URLField(_("外部直播间链接 external URL"), blank=True)
    description = models.TextField(_("简介 description"), blank=True)
    shops = models.ManyToManyField(
        "catalog.Shop", blank=True, related_name="live_events", verbose_name=_("参与网店 shops")
    )
    region = models.ForeignKey(
        "producers.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("主办地区 region"),
        help_text=_("商务局主办时填写。 Set when a bureau runs the event for its region."),
    )
    scheduled_start = models.DateTimeField(_("计划开始 scheduled start"))
    scheduled_end = models.DateTimeField(_("计划结束 scheduled end"))
    actual_start = models.DateTimeField(_("实际开始 actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("实际结束 actual end"), null=True, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("封面 cover"),
    )
    replay_url = models.URLField(_("回放链接 replay URL"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("直播活动 live event")
        verbose_name_plural = _("直播活动 live events")
        ordering = ["-scheduled_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=models.F("scheduled_start")), name="live_event_scheduled_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FeaturedProduct(models.Model):
    """A product shown in an event, with an optional price valid only while it runs."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="featured")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="live_features")
    event_price_fen = models.PositiveIntegerField(_("直播价（分） event price (fen)"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("直播商品 featured product")
        verbose_name_plural = _("直播商品 featured products")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "product"], name="featured_product_once")]

    def __str__(self) -> str:
        return f"{self.event} · {self.product}"
