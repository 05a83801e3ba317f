"""The "直播带货" admin area: running events here (``admin_views``); the event list and
results, which read the ledger, are added by ``live_results/wagtail_hooks.py``."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin_area import AdminArea

from . import admin_views

area = AdminArea("live_admin", "live/")
area.add_urls(
    [
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
    ]
)
area.add_menu_item(
    _("直播带货"), "index", icon="media", order=270, shown_to=lambda user: user.has_perm("live.view_liveevent")
)
area.register()
