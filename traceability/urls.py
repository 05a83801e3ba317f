from django.urls import path

from . import views

urlpatterns = [
    path("trace/<str:code>/", views.trace, name="trace"),
]
