"""The synonym list in the admin: platform administrators add, change and remove
synonym groups (only their role holds the model permissions; everyone else is refused)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel

from core.admin_policy import PLATFORM_MENU_HOOK, ScopedModelViewSet

from .models import SynonymGroup


class SynonymGroupViewSet(ScopedModelViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("搜索同义词")
    menu_hook = PLATFORM_MENU_HOOK
    menu_order = 900
    list_display = ["__str__", "note", "updated_at"]
    ordering = ["pk"]
    search_fields = ["terms", "note"]
    inspect_view_fields = ["terms", "note", "updated_at"]
    panels = [FieldPanel("terms"), FieldPanel("note")]


@hooks.register("register_admin_viewset")
def register_search_viewsets():
    return [SynonymGroupViewSet("search_synonyms", url_prefix="search/synonyms")]
