"""The event list and results pages join live's "直播带货" admin area."""

from django.urls import path

from live.wagtail_hooks import area

from . import admin_views

area.add_urls(
    [
        path("", admin_views.event_index, name="index"),
        path("export.<str:fmt>", admin_views.event_export, name="export"),
        path("<int:pk>/results/", admin_views.event_results_view, name="results"),
        path("<int:pk>/results.<str:fmt>", admin_views.event_results_export, name="results_export"),
    ]
)
