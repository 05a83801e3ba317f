from django.urls import path

from . import api, views

app_name = "live"
urlpatterns = [
    path("code/", views.enter_code, name="enter_code"),
    path("api/events/<str:code>/samples/", api.push_samples, name="push_samples"),
    path("<str:code>/buy/", views.buy_now, name="buy_now"),
]
