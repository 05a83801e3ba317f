from django.urls import path

from . import stripe_views, webhooks

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("stripe/pay/<str:token>/", stripe_views.pay, name="stripe_pay"),
    path("stripe/return/<str:token>/", stripe_views.payment_return, name="stripe_return"),
]
