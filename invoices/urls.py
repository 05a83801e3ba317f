from django.urls import path

from . import views

app_name = "invoices"
urlpatterns = [
    path("invoices/new/<str:suborder>/", views.new, name="new"),
    path("invoices/<str:pk>/", views.detail, name="detail"),
    path("invoices/<str:pk>/file/", views.file, name="file"),
    path("invoices/<str:pk>/<str:action>/", views.action, name="action"),
    path("orders/o/<str:token>/invoices/new/<str:suborder>/", views.new_by_token, name="new_by_token"),
    path("orders/o/<str:token>/invoices/<str:pk>/", views.detail_by_token, name="detail_by_token"),
    path("orders/o/<str:token>/invoices/<str:pk>/file/", views.file_by_token, name="file_by_token"),
    path("orders/o/<str:token>/invoices/<str:pk>/<str:action>/", views.action_by_token, name="action_by_token"),
]
