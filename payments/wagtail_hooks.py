"""Payments in the orders admin area: the money panel on the order and sub-order pages,
and the views its forms post to (recording a bank-transfer receipt or refund, refunding
through Stripe)."""

from django.urls import path
from wagtail import hooks

from orders.admin_views import ORDER_PANELS_HOOK
from orders.wagtail_hooks import area

from . import admin_views

area.add_urls(
    [
        path("order/<int:pk>/receipt/", admin_views.order_receipt, name="receipt"),
        path("order/<int:pk>/refund/", admin_views.order_refund, name="refund"),
        path("order/<int:pk>/stripe-refund/", admin_views.order_stripe_refund, name="stripe_refund"),
    ]
)
hooks.register(ORDER_PANELS_HOOK, admin_views.money_panel)
