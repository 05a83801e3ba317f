from django.urls import path

from . import direct_views, pay_views, stripe_views, views, webhooks

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
    path("notify/<str:provider>/", direct_views.notify, name="direct_notify"),
    path("pay/<str:token>/", pay_views.pay, name="pay"),
    path("pay/<str:token>/status/", pay_views.pay_status, name="pay_status"),
    path("return/<str:token>/", pay_views.pay_return, name="pay_return"),
    path("stripe/pay/<str:token>/", stripe_views.pay, name="stripe_pay"),
    path("stripe/return/<str:token>/", stripe_views.payment_return, name="stripe_return"),
    path("notice/<str:token>/", views.transfer_notice, name="transfer_notice"),
    path("notice/order/<str:number>/", views.my_transfer_notice, name="my_transfer_notice"),
]
