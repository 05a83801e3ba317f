"""Traceability (溯源): production batches of a product, from village to buyer.

A **batch** (生产批次) is what a producer harvested or made at one time in one place: its
origin (village and, optionally, plot or base), date, quantity in the product's sale units,
shelf life, inspection reports (private files served by scope) and the households and
collectives that supplied it (from the benefit linkage in force, adjustable within it). It
carries a **trace code** printed as a QR code on labels; on request a sheet of numbered
**unit codes** (one per box), each counting its scans so that a copied label shows up (its
first scan's time is shown). At shipping an order line records the batch it was packed from
(``orders.OrderLine.batch``), so the buyer's order page links the batch's trace page and a
recall lists the orders of a batch."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import Scope

# Trace codes: readable, unambiguous (no O/0/I/1), short enough to type from a label.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BATCH_CODE_LENGTH = 10
UNIT_CODE_LENGTH = 12


def private_storage():
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)


class Batch(models.Model):
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="batches", verbose_name=_("产品")
    )
    producer = models.ForeignKey(
        "producers.Producer", on_delete=models.PROTECT, related_name="batches", verbose_name=_("生产主体")
    )
    code = models.CharField(_("溯源码"), max_length=16, unique=True)
    origin = models.ForeignKey(
        "producers.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("产地（村）"),
    )
    origin_place = models.CharField(_("地块或基地"), max_length=120, blank=True)
    produced_on = models.DateField(_("采收或生产日期"))
    quantity = models.PositiveIntegerField(_("批次数量"), help_text=_("按产品销售单位计，如 200 箱。"))
    shelf_life_days = models.PositiveSmallIntegerField(_("保质期（天）"))
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, help_text=_("关闭后发货时不再可选。"))
    scan_count = models.PositiveIntegerField(_("扫码次数"), default=0)
    first_scanned_at = models.DateTimeField(_("首次扫码"), null=True, blank=True)

    scope = Scope(shop="product__shop", region="producer__region")

    class Meta:
        verbose_name = _("生产批次")
        verbose_name_plural = pgettext_lazy("plural", "生产批次")
        ordering = ["-produced_on", "-pk"]
        indexes = [models.Index(fields=["product", "produced_on"], name="batch_product_day")]

    def __str__(self) -> str:
        return f"{self.code}（{self.produced_on:%Y-%m-%d}）"


class BatchSupplier(models.Model):
    """A household or collective that supplied the batch (one of the linkage's beneficiaries)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="suppliers")
    household = models.ForeignKey(
        "producers.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    collective = models.ForeignKey(
        "producers.Collective", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("批次供货户")
        verbose_name_plural = pgettext_lazy("plural", "批次供货户")
        constraints = [
            models.CheckConstraint(
                condition=Q(household__isnull=False, collective__isnull=True)
                | Q(household__isnull=True, collective__isnull=False),
                name="batch_supplier_one_kind",
            ),
            models.UniqueConstraint(fields=["batch", "household"], name="batch_supplier_household_once"),
            models.UniqueConstraint(fields=["batch", "collective"], name="batch_supplier_collective_once"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.household_id or self.collective_id}"


class InspectionReport(models.Model):
    """An inspection report of a batch (检测报告): a PDF or picture, checked by content
    (``core.uploads``), stored privately and served only to those in scope."""

    class Result(models.TextChoices):
        PASSED = "passed", _("合格")
        FAILED = "failed", _("不合格")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("批次"))
    agency = models.CharField(_("检测机构"), max_length=120)
    inspected_on = models.DateField(_("检测日期"))
    result = models.CharField(_("检测结论"), max_length=8, choices=Result.choices)
    file = models.FileField(_("报告文件"), upload_to="inspections/%Y/%m/", storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检测报告")
        verbose_name_plural = pgettext_lazy("plural", "检测报告")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.inspected_on:%Y-%m-%d}"


class UnitCode(models.Model):
    """One numbered code of a batch's label sheet (一物一码): its scans expose a copied label."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="unit_codes")
    serial = models.PositiveIntegerField(_("序号"))
    code = models.CharField(_("单品码"), max_length=16, unique=True)
    scan_count = models.PositiveIntegerField(_("扫码次数"), default=0)
    first_scanned_at = models.DateTimeField(_("首次扫码"), null=True, blank=True)
    last_scanned_at = models.DateTimeField(_("最近扫码"), null=True, blank=True)

    class Meta:
        verbose_name = _("单品码")
        verbose_name_plural = pgettext_lazy("plural", "单品码")
        ordering = ["batch", "serial"]
        constraints = [models.UniqueConstraint(fields=["batch", "serial"], name="unit_code_serial_once")]

    def __str__(self) -> str:
        return self.code
