"""Row scoping in the Wagtail admin: one permission policy, and the admin views that use it.

A role's model permissions (``roles.py``) say *what kind of thing* a user may do; the
scoping rules (``scoping.py``) say *to which rows*. ``ScopedPermissionPolicy`` asks both,
so every admin view, chooser, menu and URL finder (and any other code that asks Wagtail's
policy registry) applies the same rule.

Wagtail's generic model views check model permissions only and load objects from the
default manager. The ``Scoped*View`` classes below load every object through the policy,
so a row outside the user's scope is a 404 and a row in view scope that the user may not
change is Wagtail's permission-denied response; never its data.
"""

from collections.abc import Iterable

from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Model, ProtectedError, Q, QuerySet, RestrictedError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry

from .scoping import VIEW, is_platform_admin, scope_q, scope_queryset

ANY_ACTION = ("add", "change", "delete", "view")

# The two admin menus; viewsets join them through these hooks (see wagtail_hooks.py).
SHOP_ADMIN_MENU_HOOK = "register_shop_admin_menu_item"
PLATFORM_MENU_HOOK = "register_platform_menu_item"
# The bureaus' "消费帮扶报表" submenu (reports/wagtail_hooks.py makes it; the pairings join it).
REPORTS_MENU_HOOK = "register_reports_menu_item"


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permission AND row scope (AND, for some models, a rule of their own).

    ``user_has_permission`` stays model-level ("may this user change products at all?"),
    which is what Wagtail asks to show menus and add buttons. Every question about a row
    or a set of rows also applies ``scoping.scope_q`` and ``rule_q``."""

    def rule_q(self, action: str) -> Q | None:
        """A limit on the rows ``action`` applies to that holds for everybody, admins
        included (e.g. superseded linkage versions are read-only). None: no limit."""
        return None

    def action_q(self, user, action: str) -> Q | None:
        """The rows ``user`` may do ``action`` to, as a filter; None means all rows.
        The caller has checked the model permission."""
        parts = [q for q in (scope_q(self.model, user, action), self.rule_q(action)) if q is not None]
        if not parts:
            return None
        combined = parts[0]
        for q in parts[1:]:
            combined &= q
        return combined

    def scope(self, queryset: QuerySet, user, actions: Iterable[str]) -> QuerySet:
        """``queryset`` limited to the rows ``user`` may do any of ``actions`` to."""
        allowed = [a for a in actions if self.user_has_permission(user, a)]
        if not allowed:
            return queryset.none()
        filters: list[Q] = []
        for action in allowed:
            q = self.action_q(user, action)
            if q is None:
                return queryset
            if q not in filters:  # an operator's view and change scopes are the same filter
                filters.append(q)
        union = filters[0]
        for q in filters[1:]:
            union |= q
        return queryset.filter(union)

    def permitted_pks(self, user, action: str, pks: Iterable) -> set:
        """Which of ``pks`` ``user`` may do ``action`` to: one query at most, for a page
        of a listing (no query per row)."""
        pks = list(pks)
        if not pks or not self.user_has_permission(user, action):
            return set()
        q = self.action_q(user, action)
        if q is None:
            return set(pks)
        return set(self.model._default_manager.filter(q, pk__in=pks).values_list("pk", flat=True))

    # Wagtail's per-instance API.

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        if instance is None or instance.pk is None:
            return False
        return self.scope(self.model._default_manager.filter(pk=instance.pk), user, actions).exists()

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        return self.scope(self.model._default_manager.all(), user, actions)

    def users_with_any_permission_for_instance(self, actions, instance) -> QuerySet:
        # The scoping rules are written from the user's side (which rows may this user
        # see?); asking them per candidate keeps one rule instead of a mirrored copy.
        # Wagtail calls this rarely (notifications), never per row of a listing.
        candidates = self.users_with_any_permission(actions)
        keep = [u.pk for u in candidates if self.user_has_any_permission_for_instance(u, actions, instance)]
        return get_user_model().objects.filter(pk__in=keep)


def policy_for(model: type[Model]) -> ModelPermissionPolicy:
    return policy_registry.get_by_type(model)


def scoped_objects(model: type[Model], user, actions: Iterable[str] = ANY_ACTION) -> QuerySet:
    """The rows of ``model`` the admin may load for ``user`` at all."""
    policy = policy_for(model)
    if isinstance(policy, ScopedPermissionPolicy):
        return policy.scope(model._default_manager.all(), user, actions)
    return policy.instances_user_has_any_permission_for(user, list(actions))


class ScopedFilterSet(WagtailFilterSet):
    """Listing filters whose related-object choices are limited to the user's scope, so a
    filter drop-down never lists another shop's rows."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, **kwargs):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        for flt in self.filters.values():
            if isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter) and isinstance(flt.queryset, QuerySet):
                flt.queryset = scope_queryset(flt.queryset.all(), user, VIEW)


class ScopedObjectMixin:
    """Load the one object a view works on through the policy.

    Outside every scope of the user: 404. Visible but not open to ``object_actions``:
    PermissionDenied, which the admin turns into its "no permission" redirect."""

    object_actions: tuple[str, ...] = ANY_ACTION

    def scoped_object_queryset(self) -> QuerySet:
        return scoped_objects(self.model, self.request.user)

    def check_object(self, obj):
        if not policy_for(self.model).user_has_any_permission_for_instance(
            self.request.user, list(self.object_actions), obj
        ):
            raise PermissionDenied
        return obj


class ScopedIndexView(generic.IndexView):
    base_filterset_class = ScopedFilterSet
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple = ()

    def get_base_queryset(self):
        qs = scoped_objects(self.model, self.request.user)
        if self.list_select_related:
            qs = qs.select_related(*self.list_select_related)
        if self.list_prefetch_related:
            qs = qs.prefetch_related(*self.list_prefetch_related)
        return qs

    def get_table(self, object_list):
        # Row buttons are decided per row, but with one query per action for the page.
        policy = policy_for(self.model)
        pks = [obj.pk for obj in object_list]
        if isinstance(policy, ScopedPermissionPolicy):
            self._row_rights = {
                action: policy.permitted_pks(self.request.user, action, pks) for action in ("change", "delete")
            }
        else:
            self._row_rights = {
                action: set(pks) if self.user_has_permission(action) else set() for action in ("change", "delete")
            }
        return super().get_table(object_list)

    def _row_may(self, action, instance) -> bool:
        rights = getattr(self, "_row_rights", None)
        if rights is None:
            return self.user_has_permission_for_instance(action, instance)
        return instance.pk in rights[action]

    def get_edit_url(self, instance):
        if self.edit_url_name and self._row_may("change", instance):
            return reverse(self.edit_url_name, args=(quote(instance.pk),))

    def get_delete_url(self, instance):
        if self.delete_url_name and self._row_may("delete", instance):
            return reverse(self.delete_url_name, args=(quote(instance.pk),))


class ScopedCreateView(generic.CreateView):
    """Adding is a model permission; the form keeps the new row inside the user's scope
    (its foreign-key choices are scoped, see the apps' ``forms.py``)."""


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    object_actions = ("change",)

    def get_queryset(self):
        return self.scoped_object_queryset()

    def get_object(self, queryset=None):
        return self.check_object(super().get_object(queryset))


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_actions = ("delete",)

    def get_queryset(self):
        return self.scoped_object_queryset()

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.check_object(super().get_object(queryset))

    def form_valid(self, form):
        # Wagtail's reference index only knows rows saved since the index was set up
        # (bulk-loaded demo data is not in it); the database's PROTECT is the last word.
        try:
            return super().form_valid(form)
        except (ProtectedError, RestrictedError) as exc:
            count = len(getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ()))
            # Say how many rows refer to it, not which: they may belong to other shops.
            messages.error(
                self.request,
                _("“%(object)s”仍被 %(count)d 条记录引用，不能删除。") % {"object": self.object, "count": count},
            )
            return redirect(self.index_url_name)


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    field_labels: dict = {}  # labels for inspect fields that are properties, not model fields

    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_object_queryset(), pk=self.pk)

    def get_field_label(self, field_name, field):
        if field_name in self.field_labels:
            return self.field_labels[field_name]
        return super().get_field_label(field_name, field)

    def get_edit_url(self):
        if self.edit_url_name and self.user_has_permission_for_instance("change", self.object):
            return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_delete_url(self):
        if self.delete_url_name and self.user_has_permission_for_instance("delete", self.object):
            return reverse(self.delete_url_name, args=(quote(self.object.pk),))


class ScopedHistoryView(ScopedObjectMixin, history.HistoryView):
    object_actions = ("add", "change", "delete")

    def get_base_object_queryset(self):
        return self.scoped_object_queryset()

    def get_object(self):
        return self.check_object(super().get_object())


class ScopedUsageView(ScopedObjectMixin, usage.UsageView):
    """Usage lists every row that refers to this one, across shops (a household is
    referred to by other shops' linkages), so only platform administrators see it."""

    object_actions = ("change",)

    def get_base_object_queryset(self):
        if not is_platform_admin(self.request.user):
            raise PermissionDenied
        return self.scoped_object_queryset()

    def get_object(self):
        return self.check_object(super().get_object())


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every view goes through ``ScopedPermissionPolicy``."""

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_class = ScopedInspectView
    inspect_view_enabled = True  # officers read through it
    copy_view_enabled = False
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple = ()
    inspect_field_labels: dict = {}

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(field_labels=self.inspect_field_labels, **kwargs)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            list_select_related=self.list_select_related,
            list_prefetch_related=self.list_prefetch_related,
            **kwargs,
        )


class ScopedModelForm(WagtailAdminModelForm):
    """An admin model form whose foreign-key choices are limited to the user's scope.

    ``scoped_fields`` maps a field name to the action the user must be allowed on the
    chosen row: "change" for owners (a product's shop must be one the user runs), "view"
    for reference rows (a producer's region must lie in the user's regions). A POSTed
    id outside the choices fails validation like any invalid choice."""

    scoped_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, action in self.scoped_fields.items():
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                field.queryset = scope_queryset(field.queryset.all(), self.for_user, action)
