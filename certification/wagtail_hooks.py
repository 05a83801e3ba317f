from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.roles import Role, roles_of

from . import admin_views

app_name = "certification_admin"
urlpatterns = [
    path("", admin_views.applications_index, name="index"),
    path("apply/<int:product_id>/", admin_views.application_create, name="create"),
    path("<int:pk>/", admin_views.application_detail, name="detail"),
    path("<int:pk>/evidence/", admin_views.evidence_upload, name="evidence_upload"),
    path("<int:pk>/<str:action>/", admin_views.application_transition, name="transition"),
    path("evidence/<int:pk>/file/", admin_views.evidence_file, name="evidence_file"),
]


@hooks.register("register_admin_urls")
def register_certification_urls():
    return [path("certification/", include((urlpatterns, app_name), namespace=app_name))]


class CertificationMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(roles_of(request.user) & {Role.SHOP_OPERATOR, Role.BUREAU_OFFICER, Role.PLATFORM_ADMIN})


@hooks.register("register_admin_menu_item")
def register_certification_menu_item():
    return CertificationMenuItem("扶贫产品认定", reverse("certification_admin:index"), icon_name="success", order=250)
