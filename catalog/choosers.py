"""Choosers for products, shops and categories: the modal the page editor opens from a
StreamField block (``cms.blocks``) to pick them. Registered by ``wagtail_hooks``; the
instances live here, so that the blocks can be built from them at model-loading time.

An editor sees what the storefront shows anyway (listed products, active shops, every
category) and, beyond that, the rows of their own scope (a shop operator's unlisted
products), never another shop's unlisted ones. ``register_widget`` is off: the model
forms of the admin keep their own (scoped) selects."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from core import parsing
from core.scoping import VIEW, scope_q

from .models import Category, Product, Shop


def _search_form(label: str, field: str):
    class SearchForm(BaseFilterForm):
        q = forms.CharField(label=label, required=False)

        def filter(self, objects):
            query = (self.cleaned_data.get("q") or "").strip()
            if query:
                objects = objects.filter(**{f"{field}__contains": query})
                self.is_searching = True
                self.search_query = query
            return objects

    return SearchForm


def choosable(model, user):
    """What ``user`` may pick: the public rows and the rows of their own scope."""
    public = {
        Product: Q(pk__in=Product.objects.listed().values("pk")),
        Shop: Q(is_active=True),
    }.get(model)
    if public is None:
        return model.objects.all()
    own = scope_q(model, user, VIEW)
    return model.objects.all() if own is None else model.objects.filter(public | own)


def _ids(raw_values) -> list[int]:
    try:
        return [parsing.object_id(v) for v in raw_values]
    except parsing.BadInput:  # Wagtail's URL takes any text: a word is no row
        return []


def chooser_viewset_class(model, *, icon, choose_one, search_label, search_field, columns=(), select_related=()):
    """A scoped chooser of ``model`` (choose, results, chosen, chosen-multiple; no create)."""

    class ScopedChoice:
        filter_form_class = _search_form(search_label, search_field)

        def get_object_list(self):
            return choosable(model, self.request.user).select_related(*select_related)

        @property
        def columns(self):
            return super().columns + [Column(name, label=label, accessor=accessor) for name, label, accessor in columns]

    class ChooseView(ScopedChoice, chooser_views.ChooseView):
        pass

    class ChooseResultsView(ScopedChoice, chooser_views.ChooseResultsView):
        pass

    class ChosenView(chooser_views.ChosenView):
        def get_object(self, pk):
            ids = _ids([pk])
            if not ids:
                raise model.DoesNotExist
            return choosable(model, self.request.user).get(pk=ids[0])

    class ChosenMultipleView(chooser_views.ChosenMultipleView):
        def get_objects(self, pks):
            return choosable(model, self.request.user).filter(pk__in=_ids(pks))

    class CreateView(chooser_views.CreateView):
        def can_create(self):
            return False

    return type(
        f"{model.__name__}ChooserViewSet",
        (ChooserViewSet,),
        {
            "model": model,
            "icon": icon,
            "choose_one_text": choose_one,
            "choose_another_text": _("另选"),
            "register_widget": False,
            "choose_view_class": ChooseView,
            "choose_results_view_class": ChooseResultsView,
            "chosen_view_class": ChosenView,
            "chosen_multiple_view_class": ChosenMultipleView,
            "create_view_class": CreateView,
        },
    )


ProductChooserViewSet = chooser_viewset_class(
    Product,
    icon="pick",
    choose_one=_("选择商品"),
    search_label=_("品名"),
    search_field="title",
    columns=[("shop", _("网店"), "shop"), ("price", _("价格（元）"), "price_yuan")],
    select_related=("shop",),
)
ShopChooserViewSet = chooser_viewset_class(
    Shop,
    icon="home",
    choose_one=_("选择网店"),
    search_label=_("店名"),
    search_field="name",
    columns=[("region", _("所在地"), "region")],
    select_related=("region",),
)
CategoryChooserViewSet = chooser_viewset_class(
    Category,
    icon="tag",
    choose_one=_("选择品类"),
    search_label=_("名称"),
    search_field="name",
    columns=[("parent", _("上级"), "parent")],
    select_related=("parent",),
)

product_chooser_viewset = ProductChooserViewSet("product_chooser", url_prefix="catalog/product-chooser")
shop_chooser_viewset = ShopChooserViewSet("shop_chooser", url_prefix="catalog/shop-chooser")
category_chooser_viewset = CategoryChooserViewSet("category_chooser", url_prefix="catalog/category-chooser")
