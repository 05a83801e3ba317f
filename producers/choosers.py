"""The region chooser: the modal every region field of the admin (and the region blocks
of ``cms.blocks``) opens. Registered by ``wagtail_hooks``; the instance lives here so that
StreamField blocks can be built from it at model-loading time."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from core import parsing
from core.scoping import VIEW, scope_queryset

from .models import Region


class RegionSearchForm(BaseFilterForm):
    q = forms.CharField(
        label=_("名称或区划代码"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：单县 或 371722")}),
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(name__contains=query) | Q(code__startswith=query))
            self.is_searching = True
            self.search_query = query
        return objects


class ScopedRegionChoiceMixin:
    """The chooser lists, and hands back, only regions the user may see."""

    filter_form_class = RegionSearchForm

    def get_object_list(self):
        return scope_queryset(Region.objects.all(), self.request.user, VIEW)

    @property
    def columns(self):
        return super().columns + [
            Column("code", label=_("区划代码"), accessor="code"),
            Column("level", label=_("层级"), accessor="get_level_display"),
        ]


class RegionChooseView(ScopedRegionChoiceMixin, chooser_views.ChooseView):
    pass


class RegionChooseResultsView(ScopedRegionChoiceMixin, chooser_views.ChooseResultsView):
    pass


class RegionChosenView(chooser_views.ChosenView):
    def get_object(self, pk):
        try:
            pk = parsing.object_id(pk)
        except parsing.BadInput as exc:  # Wagtail's URL takes any text: a word is no region
            raise Region.DoesNotExist from exc
        return scope_queryset(Region.objects.all(), self.request.user, VIEW).get(pk=pk)


class RegionChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        try:
            pks = [parsing.object_id(pk) for pk in pks]
        except parsing.BadInput:
            pks = []
        return scope_queryset(Region.objects.filter(pk__in=pks), self.request.user, VIEW)


class RegionCreateView(chooser_views.CreateView):
    """Regions are made in the regions admin, not from the chooser: Wagtail still routes
    ``create/`` and, with no creation form, fails on it; refuse it (403) instead."""

    def can_create(self):
        return False


class RegionChooserViewSet(ChooserViewSet):
    """Some 6,500 regions (all of Shandong, Henan, Guizhou down to townships) are too
    many for a drop-down; every region field in the admin uses this chooser, searchable
    by name or code and limited to the user's regions. The forms' own querysets are
    scoped too, so a POSTed id outside them is still refused."""

    model = Region
    icon = "globe"
    choose_one_text = _("选择行政区划")
    choose_another_text = _("另选")
    choose_view_class = RegionChooseView
    choose_results_view_class = RegionChooseResultsView
    chosen_view_class = RegionChosenView
    chosen_multiple_view_class = RegionChosenMultipleView
    create_view_class = RegionCreateView


region_chooser_viewset = RegionChooserViewSet("region_chooser", url_prefix="producers/region-chooser")
