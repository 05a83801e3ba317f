"""The buyers' account pages under ``/accounts/`` (``account_views.py``). The password
sign-in page is also ``/orders/login/`` (``orders:login``), where signed-out buyers are sent."""

from django.urls import path

from . import account_views

app_name = "accounts"
urlpatterns = [
    path("login/", account_views.PasswordSignInView.as_view(), name="login"),
    path("login/sms/", account_views.sign_in_by_code, name="login_sms"),
    path("register/", account_views.register, name="register"),
    path("password/reset/", account_views.reset_password, name="password_reset"),
    path("logout/", account_views.sign_out, name="logout"),
    path("code/", account_views.send_code, name="send_code"),
]
