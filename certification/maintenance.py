"""Wiping certification rows, for ``load_demo --reset`` only.

The audit trail is append-only: the model and its query set refuse updates and
deletes, and on PostgreSQL privileges and triggers refuse them too (``core/append_only.py``).
Rebuilding demo data is the one deliberate exception; it goes through here, in one
transaction, signed in as the table's owner (``load_demo --reset`` is), which switches the
row trigger off for that transaction only, and nowhere else. The application's role is
refused ("must be owner")."""

from django.db import connection, transaction

from core.append_only import purging

from .models import Application, Certificate, CertificateSequence, Evidence, ExpiryNotice, TransitionRecord


@transaction.atomic
def purge_for_products(product_ids: list[int]) -> int:
    """Delete every application, certificate, evidence file and audit record of these
    products. Returns how many applications went."""
    apps = list(Application.objects.filter(product_id__in=product_ids).values_list("pk", flat=True))
    if not apps:
        return 0
    for evidence in Evidence.objects.filter(application_id__in=apps):
        evidence.file.delete(save=False)
    table = TransitionRecord._meta.db_table
    with purging(table), connection.cursor() as cursor:
        for start in range(0, len(apps), 2000):
            part = apps[start : start + 2000]
            placeholders = ",".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {table} WHERE application_id IN ({placeholders})", part)
    ExpiryNotice.objects.filter(certificate__application_id__in=apps).delete()
    Application.objects.filter(pk__in=apps).update(renewal_of=None)
    Certificate.objects.filter(application_id__in=apps).delete()
    Evidence.objects.filter(application_id__in=apps).delete()
    Application.objects.filter(pk__in=apps).delete()
    if not Certificate.objects.exists():
        CertificateSequence.objects.all().delete()  # numbering starts again at 1
    return len(apps)
