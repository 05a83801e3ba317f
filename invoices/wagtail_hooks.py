"""The invoices admin area (发票处理)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin_area import AdminArea

from . import admin_views

area = AdminArea("invoices_admin", "invoices/")
area.add_urls(
    [
        path("", admin_views.index, name="index"),
        path("<str:pk>/", admin_views.detail, name="detail"),
        path("<str:pk>/issue/", admin_views.issue, name="issue"),
        path("<str:pk>/file/", admin_views.file, name="file"),
    ]
)
area.add_menu_item(_("发票处理"), "index", icon="doc-full", order=264, shown_to=admin_views.may_use)
area.register()
