"""The bureaus' view of the reserved share (预留份额完成情况) in the Wagtail admin: every
budget unit of the officer's region with its quota and what it spent, the most complete
first, exportable; platform administrators see every region."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import csv_response, xlsx_response
from core.money import bp_percent, format_fen
from core.scoping import is_platform_admin, jurisdiction_code

from . import selectors
from .forms import year_asked, year_choices

HEADER = [
    gettext_lazy("名次"),
    gettext_lazy("预算单位"),
    gettext_lazy("统一社会信用代码"),
    gettext_lazy("所在地区"),
    gettext_lazy("预留份额（元）"),
    gettext_lazy("已采购（元）"),
    gettext_lazy("完成率"),
    gettext_lazy("尚需采购（元）"),
    gettext_lazy("本地区最低比例"),
]


def quota_jurisdiction(user) -> str:
    """The region code whose units ``user`` may see ("" for all): platform administrators
    everything, a bureau officer their bureau's region and below, anybody else nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied
    if is_platform_admin(user):
        return ""
    code = jurisdiction_code(user)
    if not code:
        raise PermissionDenied(_("只有主管部门干部和平台管理员可以查看预留份额完成情况。"))
    return code


def may_see_quotas(user) -> bool:
    try:
        quota_jurisdiction(user)
    except PermissionDenied:
        return False
    return True


def _export_rows(rows):
    for rank, row in enumerate(rows, 1):
        yield [
            rank,
            row.organisation.name,
            row.organisation.credit_code,
            row.region_name,
            format_fen(row.reserved_fen) if row.reserved_fen else "",
            format_fen(row.spent_fen),
            bp_percent(row.done_bp) if row.done_bp is not None else _("未填报"),
            format_fen(row.left_fen) if row.reserved_fen else "",
            bp_percent(row.minimum_bp),
        ]


def units(request):
    code = quota_jurisdiction(request.user)
    year = year_asked(request)
    rows = selectors.units_ranked(code, year)
    return render(
        request,
        "procurement/admin/units.html",
        {
            "header_title": _("预留份额完成情况"),
            "page_title": _("预留份额完成情况"),
            "rows": rows,
            "year": year,
            "years": year_choices(),
            "reported": sum(1 for r in rows if r.done_bp is not None),
            "done": sum(1 for r in rows if r.done_bp is not None and r.done_bp >= 10_000),
        },
    )


def units_export(request, fmt: str):
    code = quota_jurisdiction(request.user)
    year = year_asked(request)
    rows = selectors.units_ranked(code, year)
    filename = f"reserved-share-{year}"
    header = [str(h) for h in HEADER]
    if fmt == "csv":
        return csv_response(filename, header, _export_rows(rows))
    if fmt == "xlsx":
        return xlsx_response(filename, _("预留份额完成情况"), header, _export_rows(rows))
    raise Http404
