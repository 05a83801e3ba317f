"""The after-sales admin area (售后处理), and its panel on the orders admin's order pages."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core.admin_area import AdminArea
from core.roles import Role, roles_of
from core.scoping import is_platform_admin
from orders.admin_views import ORDER_PANELS_HOOK

from . import admin_views

area = AdminArea("aftersales_admin", "after-sales/")
area.add_urls(
    [
        path("", admin_views.index, name="index"),
        path("<str:pk>/", admin_views.detail, name="detail"),
        path("<str:pk>/hand-refund/", admin_views.hand_refund, name="hand_refund"),
        path("<str:pk>/retry-refund/", admin_views.retry, name="retry"),
        path("<str:pk>/<str:action>/", admin_views.act, name="act"),
    ]
)
area.add_menu_item(
    _("售后处理"),
    "index",
    icon="resubmit",
    order=263,
    shown_to=lambda user: Role.SHOP_OPERATOR in roles_of(user) or is_platform_admin(user),
)
area.register()
hooks.register(ORDER_PANELS_HOOK, admin_views.order_panel)
