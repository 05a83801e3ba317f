"""Report filters, read from query parameters and checked against the viewer's
jurisdiction. Every bad value is a ``ReportFilterError`` with a message that says what
was wrong; views show it (HTML) or return it (JSON, status 400), never a 500.

Parameters: ``period`` (day, week, month, quarter, year, custom; default month), ``date``
(any day of the period, YYYY-MM-DD; default today), ``start`` and ``end`` (custom),
``region`` (a division code in the viewer's jurisdiction; default the whole
jurisdiction), ``category`` (a category slug), ``producer_kind`` and ``buyer_type``."""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import Category
from core.errors import DomainError
from orders.models import BuyerType
from producers.models import Producer, Region

from .periods import EARLIEST, KINDS, LATEST, Period, period_of

# Division code lengths by level, and the length of the level below each.
CHILD_CODE_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}
_CODE = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$")
_MAX_PARAM = 64


class ReportFilterError(DomainError):
    """A filter value that cannot be used; the message is shown as it is."""


@dataclass(frozen=True)
class ReportFilters:
    period: Period
    jurisdiction: str  # "" = the whole country (platform administrators)
    region: Region | None  # None = the whole country
    category: Category | None = None
    category_ids: tuple[int, ...] = ()
    producer_kind: str = ""
    buyer_type: str = ""

    @property
    def region_code(self) -> str:
        return self.region.code if self.region else ""

    @property
    def child_code_length(self) -> int:
        """Code length of the level the region table breaks this region down into (its
        own length at a village, the bottom of the tree)."""
        return CHILD_CODE_LENGTH.get(len(self.region_code), len(self.region_code))

    def params(self, **changes) -> dict[str, str]:
        """Query parameters selecting these filters again, with ``changes`` applied (a
        value of None drops a parameter)."""
        out = dict(self.period.params())
        if self.region is not None and self.region_code != self.jurisdiction:
            out["region"] = self.region_code
        if self.category is not None:
            out["category"] = self.category.slug
        if self.producer_kind:
            out["producer_kind"] = self.producer_kind
        if self.buyer_type:
            out["buyer_type"] = self.buyer_type
        for key, value in changes.items():
            if key == "period_obj":
                for k in ("period", "date", "start", "end"):
                    out.pop(k, None)
                out.update(value.params())
            elif value is None:
                out.pop(key, None)
            else:
                out[key] = value
        return out


def _text(params, name: str) -> str:
    value = (params.get(name) or "").strip()
    if len(value) > _MAX_PARAM:
        raise ReportFilterError(_("参数 %(name)s 太长。") % {"name": name})
    return value


def _date(params, name: str, label: str) -> dt.date | None:
    raw = _text(params, name)
    if not raw:
        return None
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise ReportFilterError(
            _("%(label)s“%(raw)s”不是有效日期，请按 YYYY-MM-DD 填写，例如 2026-03-01。") % {"label": label, "raw": raw}
        ) from None
    if not EARLIEST <= value <= LATEST:
        raise ReportFilterError(
            _("%(label)s须在 %(earliest)s 至 %(latest)s 之间。")
            % {"label": label, "earliest": EARLIEST, "latest": LATEST}
        )
    return value


def parse_period(params) -> Period:
    kind = _text(params, "period") or "month"
    if kind not in KINDS:
        choices = _("、").join(_("%(label)s（%(key)s）") % {"label": v, "key": k} for k, v in KINDS.items())
        raise ReportFilterError(_("统计周期“%(kind)s”无效，可选：%(choices)s。") % {"kind": kind, "choices": choices})
    if kind == "custom":
        start, end = _date(params, "start", _("开始日期")), _date(params, "end", _("结束日期"))
        if start is None or end is None:
            raise ReportFilterError(_("自定义期间须同时填写开始日期和结束日期。"))
        if end < start:
            raise ReportFilterError(_("结束日期不能早于开始日期。"))
        if (end - start).days + 1 > settings.REPORTS_MAX_RANGE_DAYS:
            raise ReportFilterError(_("自定义期间最长 %(days)s 天。") % {"days": settings.REPORTS_MAX_RANGE_DAYS})
        return Period("custom", start, end)
    anchor = _date(params, "date", _("日期")) or timezone.localdate()
    return period_of(kind, anchor)


def parse_filters(params, jurisdiction: str) -> ReportFilters:
    """Read and check filters for a viewer whose jurisdiction is ``jurisdiction`` (a
    region code, or "" for everything). A region that does not exist and a region outside
    the jurisdiction get the same answer, so the error reveals nothing about other regions."""
    period = parse_period(params)

    code = _text(params, "region") or jurisdiction
    region = None
    if code:
        if not _CODE.match(code) or not code.startswith(jurisdiction):
            raise ReportFilterError(_("地区“%(code)s”不存在或不在您的辖区内。") % {"code": code})
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise ReportFilterError(_("地区“%(code)s”不存在或不在您的辖区内。") % {"code": code})

    category, category_ids = None, ()
    slug = _text(params, "category")
    if slug:
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise ReportFilterError(_("没有品类“%(slug)s”。") % {"slug": slug})
        category_ids = (category.pk, *Category.objects.filter(parent=category).values_list("pk", flat=True))

    producer_kind = _text(params, "producer_kind")
    if producer_kind and producer_kind not in Producer.Kind.values:
        choices = _("、").join(Producer.Kind.values)
        raise ReportFilterError(
            _("生产主体类型“%(kind)s”无效，可选：%(choices)s。") % {"kind": producer_kind, "choices": choices}
        )
    buyer_type = _text(params, "buyer_type")
    if buyer_type and buyer_type not in BuyerType.values:
        choices = _("、").join(BuyerType.values)
        raise ReportFilterError(
            _("买家类型“%(kind)s”无效，可选：%(choices)s。") % {"kind": buyer_type, "choices": choices}
        )

    return ReportFilters(
        period=period,
        jurisdiction=jurisdiction,
        region=region,
        category=category,
        category_ids=category_ids,
        producer_kind=producer_kind,
        buyer_type=buyer_type,
    )
