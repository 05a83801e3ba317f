"""The batch page of the admin and what is done from it: inspection reports (uploaded,
served only to those in scope), suppliers, closing, unit codes and the label sheet (PDF).

Every view loads its batch through the admin's permission policy (``core.admin_policy``):
outside the user's scope it is a 404; in view scope but not change scope (an officer),
changing is refused (403)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from core import flash
from core.admin_policy import ScopedInspectView, policy_for, scoped_objects
from core.errors import DomainError
from core.uploads import private_file_response
from producers.selectors import households_in_scope

from .documents import label_sheet_pdf, trace_url
from .forms import InspectionForm, SuppliersForm, UnitCodesForm
from .models import Batch, InspectionReport, UnitCode
from .selectors import trace_of
from .services import add_inspection, close_batch, make_unit_codes, set_suppliers

INSPECT_URL = "traceability_batches:inspect"
SHEET_LABELS = 500  # unit labels offered per PDF: ~25 pages, a few seconds to draw


def _batch(request, pk: int, action: str = "view") -> Batch:
    batch = get_object_or_404(scoped_objects(Batch, request.user).select_related("product", "origin"), pk=pk)
    if action != "view" and not policy_for(Batch).user_has_permission_for_instance(request.user, action, batch):
        raise PermissionDenied
    return batch


class BatchInspectView(ScopedInspectView):
    """The batch page: its fields, then inspection reports, suppliers, unit codes and labels,
    with the forms that change them for those who may."""

    template_name = "traceability/admin/batch_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch, user = self.object, self.request.user
        may_change = policy_for(Batch).user_has_permission_for_instance(user, "change", batch)
        suppliers = list(batch.suppliers.select_related("household", "collective"))
        households_in_scope(user, [s.household_id for s in suppliers])
        units = UnitCode.objects.filter(batch=batch)
        last_serial = units.order_by("-serial").values_list("serial", flat=True).first() or 0
        context.update(
            batch=batch,
            trace=trace_of(batch),
            trace_url=trace_url(batch.code),
            inspections=list(batch.inspections.all()),
            suppliers=suppliers,
            unit_count=units.count(),
            units=list(units.order_by("-serial")[:20]),
            # One link per SHEET_LABELS serials (the unit codes' sheets to print, in parts).
            sheets=[
                (first, min(first + SHEET_LABELS - 1, last_serial)) for first in range(1, last_serial + 1, SHEET_LABELS)
            ],
            may_change=may_change,
            inspection_form=InspectionForm() if may_change else None,
            suppliers_form=SuppliersForm(batch=batch, user=user) if may_change and batch.closed_at is None else None,
            units_form=UnitCodesForm() if may_change else None,
        )
        return context


@require_POST
def inspection_upload(request, pk: int):
    batch = _batch(request, pk, "change")
    form = InspectionForm(request.POST, request.FILES)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect(INSPECT_URL, batch.pk)
    data = form.cleaned_data
    try:
        add_inspection(
            batch,
            data["file"],
            agency=data["agency"],
            inspected_on=data["inspected_on"],
            result=data["result"],
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, gettext("检测报告未上传：%(error)s") % {"error": exc})
    else:
        messages.success(request, gettext("检测报告已上传。"))
    return redirect(INSPECT_URL, batch.pk)


@require_GET
def inspection_file(request, pk: int):
    """Inspection reports are private: served only to those who may see the batch."""
    report = InspectionReport.objects.filter(pk=pk, batch__in=scoped_objects(Batch, request.user)).first()
    if report is None:
        raise Http404
    return private_file_response(report.file, report.content_type)


@require_POST
def suppliers_update(request, pk: int):
    batch = _batch(request, pk, "change")
    form = SuppliersForm(request.POST, batch=batch, user=request.user)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect(INSPECT_URL, batch.pk)
    household_ids, collective_ids = form.chosen()
    try:
        set_suppliers(batch, household_ids=household_ids, collective_ids=collective_ids)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("供货户已保存。"))
    return redirect(INSPECT_URL, batch.pk)


@require_POST
def batch_close(request, pk: int):
    batch = _batch(request, pk, "change")
    if close_batch(batch):
        messages.success(request, gettext("批次 %(code)s 已关闭，发货时不再可选。") % {"code": batch.code})
    else:
        messages.warning(request, gettext("该批次早已关闭。"))
    return redirect(INSPECT_URL, batch.pk)


@require_POST
def unit_codes_make(request, pk: int):
    batch = _batch(request, pk, "change")
    form = UnitCodesForm(request.POST)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect(INSPECT_URL, batch.pk)
    try:
        made = make_unit_codes(batch, form.cleaned_data["count"])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("已生成 %(count)d 个单品码（序号 %(first)d–%(last)d）。")
            % {"count": len(made), "first": made[0].serial, "last": made[-1].serial},
        )
    return redirect(INSPECT_URL, batch.pk)


MAX_SERIAL = 2**31 - 1


def _int(value, default: int) -> int:
    """A serial from the query string, within what the database column holds."""
    try:
        return min(max(int(value), 0), MAX_SERIAL)
    except (TypeError, ValueError):
        return default


@require_GET
def label_sheet(request, pk: int):
    """The batch's label (``?units=1``: one numbered label per unit code, optionally of the
    serials ``from``–``to``) as an A4 PDF to print."""
    batch = _batch(request, pk)
    units = None
    if request.GET.get("units"):
        units = UnitCode.objects.filter(
            batch=batch,
            serial__gte=_int(request.GET.get("from"), 1),
            serial__lte=_int(request.GET.get("to"), MAX_SERIAL),
        ).order_by("serial")
        units = list(units)
        if not units:
            messages.error(request, gettext("该批次没有这些序号的单品码。"))
            return redirect(INSPECT_URL, batch.pk)
    name = f"labels-{batch.code}{'-units' if units else ''}.pdf"
    response = HttpResponse(label_sheet_pdf(batch, units), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
