"""Pairings, campaigns and offline points in the Wagtail admin, in the bureaus' 消费帮扶报表
submenu: platform administrators add and change them; bureau officers read the pairings of
their side (``selectors.visibility_q``), the campaigns run under those
(``selectors.campaign_visibility_q``) and the offline sales of their region
(``admin_views``); nobody else sees the menu items or a row. A campaign's page shows its
share link and QR code (``core.link_codes``, ``core.qr``: the same as a live event's)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.permissions import register_permission_policy

from core import qr
from core.admin_area import AdminArea
from core.admin_policy import (
    REPORTS_MENU_HOOK,
    ScopedInspectView,
    ScopedModelViewSet,
    ScopedPermissionPolicy,
    scoped_objects,
)
from core.scoping import VIEW, is_platform_admin

from . import admin_views
from .admin_views import PairingInspectView
from .forms import OfflinePointForm, PairingForm
from .models import Campaign, OfflinePoint, Pairing
from .report_links import report_url
from .selectors import campaign_visibility_q, may_read_offline_sales, visibility_q


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


# --- offline points ----------------------------------------------------------------------------------------------


class PlatformOnlyPolicy(ScopedPermissionPolicy):
    """Offline points are registered and changed by platform administrators only; the
    bureaus read their sales on the offline-sales pages (``admin_views``)."""

    def action_q(self, user, action: str):
        return None if is_platform_admin(user) else Q(pk__in=[])


register_permission_policy(OfflinePoint, PlatformOnlyPolicy(OfflinePoint))


class OfflinePointViewSet(ScopedModelViewSet):
    model = OfflinePoint
    icon = "site"
    menu_label = pgettext_lazy("plural", "线下网点")
    menu_hook = REPORTS_MENU_HOOK
    menu_order = 270
    list_display = [
        "code",
        # The name leads to the point's page (sales, batches, token, CSV upload); it links to editing.
        TitleColumn(
            "name", label=_("网点名称"), get_url=lambda point: reverse("sales_channels_admin:point", args=[point.pk])
        ),
        "kind",
        "region",
        "is_active",
        "token_prefix",
    ]
    list_filter = ["kind", "is_active"]
    list_select_related = ("region",)
    search_fields = ["code", "name"]
    search_backend_name = None
    inspect_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("code"), FieldPanel("kind")]),
            FieldPanel("name"),
            FieldPanel("region"),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_mobile")]),
            FieldPanel("is_active"),
        ],
        base_form_class=OfflinePointForm,
    )


@hooks.register("register_admin_viewset")
def register_offline_point_viewset():
    return OfflinePointViewSet("offline_points", url_prefix="channels/points")


area = AdminArea("sales_channels_admin", "channels/offline/")
area.add_urls(
    [
        path("sales/", admin_views.offline_sales, name="offline_sales"),
        path("sales.<str:fmt>", admin_views.offline_sales_export, name="offline_sales_export"),
        path("points/<int:pk>/", admin_views.point_detail, name="point"),
        path("points/<int:pk>/token/", admin_views.point_token, name="point_token"),
        path("points/<int:pk>/upload/", admin_views.point_upload, name="point_upload"),
    ]
)
area.add_menu_item(
    _("线下销售"),
    "offline_sales",
    icon="table",
    order=260,
    shown_to=may_read_offline_sales,
    menu_hook=REPORTS_MENU_HOOK,
)
area.register()
