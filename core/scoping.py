"""Row-level data scoping, in one place, used by the admin and by views alike.

Each scoped model declares ``scope = Scope(shop=..., region=...)``: the lookup paths from
the model to the shop that owns it and to the region it belongs to. The rules:

* platform administrators (superusers or the platform_admin group) see and change all;
* a shop operator sees and changes the rows of the shops they operate; rows owned by no
  shop (households, collectives, regions) they see and change within their shops' regions;
* a bureau officer *sees* the rows whose region lies in their bureau's region or under
  it, and changes none of them (officers cannot edit shop content);
* anybody else gets nothing.

Regions are keyed by official division codes, which nest by prefix (37 > 3717 > 371702 >
371702001 > 371702001201), so "in or under a region" is a ``code__startswith`` filter.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from .roles import Role, roles_of

VIEW = "view"
CHANGE_ACTIONS = frozenset({"add", "change", "delete", "publish"})


@dataclass(frozen=True)
class Scope:
    shop: str | None = None  # lookup path to catalog.Shop ("" for the Shop model itself)
    region: str | None = None  # lookup path to producers.Region ("" for Region itself)


def _path(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


def operated_shop_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_operated_shops", None)
    if cached is None:
        # Through the user's side of Shop.operators: the kernel names no app above it.
        cached = list(user.operated_shops.values_list("pk", "region__code"))
        user._operated_shops = cached
    return [pk for pk, _code in cached]


def operated_region_codes(user) -> list[str]:
    if not operated_shop_ids(user):
        return []
    return sorted({code for _pk, code in user._operated_shops})


def jurisdiction_code(user) -> str | None:
    """The region code an officer's bureau covers, or None."""
    if Role.BUREAU_OFFICER not in roles_of(user) or not user.bureau_id:
        return None
    cached = getattr(user, "_jurisdiction_code", None)
    if cached is None:
        cached = user.bureau.region.code
        user._jurisdiction_code = cached
    return cached


def region_within(path: str, codes: list[str]) -> Q:
    """Rows whose region (at ``path``) lies in or under any of ``codes``."""
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{_path(path, "code__startswith"): code})
    return q


def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.PLATFORM_ADMIN in roles_of(user)


def require_platform_admin(user) -> None:
    """A view's guard for pages only platform administrators open: 403 for anyone else."""
    if not is_platform_admin(user):
        raise PermissionDenied


def scope_q(model: type[Model], user, action: str = VIEW) -> Q | None:
    """The filter limiting ``model`` rows to what ``user`` may do ``action`` to.

    Returns None when no limit applies (platform administrators, unscoped models read)."""
    scope: Scope | None = getattr(model, "scope", None)
    if is_platform_admin(user):
        return None
    nothing = Q(pk__in=[])
    if not getattr(user, "is_authenticated", False):
        return nothing
    if scope is None:
        # Reference data (categories): everyone signed in reads it, only admins change it.
        return None if action == VIEW else nothing
    roles = roles_of(user)
    q = nothing
    if Role.SHOP_OPERATOR in roles:
        if scope.shop is not None:
            q |= Q(**{_path(scope.shop, "pk__in"): operated_shop_ids(user)})
        elif scope.region is not None:
            q |= region_within(scope.region, operated_region_codes(user))
    if Role.BUREAU_OFFICER in roles and action == VIEW and scope.region is not None:
        code = jurisdiction_code(user)
        if code:
            q |= Q(**{_path(scope.region, "code__startswith"): code})
    return q


def scope_queryset(qs: QuerySet, user, action: str = VIEW) -> QuerySet:
    """``qs`` limited to the rows ``user`` may do ``action`` to."""
    q = scope_q(qs.model, user, action)
    return qs if q is None else qs.filter(q)


def user_can(user, action: str, obj: Model) -> bool:
    """Whether ``user`` may do ``action`` to this one row (model permission aside)."""
    q = scope_q(type(obj), user, action)
    if q is None:
        return True
    return type(obj)._default_manager.filter(q, pk=obj.pk).exists()
