"""The admin's two menus, bureaus, and Wagtail's user admin with the marketplace's fields.

The menus are groups that other apps' viewsets join through a hook name
(``admin_policy.SHOP_ADMIN_MENU_HOOK`` / ``PLATFORM_MENU_HOOK``), so each app keeps its
own admin in its own ``wagtail_hooks.py``. A menu entry shows only to users with some
permission on its model; a group shows when one of its entries does.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.account import NameEmailSettingsPanel
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permissions import register_permission_policy
from wagtail.users.views.users import IndexView as UserIndexView
from wagtail.users.views.users import UserViewSet

from .admin_policy import PLATFORM_MENU_HOOK, SHOP_ADMIN_MENU_HOOK, ScopedModelViewSet, ScopedPermissionPolicy
from .forms import MarketplaceNameEmailForm, MarketplaceUserCreationForm, MarketplaceUserEditForm
from .models import Bureau

register_permission_policy(Bureau, ScopedPermissionPolicy(Bureau))


class ShopAdminMenu(ViewSetGroup):
    menu_label = _("网店管理")
    menu_name = "shop-admin"
    menu_icon = "pick"
    menu_order = 150
    submenu_hook = SHOP_ADMIN_MENU_HOOK


class PlatformMenu(ViewSetGroup):
    menu_label = _("平台管理")
    menu_name = "platform"
    menu_icon = "cogs"
    menu_order = 160
    submenu_hook = PLATFORM_MENU_HOOK


class BureauViewSet(ScopedModelViewSet):
    """Bureaus decide what officers see: platform administrators only (no other role
    holds a bureau permission)."""

    model = Bureau
    icon = "tasks"
    menu_label = _("主管部门")
    menu_hook = PLATFORM_MENU_HOOK
    menu_order = 200
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    list_select_related = ("region",)
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_fields = ["name", "kind", "region"]
    panels = [FieldPanel("name"), FieldPanel("kind"), FieldPanel("region")]


class MarketplaceUserIndexView(UserIndexView):
    """Wagtail's user list, searched and sorted by 姓名 (``User.name``) rather than by
    Django's last_name / first_name, which no form of ours fills."""

    @property
    def search_fields(self):
        return ["username", "name", "email"]

    def order_queryset(self, queryset):
        if self.ordering in ("name", "-name"):
            return queryset.order_by(self.ordering, "username")
        return super().order_queryset(queryset)


class MarketplaceUserViewSet(UserViewSet):
    """Wagtail's user admin (platform administrators hold the user permissions) with
    one 姓名 field, mobile and bureau on the create and edit forms. Installed through
    ``core.wagtail_users.MarketplaceUsersConfig``."""

    index_view_class = MarketplaceUserIndexView
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return MarketplaceUserEditForm if for_update else MarketplaceUserCreationForm


# Wagtail's account page builds its "name and email" panel itself, with no hook to replace
# it: give that panel the one-field 姓名 form, so nobody is asked for 名 before 姓 there either.
NameEmailSettingsPanel.form_class = MarketplaceNameEmailForm


@hooks.register("register_admin_viewset")
def register_accounts_viewsets():
    return [
        ShopAdminMenu(),
        PlatformMenu(),
        BureauViewSet("bureaus", url_prefix="accounts/bureaus"),
    ]
