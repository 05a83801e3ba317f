"""Reading pairings: which a person may see."""

from django.db.models import Q

from core.roles import Role, roles_of
from core.scoping import is_platform_admin, jurisdiction_code

from .models import Pairing


def _on_one_line(path: str, code: str) -> Q:
    """Rows whose region at ``path`` lies in or under ``code``, or contains it (codes nest
    by prefix: 37 > 3717 > 371722)."""
    q = Q(**{f"{path}__code__startswith": code})
    for n in range(2, len(code), 2):  # the province, the city … above it
        q |= Q(**{f"{path}__code": code[:n]})
    return q | Q(**{f"{path}__code": code})


def visibility_q(user) -> Q | None:
    """The pairings ``user`` reads (None: all). A bureau officer reads those whose helping or
    helped side is its region, above it or under it — the bureaus of both sides, and the
    counties inside a city's pairing; a helping organisation counts where it is. Anybody
    else (operators, buyers) reads none; platform administrators read all."""
    if is_platform_admin(user):
        return None
    code = jurisdiction_code(user) if Role.BUREAU_OFFICER in roles_of(user) else None
    if not code:
        return Q(pk__in=[])
    return (
        _on_one_line("helped_region", code)
        | _on_one_line("helping_region", code)
        | _on_one_line("helping_organisation__region", code)
    )


def pairings_for(user):
    q = visibility_q(user)
    qs = Pairing.objects.select_related("helping_region", "helping_organisation__region", "helped_region")
    return qs if q is None else qs.filter(q)
