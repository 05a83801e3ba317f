from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin_area import AdminArea
from core.roles import Role, roles_of

from . import admin_views

area = AdminArea("certification_admin", "certification/")
area.add_urls(
    [
        path("", admin_views.applications_index, name="index"),
        path("apply/<int:product_id>/", admin_views.application_create, name="create"),
        path("<int:pk>/", admin_views.application_detail, name="detail"),
        path("<int:pk>/evidence/", admin_views.evidence_upload, name="evidence_upload"),
        path("<int:pk>/<str:action>/", admin_views.application_transition, name="transition"),
        path("evidence/<int:pk>/file/", admin_views.evidence_file, name="evidence_file"),
    ]
)
area.add_menu_item(
    _("扶贫产品认定"),
    "index",
    icon="success",
    order=250,
    shown_to=lambda user: bool(roles_of(user) & {Role.SHOP_OPERATOR, Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN}),
)
area.register()
