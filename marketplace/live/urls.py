from django.urls import path

from . import views

app_name = "live"
urlpatterns = [
    path("code/", views.enter_code, name="enter_code"),
    path("<str:code>/buy/", views.buy_now, name="buy_now"),
]
