"""Pairings and campaigns in the Wagtail admin, in the bureaus' 消费帮扶报表 submenu:
platform administrators add and change them; bureau officers read the pairings of their
side (``selectors.visibility_q``) and the campaigns run under those
(``selectors.campaign_visibility_q``); nobody else sees the menu items or a row. A
campaign's page shows its share link and QR code (``core.link_codes``, ``core.qr``: the
same as a live event's)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.permissions import register_permission_policy

from core import qr
from core.admin_policy import (
    REPORTS_MENU_HOOK,
    ScopedInspectView,
    ScopedModelViewSet,
    ScopedPermissionPolicy,
    scoped_objects,
)
from core.scoping import VIEW, is_platform_admin

from .models import Campaign, Pairing
from .selectors import campaign_visibility_q, visibility_q


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
    panels = [
        FieldPanel("kind"),
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("helping_region"), FieldPanel("helping_organisation")],
            heading=_("帮扶方（地区或单位，二选一）"),
        ),
        FieldPanel("helped_region"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        FieldPanel("note"),
    ]


@hooks.register("register_admin_viewset")
def register_pairing_viewset():
    return PairingViewSet("pairings", url_prefix="channels/pairings")


class CampaignPermissionPolicy(ScopedPermissionPolicy):
    """Officers read the campaigns run under the pairings of their side; only platform
    administrators change any."""

    def action_q(self, user, action: str):
        if is_platform_admin(user):
            return None
        if action != VIEW:
            return Q(pk__in=[])
        return campaign_visibility_q(user)


register_permission_policy(Campaign, CampaignPermissionPolicy(Campaign))


class CampaignInspectView(ScopedInspectView):
    def get_share_url_display_value(self):
        return format_html('<code class="share-url">{}</code>', self.object.share_url())

    def get_qr_code_display_value(self):
        url = reverse("channel_campaigns:qr", args=[self.object.pk])
        return format_html(
            '<a href="{}"><img src="{}" width="164" height="164" alt="{}"></a>', url, url, self.object.code
        )


def campaign_qr(request, pk: int):
    """The campaign's QR code (PNG): whoever may read the campaign may print it."""
    campaign = get_object_or_404(scoped_objects(Campaign, request.user), pk=pk)
    return qr.png_response(campaign.share_url(), f"campaign-{campaign.code}.png")


class CampaignViewSet(ScopedModelViewSet):
    model = Campaign
    icon = "tag"
    menu_label = pgettext_lazy("plural", "推广活动")
    menu_hook = REPORTS_MENU_HOOK
    menu_order = 260
    inspect_view_class = CampaignInspectView
    list_display = ["name", "code", "pairing", "valid_from", "valid_to"]
    list_select_related = ("pairing",)
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["-valid_from", "pk"]
    inspect_view_fields = ["name", "code", "share_url", "qr_code", "pairing", "valid_from", "valid_to", "note"]
    inspect_field_labels = {"share_url": _("活动链接"), "qr_code": _("二维码")}
    panels = [
        FieldPanel("name"),
        FieldPanel("code"),
        FieldPanel("pairing"),
        FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_to")]),
        FieldPanel("note"),
    ]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("qr/<int:pk>/", campaign_qr, name="qr")]


@hooks.register("register_admin_viewset")
def register_campaign_viewset():
    return CampaignViewSet("channel_campaigns", url_prefix="channels/campaigns")
