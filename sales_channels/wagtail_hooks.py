"""Pairings in the Wagtail admin, in the bureaus' 消费帮扶报表 submenu: platform
administrators add and change them; bureau officers read those of their side
(``selectors.visibility_q``); nobody else sees the menu item or a row."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.permissions import register_permission_policy

from core.admin_policy import REPORTS_MENU_HOOK, ScopedModelViewSet, ScopedPermissionPolicy
from core.scoping import VIEW, is_platform_admin

from .admin_views import PairingInspectView
from .forms import PairingForm
from .models import Pairing
from .report_links import report_url
from .selectors import visibility_q


class PairingPermissionPolicy(ScopedPermissionPolicy):
    """Officers read the pairings of their side; only platform administrators change any."""

    def action_q(self, user, action: str):
        if is_platform_admin(user):
            return None
        if action != VIEW:
            return Q(pk__in=[])
        return visibility_q(user)


register_permission_policy(Pairing, PairingPermissionPolicy(Pairing))


class PairingViewSet(ScopedModelViewSet):
    model = Pairing
    icon = "group"
    menu_label = pgettext_lazy("plural", "结对帮扶关系")
    menu_hook = REPORTS_MENU_HOOK
    menu_order = 250
    list_display = [
        "name",
        "kind",
        Column("helping_label", label=_("帮扶方")),
        "helped_region",
        "valid_from",
        "valid_to",
        TitleColumn(
            "report",
            label=_("结对销售报表"),
            accessor=lambda pairing: _("查看报表"),
            get_url=lambda pairing: report_url(pairing.pk),
        ),
    ]
    list_filter = ["kind"]
    list_select_related = ("helping_region", "helping_organisation", "helped_region")
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["-valid_from", "pk"]
    inspect_view_fields = [
        "kind",
        "name",
        "helping_region",
        "helping_organisation",
        "helped_region",
        "valid_from",
        "valid_to",
        "note",
        "created_at",
    ]
    inspect_view_class = PairingInspectView
    # The regions are chosen province → city → county (forms.RegionChooserField), not from
    # one select of every county of China.
    edit_handler = ObjectList(
        [
            FieldPanel("kind"),
            FieldPanel("name"),
            MultiFieldPanel(
                [FieldPanel("helping_region"), FieldPanel("helping_organisation")],
                heading=_("帮扶方（地区或单位，二选一）"),
            ),
            FieldPanel("helped_region"),
            FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
            FieldPanel("note"),
        ],
        base_form_class=PairingForm,
    )


@hooks.register("register_admin_viewset")
def register_pairing_viewset():
    return PairingViewSet("pairings", url_prefix="channels/pairings")
