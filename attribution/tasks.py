import logging

from celery import shared_task
from django.core.mail import mail_admins
from django.utils.translation import gettext as _

from .audit import audit_ledger
from .lookup import purge_lookup_counters

logger = logging.getLogger(__name__)


@shared_task(name="attribution.audit_ledger", ignore_result=False)
def audit_ledger_task() -> dict:
    """Nightly reconciliation of the ledger (Celery beat). Discrepancies are logged as
    errors and mailed to ADMINS; the result says how many."""
    report = audit_ledger()
    result = {
        "entries": report.entries,
        "lines": report.lines,
        "orders": report.orders,
        "discrepancies": len(report.discrepancies),
        "seconds": round(report.seconds, 3),
    }
    if report.ok:
        logger.info("ledger audit: %s", result)
        return result
    details = "\n".join(str(d) for d in report.discrepancies[:500])
    logger.error("ledger audit found %d discrepancies:\n%s", len(report.discrepancies), details)
    mail_admins(_("收益台账核对发现 %(count)s 处差异") % {"count": len(report.discrepancies)}, details)
    return result


@shared_task(name="attribution.purge_statement_lookups")
def purge_statement_lookups_task() -> int:
    """Nightly: delete the household lookup counters whose window has passed."""
    return purge_lookup_counters()
