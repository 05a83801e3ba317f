"""Live events' figures as rows: the event list's export (one row per event) and one
event's results table (one row per figure, one column per kind). The admin screens and
their CSV/XLSX exports take the same rows, so an export has exactly the screen's numbers;
money goes in as yuan ``Decimal``s (``core.money.yuan_decimal``)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import yuan_decimal as yuan
from live.models import LiveEvent

from .selectors import EventResults, events_results

EXPORT_CHUNK = 200

LIST_HEADER = [
    gettext_lazy("直播码"),
    gettext_lazy("标题"),
    gettext_lazy("平台"),
    gettext_lazy("主办"),
    gettext_lazy("归属地区"),
    gettext_lazy("开始"),
    gettext_lazy("结束"),
    gettext_lazy("状态"),
    gettext_lazy("直播中订单"),
    gettext_lazy("直播中件数"),
    gettext_lazy("直播中成交额(元)"),
    gettext_lazy("直播中净额(元)"),
    gettext_lazy("直播后7天订单"),
    gettext_lazy("直播后7天件数"),
    gettext_lazy("直播后7天成交额(元)"),
    gettext_lazy("直播后7天净额(元)"),
    gettext_lazy("直播带货订单"),
    gettext_lazy("直播带货件数"),
    gettext_lazy("直播带货成交额(元)"),
    gettext_lazy("直播带货退款(元)"),
    gettext_lazy("直播带货净额(元)"),
    gettext_lazy("消费帮扶金额(元)"),
    gettext_lazy("买家数"),
    gettext_lazy("受益帮扶户数"),
    gettext_lazy("帮扶户收入(元)"),
    gettext_lazy("受益村集体数"),
    gettext_lazy("村集体收入(元)"),
    gettext_lazy("客单价(元)"),
    gettext_lazy("自然成交订单"),
    gettext_lazy("自然成交额(元)"),
    gettext_lazy("自然成交净额(元)"),
    gettext_lazy("最高同时在线"),
    gettext_lazy("累计观看"),
    gettext_lazy("转化率(%)"),
    gettext_lazy("前7天销售(元)"),
    gettext_lazy("开播起7天销售(元)"),
    gettext_lazy("增幅(%)"),
]


def organiser_label(event: LiveEvent) -> str:
    if event.organiser_bureau_id:
        return event.organiser_bureau.name
    return _("、").join(shop.name for shop in event.shops.all())


def list_row(event: LiveEvent, r: EventResults) -> list:
    a = r.attributed
    tz = timezone.get_default_timezone()
    return [
        event.code,
        event.title,
        event.get_platform_display(),
        organiser_label(event),
        event.region.name if event.region_id else "",
        timezone.localtime(event.window_start, tz).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(event.window_end, tz).strftime("%Y-%m-%d %H:%M"),
        event.get_status_display(),
        r.in_live.orders,
        r.in_live.units,
        yuan(r.in_live.gmv_fen),
        yuan(r.in_live.net_fen),
        r.post_live.orders,
        r.post_live.units,
        yuan(r.post_live.gmv_fen),
        yuan(r.post_live.net_fen),
        a.orders,
        a.units,
        yuan(a.gmv_fen),
        yuan(a.refunds_fen),
        yuan(a.net_fen),
        yuan(a.support_fen),
        a.buyers,
        a.households,
        yuan(a.household_income_fen),
        a.collectives,
        yuan(a.collective_income_fen),
        yuan(a.average_order_fen),
        r.window.orders,
        yuan(r.window.gmv_fen),
        yuan(r.window.net_fen),
        "" if r.viewers.peak_concurrent is None else r.viewers.peak_concurrent,
        "" if r.viewers.total_views is None else r.viewers.total_views,
        "" if r.conversion_percent is None else r.conversion_percent,
        yuan(r.uplift.before_fen),
        yuan(r.uplift.during_fen),
        "" if r.uplift.percent is None else r.uplift.percent,
    ]


RESULT_METRICS = [
    (gettext_lazy("订单数"), "orders", None),
    (gettext_lazy("明细行数"), "lines", None),
    (gettext_lazy("件数（已扣退款）"), "units", None),
    (gettext_lazy("退款件数"), "units_refunded", None),
    (gettext_lazy("成交额(元)"), "gmv_fen", "yuan"),
    (gettext_lazy("退款(元)"), "refunds_fen", "yuan"),
    (gettext_lazy("净额(元)"), "net_fen", "yuan"),
    (gettext_lazy("消费帮扶金额(元)"), "support_fen", "yuan"),
    (gettext_lazy("买家数"), "buyers", None),
    (gettext_lazy("客单价(元)"), "average_order_fen", "yuan"),
    (gettext_lazy("受益帮扶户数"), "households", None),
    (gettext_lazy("帮扶户收入(元)"), "household_income_fen", "yuan"),
    (gettext_lazy("受益村集体数"), "collectives", None),
    (gettext_lazy("村集体收入(元)"), "collective_income_fen", "yuan"),
]


def result_rows(r: EventResults) -> list[list]:
    """The results page's main table: one row per figure, one column per kind."""
    rows = []
    kinds = r.kinds()
    for label, attr, unit in RESULT_METRICS:
        values = [getattr(figures, attr) for _key, _label, figures in kinds]
        rows.append([str(label), *[yuan(v) if unit == "yuan" else v for v in values]])
    return rows


def viewer_rows(r: EventResults) -> list[list]:
    u = r.uplift
    tz = timezone.get_default_timezone()
    span = _("%(before)s 对比 %(during)s") % {
        "before": f"{timezone.localtime(u.before_from, tz):%m-%d %H:%M}–{timezone.localtime(u.start, tz):%m-%d %H:%M}",
        "during": f"{timezone.localtime(u.start, tz):%m-%d %H:%M}–{timezone.localtime(u.during_until, tz):%m-%d %H:%M}",
    }
    return [
        [_("最高同时在线"), "" if r.viewers.peak_concurrent is None else r.viewers.peak_concurrent],
        [_("累计观看"), "" if r.viewers.total_views is None else r.viewers.total_views],
        [_("点赞"), "" if r.viewers.likes is None else r.viewers.likes],
        [_("转化率(%)（直播带货买家数 ÷ 累计观看）"), "" if r.conversion_percent is None else r.conversion_percent],
        [_("直播商品前7天销售(元)"), yuan(u.before_fen)],
        [_("直播商品开播起7天销售(元)"), yuan(u.during_fen)],
        [_("增加(元)"), yuan(u.difference_fen)],
        [_("增幅(%)"), "" if u.percent is None else u.percent],
        [_("对比区间"), span + ("" if u.complete else _("（尚未满7天）"))],
    ]


RESULT_HEADER = [
    gettext_lazy("指标"),
    gettext_lazy("直播中"),
    gettext_lazy("直播后7天"),
    gettext_lazy("直播带货合计"),
    gettext_lazy("直播时段自然成交"),
]


def export_rows(events):
    """Rows of every event of ``events``, results computed a chunk of events at a time."""
    events = list(events)
    for start in range(0, len(events), EXPORT_CHUNK):
        chunk = events[start : start + EXPORT_CHUNK]
        results = events_results(chunk)
        for event in chunk:
            yield list_row(event, results[event.pk])
