"""The reports in the Wagtail admin: a "消费帮扶报表" menu with the dashboard, the
reserved-share targets (entered by bureaus, scoped) and the officer's API tokens."""

from django.db.models import Q
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy

from core.admin_area import AdminArea
from core.admin_policy import ScopedModelViewSet, ScopedPermissionPolicy
from core.roles import Role, roles_of
from core.scoping import VIEW, is_platform_admin

from . import admin_views
from .access import may_read_reports
from .forms import ReservedShareTargetForm
from .models import ReservedShareTarget

REPORTS_MENU_HOOK = "register_reports_menu_item"


class TargetPermissionPolicy(ScopedPermissionPolicy):
    """Officers read the targets of bureaus in their jurisdiction and enter, change and
    delete their own bureau's; platform administrators do anything."""

    def action_q(self, user, action: str):
        if is_platform_admin(user) or action == VIEW:
            return super().action_q(user, action)
        if Role.BUREAU_OFFICER in roles_of(user) and user.bureau_id:
            return Q(bureau_id=user.bureau_id)
        return Q(pk__in=[])


register_permission_policy(ReservedShareTarget, TargetPermissionPolicy(ReservedShareTarget))


class ReservedShareTargetViewSet(ScopedModelViewSet):
    model = ReservedShareTarget
    icon = "crosshairs"
    menu_label = pgettext_lazy("plural", "预留份额目标")
    menu_hook = REPORTS_MENU_HOOK
    menu_order = 200
    list_display = [
        "year",
        "unit_name",
        "tax_id",
        Column("target_yuan", label=_("预留份额（元）"), sort_key="target_fen"),
        "bureau",
    ]
    list_filter = ["year"]
    list_select_related = ("bureau",)
    search_fields = ["unit_name", "tax_id"]
    search_backend_name = None
    inspect_view_fields = ["bureau", "year", "unit_name", "tax_id", "target_yuan", "note", "created_at", "updated_at"]
    inspect_field_labels = {"target_yuan": _("预留份额（元）")}
    edit_handler = ObjectList(
        [
            FieldPanel("bureau"),
            FieldPanel("year"),
            FieldPanel("unit_name"),
            FieldPanel("tax_id"),
            FieldPanel("target_yuan"),
            FieldPanel("note"),
        ],
        base_form_class=ReservedShareTargetForm,
    )


area = AdminArea("reports_admin", "reports/")
area.add_urls(
    [
        path("", admin_views.dashboard, name="dashboard"),
        path("export/report.xlsx", admin_views.export_workbook, name="export_workbook"),
        path("export/<slug:table>.<str:fmt>", admin_views.export_table, name="export_table"),
        path("print/", admin_views.print_report, name="print"),
        path("tokens/", admin_views.tokens, name="tokens"),
        path("tokens/<int:pk>/revoke/", admin_views.token_revoke, name="token_revoke"),
    ]
)
# In the "消费帮扶报表" submenu, beside the targets' viewset (menu_hook above).
area.add_menu_item(
    _("报表"), "dashboard", icon="table", order=100, shown_to=may_read_reports, menu_hook=REPORTS_MENU_HOOK
)
area.add_menu_item(
    _("接口令牌"), "tokens", icon="key", order=300, shown_to=may_read_reports, menu_hook=REPORTS_MENU_HOOK
)
area.register()


@hooks.register("register_admin_viewset")
def register_reports_viewsets():
    return [ReservedShareTargetViewSet("share_targets", url_prefix="reports/targets")]


@hooks.register("register_admin_menu_item")
def register_reports_menu():
    return SubmenuMenuItem(
        _("消费帮扶报表"),
        Menu(register_hook_name=REPORTS_MENU_HOOK),
        icon_name="table",
        name="reports",
        order=170,
    )
