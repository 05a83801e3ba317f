from django.urls import path

from . import views

app_name = "attribution"
urlpatterns = [
    path("statement/", views.lookup, name="lookup"),
    path("statement/mine/", views.mine, name="mine"),
    path("statement/mine.csv", views.mine_csv, name="mine_csv"),
    path("statement/mine.pdf", views.mine_pdf, name="mine_pdf"),
    path("statement/leave/", views.leave, name="leave"),
]
