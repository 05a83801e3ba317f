"""Admin for producers, households, collectives, benefit linkages and regions.

Rows are scoped by ``core.admin_policy``. Benefit linkages are versioned:
adding one, or "editing" the version in force, calls ``services.revise_benefit_linkage``
and makes a new version; superseded versions are read-only and no version is deleted."""

import django_filters
from django import forms
from django.db.models import Count, Q, Sum
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.widgets.boolean_radio_select import BooleanRadioSelect
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from core.admin_policy import (
    PLATFORM_MENU_HOOK,
    SHOP_ADMIN_MENU_HOOK,
    ScopedCreateView,
    ScopedEditView,
    ScopedFilterSet,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelViewSet,
    ScopedPermissionPolicy,
)
from core.errors import DomainError
from core.money import bp_percent

from .choosers import region_chooser_viewset
from .forms import BenefitLinkageForm, CollectiveForm, HouseholdForm, ProducerForm
from .models import BenefitLinkage, BenefitShare, Collective, Household, Producer, Region
from .selectors import household_shown_to, households_in_scope
from .services import FULL_SHARE_BP, revise_benefit_linkage


class BenefitLinkagePolicy(ScopedPermissionPolicy):
    """Linkage versions are history: only the version in force can be revised (which
    makes a new version), and no version is deleted, because sales point at them."""

    def rule_q(self, action: str) -> Q | None:
        if action == "change":
            return Q(valid_to__isnull=True)
        if action == "delete":
            return Q(pk__in=[])
        return None


# Policies first: Wagtail refuses a policy once a view has fallen back to the default.
for _model in (Producer, Household, Collective, Region):
    register_permission_policy(_model, ScopedPermissionPolicy(_model))
register_permission_policy(BenefitLinkage, BenefitLinkagePolicy(BenefitLinkage))


# Producers, households, collectives ---------------------------------------------------


class ProducerViewSet(ScopedModelViewSet):
    model = Producer
    icon = "group"
    menu_label = pgettext_lazy("plural", "生产主体")
    menu_hook = SHOP_ADMIN_MENU_HOOK
    menu_order = 300
    list_display = ["name", "kind", "shop", "region", "credit_code"]
    list_filter = ["kind", "shop"]
    list_select_related = ("shop", "region")
    search_fields = ["name", "credit_code"]
    search_backend_name = None
    inspect_view_fields = ["name", "kind", "shop", "credit_code", "region", "description"]
    edit_handler = ObjectList(
        [
            FieldPanel("shop"),
            FieldPanel("name"),
            FieldPanel("kind"),
            FieldPanel("credit_code"),
            FieldPanel("region"),
            FieldPanel("description"),
        ],
        base_form_class=ProducerForm,
    )


class HouseholdViewSet(ScopedModelViewSet):
    """Households are personal data. Only entitled viewers reach these views at all
    (admins, operators whose shops are in the household's region, officers whose
    jurisdiction covers it), so the views show full data; views of *other* rows that
    mention a household (a linkage seen from elsewhere) use the masked properties."""

    model = Household
    icon = "user"
    menu_label = pgettext_lazy("plural", "帮扶户")
    menu_hook = SHOP_ADMIN_MENU_HOOK
    menu_order = 400
    list_display = ["registration_number", "head_name", "members", "status", "village"]
    list_filter = ["status"]
    list_select_related = ("village",)
    search_fields = ["registration_number", "head_name"]
    search_backend_name = None
    inspect_view_fields = ["registration_number", "head_name", "members", "status", "village"]
    edit_handler = ObjectList(
        [
            FieldPanel("registration_number"),
            FieldPanel("head_name"),
            FieldPanel("members"),
            FieldPanel("status"),
            FieldPanel("village", widget=forms.Select),
        ],
        base_form_class=HouseholdForm,
    )


class CollectiveViewSet(ScopedModelViewSet):
    model = Collective
    icon = "site"
    menu_label = pgettext_lazy("plural", "村集体")
    menu_hook = SHOP_ADMIN_MENU_HOOK
    menu_order = 500
    list_display = ["name", "village", "credit_code"]
    list_select_related = ("village",)
    search_fields = ["name"]
    search_backend_name = None
    inspect_view_fields = ["name", "village", "credit_code"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("village", widget=forms.Select), FieldPanel("credit_code")],
        base_form_class=CollectiveForm,
    )


# Benefit linkages ---------------------------------------------------------------------


class LinkageFilterSet(ScopedFilterSet):
    in_force = django_filters.BooleanFilter(
        field_name="valid_to", lookup_expr="isnull", label=_("现行版本"), widget=BooleanRadioSelect
    )

    class Meta:
        model = BenefitLinkage
        fields = []


class LinkageIndexView(ScopedIndexView):
    def get_base_queryset(self):
        # Counts and sums in the listing query: no query per row.
        return (
            super()
            .get_base_queryset()
            .annotate(
                allocated=Sum("shares__share_bp"),
                household_count=Count("shares__household"),
                collective_count=Count("shares__collective"),
            )
        )


class RevisionMixin:
    """Create and edit both end in ``revise_benefit_linkage``: a new version."""

    def save_instance(self):
        form = self.form
        linkage = revise_benefit_linkage(
            form.product,
            form.share_specs(),
            by=self.request.user,
            valid_from=form.cleaned_data.get("valid_from"),
            note=form.cleaned_data.get("note", ""),
        )
        log(instance=linkage, action="wagtail.create", user=self.request.user)
        return linkage

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as exc:
            # The service refused (e.g. valid_from not after the version in force):
            # nothing was written; show why on the form.
            form.add_error(None, str(exc))
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        entered = form.entered_bp
        context["entered_bp"] = entered
        context["entered_retained"] = bp_percent(FULL_SHARE_BP - entered) if entered is not None else None
        return context


class LinkageCreateView(RevisionMixin, ScopedCreateView):
    success_message = _("已建立利益联结 %(object)s。")


class LinkageEditView(RevisionMixin, ScopedEditView):
    success_message = _("已生成新版本 %(object)s，原版本保留备查。")
    submit_button_label = _("保存为新版本")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current_retained"] = bp_percent(self.object.producer_retained_bp)
        return context


class LinkageInspectView(ScopedInspectView):
    def get_object(self, queryset=None):
        linkage = super().get_object(queryset)
        self.shares = list(
            BenefitShare.objects.filter(linkage=linkage).select_related("household", "collective").order_by("pk")
        )
        return linkage

    def beneficiary_label(self, share) -> str:
        # A linkage may name a household outside the viewer's own scope (the producer's
        # region is in it, the household's village is not): those show masked.
        if share.household_id is None:
            return str(share.collective)
        return str(household_shown_to(self.request.user, share.household))

    def get_beneficiaries_display_value(self):
        if not self.shares:
            return "-"
        households_in_scope(self.request.user, [s.household_id for s in self.shares])  # one query for all
        rows = format_html_join(
            "",
            "<li>{}：{}（{}）</li>",
            ((self.beneficiary_label(s), bp_percent(s.share_bp), s.get_mode_display()) for s in self.shares),
        )
        return format_html("<ul>{}</ul>", rows)

    def get_allocated_display_value(self):
        return bp_percent(sum(s.share_bp for s in self.shares))

    def get_retained_display_value(self):
        return bp_percent(FULL_SHARE_BP - sum(s.share_bp for s in self.shares))


class BenefitLinkageViewSet(ScopedModelViewSet):
    model = BenefitLinkage
    icon = "link"
    menu_label = pgettext_lazy("plural", "利益联结")
    menu_hook = SHOP_ADMIN_MENU_HOOK
    menu_order = 600
    index_view_class = LinkageIndexView
    add_view_class = LinkageCreateView
    edit_view_class = LinkageEditView
    inspect_view_class = LinkageInspectView
    list_display = [
        "product",
        Column("version", label=_("版本"), sort_key="version"),
        DateColumn("valid_from", label=_("生效时间"), sort_key="valid_from"),
        DateColumn("valid_to", label=_("失效时间"), sort_key="valid_to"),
        Column("household_count", label=_("帮扶户数")),
        Column("collective_count", label=_("村集体数")),
        Column("allocated", label=_("已分配"), accessor=lambda o: bp_percent(o.allocated)),
        Column(
            "retained",
            label=_("生产主体保留"),
            accessor=lambda o: bp_percent(FULL_SHARE_BP - (o.allocated or 0)),
        ),
    ]
    filterset_class = LinkageFilterSet
    list_select_related = ("product",)
    search_fields = ["product__title"]
    search_backend_name = None
    ordering = ["product__title", "-version"]
    inspect_view_fields = [
        "product",
        "version",
        "valid_from",
        "valid_to",
        "note",
        "created_by",
        "beneficiaries",
        "allocated",
        "retained",
    ]
    inspect_field_labels = {
        "beneficiaries": _("受益对象"),
        "allocated": _("已分配"),
        "retained": _("生产主体保留"),
    }
    create_template_name = "producers/admin/benefitlinkage_form.html"
    edit_template_name = "producers/admin/benefitlinkage_form.html"

    def get_form_class(self, for_update=False):
        return BenefitLinkageForm


# Regions ------------------------------------------------------------------------------


class RegionViewSet(ScopedModelViewSet):
    model = Region
    icon = "globe"
    menu_label = pgettext_lazy("plural", "行政区划")
    menu_hook = PLATFORM_MENU_HOOK
    menu_order = 100
    list_display = ["name", "code", "level", "parent", BooleanColumn("is_official", label=_("官方代码"))]
    list_filter = ["level", "is_official"]
    list_select_related = ("parent",)
    ordering = ["code"]
    search_fields = ["name", "code"]
    search_backend_name = None
    inspect_view_fields = ["code", "name", "level", "parent", "is_official"]
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("level"),
        FieldPanel("parent"),
        FieldPanel("is_official"),
    ]


@hooks.register("register_admin_viewset")
def register_producers_viewsets():
    return [
        ProducerViewSet("producers", url_prefix="producers/producers"),
        HouseholdViewSet("households", url_prefix="producers/households"),
        CollectiveViewSet("collectives", url_prefix="producers/collectives"),
        BenefitLinkageViewSet("linkages", url_prefix="producers/linkages"),
        RegionViewSet("regions", url_prefix="producers/regions"),
        region_chooser_viewset,
    ]
