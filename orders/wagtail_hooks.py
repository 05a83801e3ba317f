from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.roles import Role, roles_of
from core.scoping import is_platform_admin

from . import admin_views

app_name = "orders_admin"
urlpatterns = [
    path("", admin_views.suborder_index, name="suborders"),
    path("sub/<int:pk>/", admin_views.suborder_detail, name="suborder"),
    path("sub/<int:pk>/<str:action>/", admin_views.suborder_transition, name="suborder_transition"),
    path("all/", admin_views.order_index, name="orders"),
    path("order/<int:pk>/", admin_views.order_detail, name="order"),
    path("order/<int:pk>/receipt/", admin_views.order_receipt, name="receipt"),
    path("order/<int:pk>/refund/", admin_views.order_refund, name="refund"),
]


@hooks.register("register_admin_urls")
def register_orders_urls():
    return [path("orders/", include((urlpatterns, app_name), namespace=app_name))]


class SubOrdersMenuItem(MenuItem):
    def is_shown(self, request):
        return Role.SHOP_OPERATOR in roles_of(request.user) or is_platform_admin(request.user)


class AllOrdersMenuItem(MenuItem):
    def is_shown(self, request):
        return is_platform_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_suborders_menu_item():
    return SubOrdersMenuItem("订单发货", reverse("orders_admin:suborders"), icon_name="list-ul", order=260)


@hooks.register("register_admin_menu_item")
def register_orders_menu_item():
    return AllOrdersMenuItem("全部订单", reverse("orders_admin:orders"), icon_name="list-ol", order=261)
