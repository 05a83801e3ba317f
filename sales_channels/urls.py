from django.urls import path

from . import api

app_name = "sales_channels"

urlpatterns = [
    path("points/<str:code>/sales/", api.report_sales, name="report_sales"),
]
