from django.urls import path

from . import api

app_name = "reports_api"
urlpatterns = [
    path("", api.report, name="report"),
]
