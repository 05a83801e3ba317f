"""Who may see and who may manage which live events.

Seeing goes through the one row-scoping module (``accounts.scoping``) with
``LiveEvent.scope``: platform administrators see all; shop operators the events of the
shops they run (a bureau's event featuring their products included); bureau officers the
events whose region lies in their jurisdiction — a bureau's event for a region in it, or a
shops' event all of whose shops are in it (its region is the smallest holding them all).

Managing (editing, featured products, start/end, viewer tokens, totals) is narrower, and
decided here on top of the model permissions of ``roles.py``:

* platform administrators: every event;
* shop operators: shops' events all of whose shops they run (a joint event of shops of
  different operators is the platform's to manage; each of them still sees it);
* bureau officers: the events their own bureau organises. Officers never manage a shops'
  event: they do not edit shop content.
"""

from django.db.models import Q, QuerySet

from catalog.models import Shop
from core.roles import Role, roles_of
from core.scoping import VIEW, is_platform_admin, operated_shop_ids, scope_queryset

from .models import LiveEvent


def events_visible_to(user) -> QuerySet[LiveEvent]:
    """The events ``user`` may see (and read the results of), each once."""
    if is_platform_admin(user):
        return LiveEvent.objects.all()
    # The shop path goes through a many-to-many: de-duplicate by id.
    return LiveEvent.objects.filter(pk__in=scope_queryset(LiveEvent.objects.all(), user, VIEW).values("pk"))


def events_managed_by(user) -> QuerySet[LiveEvent]:
    """The events ``user`` may change."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("live.change_liveevent"):
        return LiveEvent.objects.none()
    if is_platform_admin(user):
        return LiveEvent.objects.all()
    roles = roles_of(user)
    q = Q(pk__in=[])
    if Role.SHOP_OPERATOR in roles:
        mine = operated_shop_ids(user)
        q |= Q(
            pk__in=LiveEvent.objects.filter(organiser_bureau__isnull=True, shops__in=mine)
            .exclude(shops__in=Shop.objects.exclude(pk__in=mine))
            .values("pk")
        )
    if Role.BUREAU_OFFICER in roles and user.bureau_id:
        q |= Q(organiser_bureau_id=user.bureau_id)
    return LiveEvent.objects.filter(q)


def may_manage(user, event: LiveEvent) -> bool:
    return events_managed_by(user).filter(pk=event.pk).exists()


def may_create(user) -> bool:
    """Whether ``user`` may create events at all (for which shops or region: ``services``)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("live.add_liveevent"):
        return False
    roles = roles_of(user)
    return (
        is_platform_admin(user)
        or (Role.SHOP_OPERATOR in roles and bool(operated_shop_ids(user)))
        or (Role.BUREAU_OFFICER in roles and bool(user.bureau_id))
    )
