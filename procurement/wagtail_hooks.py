"""The procurement area of the Wagtail admin: the reserved share's completion by budget
unit (bureau officers: their region; platform administrators: all)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin_area import AdminArea

from . import admin_views

area = AdminArea("procurement_admin", "procurement/")
area.add_urls(
    [
        path("units/", admin_views.units, name="units"),
        path("units.<str:fmt>", admin_views.units_export, name="units_export"),
    ]
)
area.add_menu_item(_("预留份额完成情况"), "units", icon="table", order=175, shown_to=admin_views.may_see_quotas)
area.register()
