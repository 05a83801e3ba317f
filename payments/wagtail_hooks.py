"""Payments in the admin: the money panel on the order and sub-order pages and the views
its forms post to (recording a bank-transfer receipt or refund, refunding through the
provider that took the money), in the orders area; and its own area, 对账 (the daily bill
checks of WeChat Pay and Alipay contracted directly), for platform administrators."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core.admin_area import AdminArea
from core.scoping import is_platform_admin
from orders.admin_views import ORDER_PANELS_HOOK
from orders.wagtail_hooks import area

from . import admin_views, bill_views

area.add_urls(
    [
        path("order/<int:pk>/receipt/", admin_views.order_receipt, name="receipt"),
        path("order/<int:pk>/refund/", admin_views.order_refund, name="refund"),
        path("order/<int:pk>/stripe-refund/", admin_views.order_stripe_refund, name="stripe_refund"),
    ]
)
hooks.register(ORDER_PANELS_HOOK, admin_views.money_panel)

bills = AdminArea("payments_admin", "payments/")
bills.add_urls(
    [
        path("bills/", bill_views.bill_index, name="bills"),
        path("bills/run/", bill_views.bill_run, name="bill_run"),
        path("bills/<int:pk>/", bill_views.bill_day, name="bill"),
        path("bills/difference/<int:pk>/resolve/", bill_views.bill_resolve, name="bill_resolve"),
    ]
)
bills.add_menu_item(_("对账"), "bills", icon="tasks", order=263, shown_to=is_platform_admin)
bills.register()
