from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin_area import AdminArea
from core.roles import Role, roles_of
from core.scoping import is_platform_admin

from . import admin_views

area = AdminArea("attribution_admin", "attribution/")
area.add_urls(
    [
        path("statements/", admin_views.statement_index, name="statements"),
        path("statements/<str:kind>/<int:pk>/", admin_views.statement_detail, name="statement"),
        path("statements/<str:kind>/<int:pk>/csv/", admin_views.statement_csv, name="statement_csv"),
        path("statements/<str:kind>/<int:pk>/pdf/", admin_views.statement_pdf, name="statement_pdf"),
        path("statements/household/<int:pk>/access-code/", admin_views.issue_access_code, name="issue_access_code"),
        path("payouts/", admin_views.payout_report, name="payouts"),
        path("payouts/record/", admin_views.record_payout, name="record_payout"),
    ]
)
area.add_menu_item(
    _("收益对账单"),
    "statements",
    icon="doc-full",
    order=270,
    shown_to=lambda user: bool({Role.SHOP_OPERATOR, Role.BUREAU_OFFICER} & roles_of(user)) or is_platform_admin(user),
)
area.add_menu_item(
    _("收益发放"),
    "payouts",
    icon="tasks",
    order=271,
    shown_to=lambda user: Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user),
)
area.register()
