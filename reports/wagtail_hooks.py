"""The reports in the Wagtail admin: a "消费帮扶报表" menu with the dashboard and the
officer's API tokens. (The budget units' reserved shares are the procurement app's
预留份额完成情况, and a section of the report.)"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from core.admin_area import AdminArea
from core.admin_policy import REPORTS_MENU_HOOK
from sales_channels.report_links import register_report_url

from . import admin_views, pairing_views
from .access import may_read_reports

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
# In the "消费帮扶报表" submenu.
area.add_menu_item(
    _("报表"), "dashboard", icon="table", order=100, shown_to=may_read_reports, menu_hook=REPORTS_MENU_HOOK
)
area.add_menu_item(
    _("接口令牌"), "tokens", icon="key", order=300, shown_to=may_read_reports, menu_hook=REPORTS_MENU_HOOK
)
area.register()

# A pairing's own report, beside the pairing's admin pages, which link to it.
pairing_views.area.register()
register_report_url(pairing_views.report_url)


@hooks.register("register_admin_menu_item")
def register_reports_menu():
    return SubmenuMenuItem(
        _("消费帮扶报表"),
        Menu(register_hook_name=REPORTS_MENU_HOOK),
        icon_name="table",
        name="reports",
        order=170,
    )
