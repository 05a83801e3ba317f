from django.urls import path

from . import views

app_name = "aftersales"
urlpatterns = [
    path("after-sales/", views.my_list, name="list"),
    path("after-sales/new/<str:suborder>/", views.new, name="new"),
    path("after-sales/photo/<str:pk>/", views.photo, name="photo"),
    path("after-sales/<str:number>/", views.detail, name="detail"),
    path("after-sales/<str:number>/<str:action>/", views.action, name="action"),
    path("orders/o/<str:token>/after-sales/new/<str:suborder>/", views.new_by_token, name="new_by_token"),
    path("orders/o/<str:token>/after-sales/photo/<str:pk>/", views.photo_by_token, name="photo_by_token"),
    path("orders/o/<str:token>/after-sales/<str:number>/", views.detail_by_token, name="detail_by_token"),
    path("orders/o/<str:token>/after-sales/<str:number>/<str:action>/", views.action_by_token, name="action_by_token"),
]
