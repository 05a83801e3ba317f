"""Live events' figures as rows: the event list's export (one row per event) and one
event's results table (one row per figure, one column per kind). The admin screens and
their CSV/XLSX exports take the same rows, so an export has exactly the screen's numbers;
money goes in as yuan ``Decimal``s (``core.money.yuan_decimal``)."""

from django.utils import timezone

from core.money import yuan_decimal as yuan
from live.models import LiveEvent

from .selectors import EventResults, events_results

EXPORT_CHUNK = 200

LIST_HEADER = [
    "直播码",
    "标题",
    "平台",
    "主办",
    "归属地区",
    "开始",
    "结束",
    "状态",
    "直播中订单",
    "直播中件数",
    "直播中成交额(元)",
    "直播中净额(元)",
    "直播后7天订单",
    "直播后7天件数",
    "直播后7天成交额(元)",
    "直播后7天净额(元)",
    "直播带货订单",
    "直播带货件数",
    "直播带货成交额(元)",
    "直播带货退款(元)",
    "直播带货净额(元)",
    "消费帮扶金额(元)",
    "买家数",
    "受益帮扶户数",
    "帮扶户收入(元)",
    "受益村集体数",
    "村集体收入(元)",
    "客单价(元)",
    "自然成交订单",
    "自然成交额(元)",
    "自然成交净额(元)",
    "最高同时在线",
    "累计观看",
    "转化率(%)",
    "前7天销售(元)",
    "开播起7天销售(元)",
    "增幅(%)",
]


def organiser_label(event: LiveEvent) -> str:
    if event.organiser_bureau_id:
        return event.organiser_bureau.name
    return "、".join(shop.name for shop in event.shops.all())


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
    ("订单数", "orders", None),
    ("明细行数", "lines", None),
    ("件数（已扣退款）", "units", None),
    ("退款件数", "units_refunded", None),
    ("成交额(元)", "gmv_fen", "yuan"),
    ("退款(元)", "refunds_fen", "yuan"),
    ("净额(元)", "net_fen", "yuan"),
    ("消费帮扶金额(元)", "support_fen", "yuan"),
    ("买家数", "buyers", None),
    ("客单价(元)", "average_order_fen", "yuan"),
    ("受益帮扶户数", "households", None),
    ("帮扶户收入(元)", "household_income_fen", "yuan"),
    ("受益村集体数", "collectives", None),
    ("村集体收入(元)", "collective_income_fen", "yuan"),
]


def result_rows(r: EventResults) -> list[list]:
    """The results page's main table: one row per figure, one column per kind."""
    rows = []
    kinds = r.kinds()
    for label, attr, unit in RESULT_METRICS:
        values = [getattr(figures, attr) for _key, _label, figures in kinds]
        rows.append([label, *[yuan(v) if unit == "yuan" else v for v in values]])
    return rows


def viewer_rows(r: EventResults) -> list[list]:
    u = r.uplift
    tz = timezone.get_default_timezone()
    span = (
        f"{timezone.localtime(u.before_from, tz):%m-%d %H:%M}–{timezone.localtime(u.start, tz):%m-%d %H:%M} 对比 "
        f"{timezone.localtime(u.start, tz):%m-%d %H:%M}–{timezone.localtime(u.during_until, tz):%m-%d %H:%M}"
    )
    return [
        ["最高同时在线", "" if r.viewers.peak_concurrent is None else r.viewers.peak_concurrent],
        ["累计观看", "" if r.viewers.total_views is None else r.viewers.total_views],
        ["点赞", "" if r.viewers.likes is None else r.viewers.likes],
        ["转化率(%)（直播带货买家数 ÷ 累计观看）", "" if r.conversion_percent is None else r.conversion_percent],
        ["直播商品前7天销售(元)", yuan(u.before_fen)],
        ["直播商品开播起7天销售(元)", yuan(u.during_fen)],
        ["增加(元)", yuan(u.difference_fen)],
        ["增幅(%)", "" if u.percent is None else u.percent],
        ["对比区间", span + ("" if u.complete else "（尚未满7天）")],
    ]


RESULT_HEADER = ["指标", "直播中", "直播后7天", "直播带货合计", "直播时段自然成交"]


def export_rows(events):
    """Rows of every event of ``events``, results computed a chunk of events at a time."""
    events = list(events)
    for start in range(0, len(events), EXPORT_CHUNK):
        chunk = events[start : start + EXPORT_CHUNK]
        results = events_results(chunk)
        for event in chunk:
            yield list_row(event, results[event.pk])
