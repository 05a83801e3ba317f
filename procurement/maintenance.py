"""Removing rows for the demo's reset (``demo.builder.reset_demo``)."""

from .models import Acceptance, Organisation, OrganisationOrder


def purge_organisation_orders(order_ids) -> None:
    """Forget which organisation these orders were for and their parcels' acceptances (before
    the orders and their after-sales requests go)."""
    order_ids = list(order_ids)
    Acceptance.objects.filter(suborder__order_id__in=order_ids).delete()
    OrganisationOrder.objects.filter(order_id__in=order_ids).delete()


def purge_organisations(credit_codes) -> None:
    """Delete these organisations with their members, invitations and quotas (their orders'
    records are purged first)."""
    Organisation.objects.filter(credit_code__in=list(credit_codes)).delete()
