"""Whether the storefront may show and sell a product: what ``Product.objects.listed()``
means, decided here and nowhere else.

A product is listed when its shop lists it, the shop is active, **and** every condition
registered here holds. Certification registers the one that matters most — "holds a
certificate valid today (Asia/Shanghai)" (``certification/apps.py``): certification sits
above catalog (a certificate points at a product), so catalog asks through this hook rather
than importing it. Each condition is built afresh for every query, so "today" is the
day of the query and a revoked or lapsed certificate hides the product at once.

Fail-closed: with no condition registered (certification not installed), ``listed()``
raises rather than list products nobody has certified."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Expression, Q

Condition = Callable[[], Q | Expression]

_conditions: dict[str, Condition] = {}


def add_listing_condition(name: str, condition: Condition) -> None:
    """Require ``condition()`` (a filter on products) of every listed product."""
    _conditions[name] = condition


def listing_conditions() -> list[Q | Expression]:
    if not _conditions:
        raise ImproperlyConfigured("没有上架条件 (no listing condition registered): install the certification app.")
    return [build() for build in _conditions.values()]
