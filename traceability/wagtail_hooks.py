"""Batches in the admin (网店管理 › 生产批次): operators record and edit their shops'
batches, bureau officers read those of their region, platform administrators all
(``core.admin_policy``); the batch page's own actions live in the area ``traceability_admin``."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from core.admin_area import AdminArea
from core.admin_policy import (
    SHOP_ADMIN_MENU_HOOK,
    ScopedCreateView,
    ScopedEditView,
    ScopedModelViewSet,
    ScopedPermissionPolicy,
)
from core.errors import DomainError

from . import admin_views
from .forms import BatchForm
from .models import Batch
from .services import create_batch, update_batch

register_permission_policy(Batch, ScopedPermissionPolicy(Batch))

FIELDS = ("producer", "origin", "origin_place", "produced_on", "quantity", "shelf_life_days", "notes")


class ServiceFormMixin:
    """Create and edit both go through ``services``; a refusal is shown on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as exc:
            form.add_error(None, str(exc))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse(admin_views.INSPECT_URL, args=[self.object.pk])


class BatchCreateView(ServiceFormMixin, ScopedCreateView):
    success_message = _("已登记批次 %(object)s。")

    def save_instance(self):
        data = self.form.cleaned_data
        batch = create_batch(data["product"], by=self.request.user, **{name: data[name] for name in FIELDS})
        log(instance=batch, action="wagtail.create", user=self.request.user)
        return batch


class BatchEditView(ServiceFormMixin, ScopedEditView):
    success_message = _("批次 %(object)s 已保存。")

    def save_instance(self):
        data = self.form.cleaned_data
        batch = update_batch(self.object, **{name: data[name] for name in FIELDS})
        log(instance=batch, action="wagtail.edit", user=self.request.user)
        return batch


class BatchViewSet(ScopedModelViewSet):
    model = Batch
    icon = "tag"
    menu_label = pgettext_lazy("plural", "生产批次")
    menu_hook = SHOP_ADMIN_MENU_HOOK
    menu_order = 250
    add_view_class = BatchCreateView
    edit_view_class = BatchEditView
    inspect_view_class = admin_views.BatchInspectView
    list_display = [
        "code",
        "product",
        DateColumn("produced_on", label=_("采收或生产日期"), sort_key="produced_on"),
        Column("quantity", label=_("批次数量"), sort_key="quantity"),
        "origin",
        DateColumn("closed_at", label=_("关闭时间"), sort_key="closed_at"),
        Column("scan_count", label=_("扫码次数"), sort_key="scan_count"),
    ]
    list_filter = ["product"]
    list_select_related = ("product", "origin")
    search_fields = ["code", "product__title"]
    search_backend_name = None
    ordering = ["-produced_on", "-pk"]
    inspect_view_fields = [
        "code",
        "product",
        "producer",
        "origin",
        "origin_place",
        "produced_on",
        "quantity",
        "shelf_life_days",
        "notes",
        "created_at",
        "closed_at",
        "scan_count",
        "first_scanned_at",
    ]
    edit_handler = ObjectList(
        [FieldPanel("product"), *(FieldPanel(name) for name in FIELDS)],
        base_form_class=BatchForm,
    )


area = AdminArea("traceability_admin", "traceability/")
area.add_urls(
    [
        path("batches/<int:pk>/inspections/", admin_views.inspection_upload, name="inspection_upload"),
        path("inspections/<int:pk>/file/", admin_views.inspection_file, name="inspection_file"),
        path("batches/<int:pk>/suppliers/", admin_views.suppliers_update, name="suppliers"),
        path("batches/<int:pk>/close/", admin_views.batch_close, name="close"),
        path("batches/<int:pk>/units/", admin_views.unit_codes_make, name="units"),
        path("batches/<int:pk>/labels.pdf", admin_views.label_sheet, name="labels"),
    ]
)
area.register()


@hooks.register("register_admin_viewset")
def register_batch_viewset():
    return BatchViewSet("traceability_batches", url_prefix="traceability/batches")
