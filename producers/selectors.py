"""Reads of producers' data."""

from datetime import datetime

from django.db.models import Min, Q
from django.utils import timezone

from core.scoping import VIEW, scope_q

from .masking import ShownHousehold, show_household
from .models import BenefitLinkage, Household, Region


def linkage_in_force(product, at: datetime | None = None) -> BenefitLinkage | None:
    """The linkage version of ``product`` in force at ``at`` (now by default)."""
    return (
        BenefitLinkage.objects.in_force_at(at or timezone.now())
        .filter(product=product)
        .prefetch_related("shares")
        .order_by("-version")
        .first()
    )


def benefited_household_count(product, at: datetime | None = None) -> int:
    """How many households the linkage in force benefits: a count, never names."""
    return households_benefited_by(linkage_in_force(product, at))


def households_benefited_by(linkage: BenefitLinkage | None) -> int:
    """How many households ``linkage`` benefits (its shares prefetched: no query)."""
    if linkage is None:
        return 0
    return sum(1 for share in linkage.shares.all() if share.household_id)


def next_linkage_change(product, after: datetime) -> datetime | None:
    """The first moment after ``after`` at which a version of the product's linkage comes
    into force or ends (a version put in force from a later moment), or None."""
    moments = BenefitLinkage.objects.filter(product=product).aggregate(
        starts=Min("valid_from", filter=Q(valid_from__gt=after)),
        ends=Min("valid_to", filter=Q(valid_to__gt=after)),
    )
    found = [moment for moment in moments.values() if moment is not None]
    return min(found) if found else None


def region_path_names(regions) -> dict[str, list[str]]:
    """The names from the province down to each region (["山东省", "菏泽市", "单县", "浮岗镇",
    "朱楼村"]) for many regions in one query, keyed by region code; a city's "市辖区" left out."""
    regions = list({r.code: r for r in regions if r is not None}.values())
    codes = {c for r in regions for c in r.ancestors_codes()}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    out = {}
    for r in regions:
        parts = [names[c] for c in r.ancestors_codes() if c in names and names[c] != "市辖区"]
        out[r.code] = parts + [r.name]
    return out


def region_paths(regions) -> dict[str, str]:
    """Full names ("山东省 菏泽市 单县 浮岗镇 朱楼村") for many regions in one query,
    keyed by region code."""
    return {code: " ".join(parts) for code, parts in region_path_names(regions).items()}


# --- households' personal data: who is entitled, how they are shown ---------------------------------------------------


def entitled_households_q(user) -> Q | None:
    """THE rule for households' personal data: a viewer is entitled to a household's full
    name and registration number exactly when the household lies in their row scope
    (``core.scoping``, VIEW) — platform administrators, shop operators whose shops' regions
    contain its village, bureau officers whose jurisdiction contains it. Nobody else is,
    however else they reach the household (a linkage, a certification application, a
    statement or a payout of their shop). The one other viewer who sees it in full is the
    household itself, on its own statement after proving who it is (``attribution.views``).
    None: no limit (platform administrators)."""
    return scope_q(Household, user, VIEW)


def households_in_scope(user, ids) -> set[int]:
    """Which of the households ``ids`` ``user`` is entitled to see in full (one query for all
    of them; remembered on the user object for the request, so the pages' ``{% household %}``
    tags ask nothing more)."""
    known: dict[int, bool] | None = getattr(user, "_entitled_households", None)
    if known is None:
        known = user._entitled_households = {}
    wanted = {pk for pk in ids if pk and pk not in known}
    if wanted:
        rule = entitled_households_q(user)
        qs = Household.objects.filter(pk__in=wanted)
        entitled = set((qs if rule is None else qs.filter(rule)).values_list("pk", flat=True))
        known.update({pk: pk in entitled for pk in wanted})
    return {pk for pk in ids if pk and known.get(pk)}


def household_shown_to(user, household: Household) -> ShownHousehold:
    """``household`` as ``user`` sees it: in full if entitled, masked otherwise."""
    return show_household(household, entitled=household.pk in households_in_scope(user, [household.pk]))
