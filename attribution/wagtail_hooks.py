from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.roles import Role, roles_of
from core.scoping import is_platform_admin

from . import admin_views

app_name = "attribution_admin"
urlpatterns = [
    path("statements/", admin_views.statement_index, name="statements"),
    path("statements/<str:kind>/<int:pk>/", admin_views.statement_detail, name="statement"),
    path("statements/<str:kind>/<int:pk>/csv/", admin_views.statement_csv, name="statement_csv"),
    path("statements/<str:kind>/<int:pk>/pdf/", admin_views.statement_pdf, name="statement_pdf"),
    path("statements/household/<int:pk>/access-code/", admin_views.issue_access_code, name="issue_access_code"),
    path("payouts/", admin_views.payout_report, name="payouts"),
    path("payouts/record/", admin_views.record_payout, name="record_payout"),
]


@hooks.register("register_admin_urls")
def register_attribution_urls():
    return [path("attribution/", include((urlpatterns, app_name), namespace=app_name))]


class StatementsMenuItem(MenuItem):
    def is_shown(self, request):
        return bool({Role.SHOP_OPERATOR, Role.BUREAU_OFFICER} & roles_of(request.user)) or is_platform_admin(
            request.user
        )


class PayoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return Role.SHOP_OPERATOR in roles_of(request.user) or is_platform_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_statements_menu_item():
    return StatementsMenuItem("收益对账单", reverse("attribution_admin:statements"), icon_name="doc-full", order=270)


@hooks.register("register_admin_menu_item")
def register_payouts_menu_item():
    return PayoutsMenuItem("收益发放", reverse("attribution_admin:payouts"), icon_name="tasks", order=271)
