"""Live-stream sale events (直播带货): what an event is, which products it features, the
viewer figures pushed for it and the tokens allowed to push them.

Around the events: live prices (``pricing``), which event a sale counts for (``attribution``),
the session tag a link or code leaves (``tagging``), viewer metrics (``metrics``, ``api``),
who sees and runs which event (``access``) and the writes (``services``). Per-event results
from the ledger are in the ``live_results`` app and the public event pages in ``cms``;
order lines and ledger entries point here so that event results and household
attribution come from the same ledger.

Times (decided, see README "Live-stream sales"): an event's **window** is
[actual start, actual end) when recorded, else the scheduled ones, each side separately;
its **post-live period** runs from the window's end to the end of the 7th day after the
day it ended (Asia/Shanghai), i.e. until 00:00 of the 8th day."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import link_codes
from core.link_codes import CODE_ALPHABET  # noqa: F401  (live.tagging reads it from here)
from core.page_urls import page_url
from core.scoping import Scope


def new_event_code() -> str:
    """Eight characters a viewer can read aloud or type from a stream overlay, held by no
    other event or campaign (one code namespace: ``core.link_codes``)."""
    return link_codes.new_code()


class Platform(models.TextChoices):
    OWN = "own", _("本站直播间")
    DOUYIN = "douyin", _("抖音")
    KUAISHOU = "kuaishou", _("快手")
    WECHAT_CHANNELS = "wechat_channels", _("微信视频号")
    TAOBAO_LIVE = "taobao_live", _("淘宝直播")


class LiveAttribution(models.TextChoices):
    """How an order line relates to an event; the three are reported apart, never added."""

    IN_LIVE = "in_live", pgettext_lazy("attribution window", "直播中")
    POST_LIVE = "post_live", _("直播后7天")
    WINDOW = "window", _("直播时段自然成交")


class EventStatus(models.TextChoices):
    UPCOMING = "upcoming", _("预告")
    LIVE = "live", _("直播中")
    ENDED = "ended", _("已结束")


class LiveEventQuerySet(models.QuerySet):
    def published(self) -> "LiveEventQuerySet":
        return self.filter(is_published=True)

    def with_window(self) -> "LiveEventQuerySet":
        """Annotate ``window_start_at`` / ``window_end_at``: actual times when recorded,
        else the scheduled ones."""
        return self.annotate(
            window_start_at=Coalesce("actual_start", "scheduled_start"),
            window_end_at=Coalesce("actual_end", "scheduled_end"),
        )

    def live_at(self, at: dt.datetime) -> "LiveEventQuerySet":
        """Events whose window contains ``at`` (start inclusive, end exclusive)."""
        return self.with_window().filter(window_start_at__lte=at, window_end_at__gt=at)

    def upcoming_at(self, at: dt.datetime) -> "LiveEventQuerySet":
        return self.with_window().filter(window_start_at__gt=at)


def post_live_end_for(window_end: dt.datetime) -> dt.datetime:
    """00:00 (Asia/Shanghai) of the day after the ``LIVE_POST_LIVE_DAYS``-th day after the
    day ``window_end`` falls on: the rest of the event's last day plus that many whole days."""
    tz = timezone.get_default_timezone()
    last_day = timezone.localtime(window_end, tz).date()
    return dt.datetime.combine(last_day + dt.timedelta(days=settings.LIVE_POST_LIVE_DAYS + 1), dt.time.min, tzinfo=tz)


class LiveEvent(models.Model):
    """One scheduled broadcast, run by one or more shops, or by a bureau for a region.

    ``region`` is where the event belongs, for row scoping: the region a bureau runs it
    for (``organiser_bureau`` set), or for a shops' event the deepest region holding all of
    its shops (kept by ``services``). An officer therefore sees a shops' event when all of
    its shops lie in their jurisdiction."""

    title = models.CharField(_("标题"), max_length=120)
    code = models.CharField(_("直播码"), max_length=12, unique=True, default=new_event_code)
    host = models.CharField(_("主播"), max_length=80, blank=True)
    platform = models.CharField(_("平台"), max_length=20, choices=Platform.choices, default=Platform.OWN)
    external_url = models.URLField(_("外部直播间链接"), blank=True)
    description = models.TextField(_("简介"), blank=True)
    shops = models.ManyToManyField("catalog.Shop", blank=True, related_name="live_events", verbose_name=_("参与网店"))
    region = models.ForeignKey(
        "producers.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("归属地区"),
        help_text=_("商务局主办时为主办地区；网店直播为各参与网店共同所在的最小地区（自动计算）。"),
    )
    organiser_bureau = models.ForeignKey(
        "accounts.Bureau",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="live_events",
        verbose_name=_("主办部门"),
    )
    is_published = models.BooleanField(
        _("公开"), default=False, help_text=_("公开后出现在直播页和首页，直播链接才生效。")
    )
    embed_url = models.URLField(
        _("播放器嵌入地址"),
        blank=True,
        help_text=_("本站直播间：直播服务商提供的可嵌入播放页（iframe）地址。"),
    )
    scheduled_start = models.DateTimeField(_("计划开始"))
    scheduled_end = models.DateTimeField(_("计划结束"))
    actual_start = models.DateTimeField(_("实际开始"), null=True, blank=True)
    actual_end = models.DateTimeField(_("实际结束"), null=True, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("封面"),
    )
    replay_url = models.URLField(_("回放链接"), blank=True)
    # Viewer totals entered by hand after the event (the platform's own figures); each
    # one, when entered, is reported instead of what the pushed samples give.
    manual_peak_viewers = models.PositiveIntegerField(_("最高同时在线（手工）"), null=True)
    manual_total_views = models.PositiveBigIntegerField(_("累计观看（手工）"), null=True)
    manual_likes = models.PositiveBigIntegerField(_("点赞数（手工）"), null=True)
    totals_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    totals_entered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveEventQuerySet.as_manager()
    # Operators see the events of the shops they run; officers those whose region lies
    # in their jurisdiction. Who may change an event is ``access.events_managed_by``.
    scope = Scope(shop="shops", region="region")

    class Meta:
        verbose_name = _("直播活动")
        verbose_name_plural = pgettext_lazy("plural", "直播活动")
        ordering = ["-scheduled_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scheduled_end__gt=models.F("scheduled_start")), name="live_event_scheduled_order"
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True)
                | Q(actual_start__isnull=False, actual_end__gt=models.F("actual_start")),
                name="live_event_actual_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    # --- the event's times -----------------------------------------------------------------

    @property
    def window_start(self) -> dt.datetime:
        return self.actual_start or self.scheduled_start

    @property
    def window_end(self) -> dt.datetime:
        return self.actual_end or self.scheduled_end

    @property
    def post_live_end(self) -> dt.datetime:
        return post_live_end_for(self.window_end)

    def is_live_at(self, at: dt.datetime) -> bool:
        return self.window_start <= at < self.window_end

    def status_at(self, at: dt.datetime) -> str:
        if at < self.window_start:
            return EventStatus.UPCOMING
        if at < self.window_end:
            return EventStatus.LIVE
        return EventStatus.ENDED

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return str(EventStatus(self.status).label)

    def get_absolute_url(self) -> str:
        return page_url("live_event", self.code)

    def share_url(self) -> str:
        """The link (and QR code) the stream shows: the event page, tagging the cart."""
        return link_codes.share_url(self.get_absolute_url(), self.code)


class FeaturedProductQuerySet(models.QuerySet):
    def annotate_window(self) -> "FeaturedProductQuerySet":
        """Annotate the event's ``window_start_at`` / ``window_end_at``."""
        return self.annotate(
            window_start_at=Coalesce("event__actual_start", "event__scheduled_start"),
            window_end_at=Coalesce("event__actual_end", "event__scheduled_end"),
        )

    def live_at(self, at: dt.datetime) -> "FeaturedProductQuerySet":
        """Features of published events whose window contains ``at``."""
        return (
            self.filter(event__is_published=True)
            .annotate_window()
            .filter(window_start_at__lte=at, window_end_at__gt=at)
        )


class FeaturedProduct(models.Model):
    """A product shown in an event, with an optional price valid only while it runs."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="featured")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="live_features")
    event_price_fen = models.PositiveIntegerField(_("直播价（分）"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = FeaturedProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("直播商品")
        verbose_name_plural = pgettext_lazy("plural", "直播商品")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["event", "product"], name="featured_product_once")]

    def __str__(self) -> str:
        return f"{self.event} · {self.product}"


class ViewerToken(models.Model):
    """A credential the stream operator's tooling uses to push viewer samples for ONE
    event. Only a SHA-256 hash is stored (the token is 256 random bits, so a slow hash
    buys nothing); the token itself is shown once, when made. Revoked tokens stay, for
    the record of who pushed which sample."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="viewer_tokens")
    label = models.CharField(_("用途"), max_length=60, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=12, help_text=_("令牌开头几位，用于辨认。"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("观看数据令牌")
        verbose_name_plural = pgettext_lazy("plural", "观看数据令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.event_id})"


class ViewerSample(models.Model):
    """One reading of the stream's counters at a moment inside the event window."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="viewer_samples")
    at = models.DateTimeField(_("时间"))
    concurrent_viewers = models.PositiveIntegerField(_("同时在线"))
    cumulative_views = models.PositiveBigIntegerField(_("累计观看"))
    likes = models.PositiveBigIntegerField(_("点赞"))
    token = models.ForeignKey(ViewerToken, on_delete=models.SET_NULL, null=True, blank=True, related_name="samples")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("观看数据")
        verbose_name_plural = pgettext_lazy("plural", "观看数据")
        ordering = ["event", "at"]
        constraints = [models.UniqueConstraint(fields=["event", "at"], name="viewer_sample_once_per_time")]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.at:%H:%M:%S}: {self.concurrent_viewers}"
