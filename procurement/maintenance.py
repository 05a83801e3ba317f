"""Removing rows for the demo's reset (``demo.builder.reset_demo``)."""

from .models import Organisation, OrganisationOrder


def purge_organisation_orders(order_ids) -> None:
    """Forget which organisation these orders were for (before the orders themselves go)."""
    OrganisationOrder.objects.filter(order_id__in=list(order_ids)).delete()


def purge_organisations(credit_codes) -> None:
    """Delete these organisations with their members, invitations and quotas (their orders'
    records are purged first)."""
    Organisation.objects.filter(credit_code__in=list(credit_codes)).delete()
