"""Product certification (扶贫产品认定): applications, evidence, certificates and an
append-only audit trail of every transition."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import Scope
from producers.models import BenefitMode


def private_storage():
    """Evidence can name households, so it lives outside MEDIA_ROOT and is served only
    through a view that checks the viewer's scope."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审核中")
    CERTIFIED = "certified", _("已认定")
    REJECTED = "rejected", _("未通过")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")


class Application(models.Model):
    """An operator's application to certify one product of one producer.

    Its ``status`` moves only through ``transitions.apply_transition``."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="certification_applications", verbose_name=_("产品")
    )
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="+", verbose_name=_("申报主体")
    )
    benefit_modes = models.JSONField(_("联结方式"), default=list)
    households_count = models.PositiveIntegerField(_("带贫户数"))
    linkage = models.ForeignKey(
        "producers.BenefitLinkage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("利益联结版本"),
    )
    renewal_of = models.ForeignKey(
        "Certificate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("续期自"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    decision_note = models.TextField(_("审核意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申报人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    scope = Scope(shop="product__shop", region="producer__region")

    class Meta:
        verbose_name = _("认定申请")
        verbose_name_plural = pgettext_lazy("plural", "认定申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.product} · {self.get_status_display()}"

    def benefit_mode_labels(self) -> list[str]:
        labels = dict(BenefitMode.choices)
        return [str(labels.get(m, m)) for m in self.benefit_modes]


class Evidence(models.Model):
    """A supporting document: compliance certificate, photo, roster, agreement.
    Checked by content on upload (``uploads.py``)."""

    class Kind(models.TextChoices):
        COMPLIANCE = "compliance", _("食用农产品合格证")
        PHOTO = "photo", _("产品/基地照片")
        ROSTER = "roster", _("带贫户名册")
        AGREEMENT = "agreement", _("收购协议")
        OTHER = "other", _("其他")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("材料类型"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/", storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(shop="application__product__shop", region="application__producer__region")

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = pgettext_lazy("plural", "申报材料")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day) -> "CertificateQuerySet":
        """Certificates in force on ``day`` (a date in Asia/Shanghai): not revoked, within
        their validity dates. Expiry is read from the dates, never from a flag a job sets."""
        return self.filter(revoked_at__isnull=True, valid_from__lte=day, valid_until__gte=day)

    def valid_now(self) -> "CertificateQuerySet":
        return self.valid_on(timezone.localdate())

    def valid_at(self, at) -> "CertificateQuerySet":
        """Certificates in force at the moment ``at``: within their validity dates on that
        Shanghai day and not revoked before it (a sale reported afterwards, such as an
        offline point's, keeps the status it had when it was made)."""
        day = timezone.localtime(at).date()
        return self.filter(valid_from__lte=day, valid_until__gte=day).filter(
            models.Q(revoked_at__isnull=True) | models.Q(revoked_at__gt=at)
        )


class Certificate(models.Model):
    """A certificate issued to a product (扶贫产品认定证书). Valid from ``valid_from`` to
    ``valid_until`` inclusive (Asia/Shanghai dates) unless revoked."""

    number = models.CharField(_("证书编号"), max_length=32, unique=True)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="certificate")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("产品")
    )
    producer = models.ForeignKey("producers.Producer", on_delete=models.PROTECT, related_name="certificates")
    bureau = models.ForeignKey(
        "accounts.Bureau", on_delete=models.PROTECT, related_name="certificates", verbose_name=_("认定部门")
    )
    issued_at = models.DateTimeField(_("发证时间"), default=timezone.now)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.TextField(_("撤销原因"), blank=True)
    expiry_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateQuerySet.as_manager()
    scope = Scope(shop="product__shop", region="producer__region")

    class Meta:
        verbose_name = _("认定证书")
        verbose_name_plural = pgettext_lazy("plural", "认定证书")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["product", "valid_until"]),
            # The public catalogue's order (newest issued first), read backwards page by page.
            models.Index(fields=["issued_at", "id"], name="certification_cert_issued"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="certificate_dates"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_at(self, at) -> bool:
        """``CertificateQuerySet.valid_at`` for a certificate already read (the same rule,
        for checking many moments against rows loaded once)."""
        day = timezone.localtime(at).date()
        return self.valid_from <= day <= self.valid_until and (self.revoked_at is None or self.revoked_at > at)

    def state_on(self, day) -> str:
        if self.revoked_at is not None:
            return Status.REVOKED
        if day > self.valid_until:
            return Status.EXPIRED
        if day < self.valid_from:
            return "pending"
        return Status.CERTIFIED

    @property
    def state_now(self) -> str:
        return self.state_on(timezone.localdate())


class CertificateSequence(models.Model):
    """The last certificate number used per issuing region and year; rows are locked to
    number certificates without gaps or duplicates."""

    region_code = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region_code", "year"], name="certificate_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.region_code}/{self.year}: {self.last}"


class AuditImmutable(Exception):
    pass


class TransitionRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("审核记录只能新增，不能修改。")

    def delete(self):
        raise AuditImmutable("审核记录不能删除。")


class TransitionRecord(models.Model):
    """One line of the audit trail: who moved which application from which state to
    which, when, and why. Written once; never updated or deleted."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="history")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)

    objects = TransitionRecordQuerySet.as_manager()
    append_only = True  # the database refuses changes too (core/append_only.py)
    scope = Scope(shop="application__product__shop", region="application__producer__region")

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = pgettext_lazy("plural", "审核记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.from_status} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditImmutable("审核记录只能新增，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("审核记录不能删除。")


class ExpiryNotice(models.Model):
    """That an operator was told a certificate expires in N days; sent once per N."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="expiry_notices")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["certificate", "days_before"], name="expiry_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} −{self.days_before}d"
