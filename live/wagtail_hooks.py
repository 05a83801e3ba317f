from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

app_name = "live_admin"
urlpatterns = [
    path("", admin_views.event_index, name="index"),
    path("export.<str:fmt>", admin_views.event_export, name="export"),
    path("add/", admin_views.event_create, name="add"),
    path("<int:pk>/", admin_views.event_detail, name="event"),
    path("<int:pk>/edit/", admin_views.event_edit, name="edit"),
    path("<int:pk>/qr.png", admin_views.event_qr, name="qr"),
    path("<int:pk>/go-live/", admin_views.event_go_live, name="go_live"),
    path("<int:pk>/off-air/", admin_views.event_off_air, name="off_air"),
    path("<int:pk>/featured/", admin_views.featured_add, name="featured_add"),
    path("<int:pk>/featured/<int:feature_id>/", admin_views.featured_update, name="featured_update"),
    path("<int:pk>/featured/<int:feature_id>/remove/", admin_views.featured_remove, name="featured_remove"),
    path("<int:pk>/tokens/", admin_views.token_create, name="token_create"),
    path("<int:pk>/tokens/<int:token_id>/revoke/", admin_views.token_revoke, name="token_revoke"),
    path("<int:pk>/totals/", admin_views.totals_enter, name="totals"),
    path("<int:pk>/results/", admin_views.event_results_view, name="results"),
    path("<int:pk>/results.<str:fmt>", admin_views.event_results_export, name="results_export"),
]


@hooks.register("register_admin_urls")
def register_live_urls():
    return [path("live/", include((urlpatterns, app_name), namespace=app_name))]


class LiveMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("live.view_liveevent")


@hooks.register("register_admin_menu_item")
def register_live_menu_item():
    return LiveMenuItem("直播带货", reverse("live_admin:index"), icon_name="media", order=270)
