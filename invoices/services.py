"""Asking for, issuing and checking invoices (发票).

* ``request_invoice``: the buyer of a paid parcel asks for an invoice, with their details
  (checked here: the kinds a buyer may ask for, the details a 专用发票 needs, the tax id and
  the account number through ``core.validators``).
* ``apply``: the one function that moves a request through ``transitions.TRANSITIONS``, as
  the buyer, the shop's operator or a platform administrator. Issuing takes the invoice's
  number and, for an electronic one, its file (PDF or OFD, judged by content through
  ``core.uploads``), and fixes the amount: the parcel's paid amount net of refunds.

Every function locks the order first (``orders.locking.lock_order``), then the request, so
two people acting at once queue, and the second finds the request already moved. Every
refusal is a ``DomainError`` saying why; nothing is written then."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.uploads import INVOICE_REFUSED, INVOICE_TYPES, check_upload
from core.validators import validate_account_number, validate_credit_code
from orders.emails import email_after_commit
from orders.locking import lock_order
from orders.models import SubOrder

from . import selectors
from .models import NOTE_MAX, Invoice, InvoiceStep
from .states import Kind, Medium, Status, TitleType
from .transitions import TRANSITIONS, Actor

# 发票号码: 8 digits on the old-style invoices (with a 10- or 12-digit 发票代码 beside it),
# 20 digits on 全电发票 (fully digital invoices, no code).
INVOICE_NUMBER = re.compile(r"[0-9]{8}|[0-9]{20}")
ISSUED_EMAIL = "invoice_issued"


class FileRefused(DomainError):
    """The invoice file is not a PDF or OFD we take, or too large; nothing was saved."""


def _one_line(value, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _step(invoice: Invoice, action: str, from_status: str, *, by, actor: Actor, note: str = "") -> InvoiceStep:
    return InvoiceStep.objects.create(
        invoice=invoice,
        action=action,
        from_status=from_status,
        to_status=invoice.status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_role=actor.value,
        note=note[:300],
        at=timezone.now(),
    )


# --- asking ------------------------------------------------------------------------------------------------------


def clean_details(order, *, kind: str, title_type: str, details: dict) -> dict:
    """The buyer's invoice details, checked against the rules for ``kind``; raises
    ``DomainError`` with the first problem. Returns the values to store."""
    if kind not in Kind.values:
        raise DomainError(_("请选择发票类型。"))
    if kind not in selectors.kinds_for(order):
        raise DomainError(_("个人买家只能申请普通发票；增值税专用发票仅向单位开具。"))
    if kind == Kind.SPECIAL:
        title_type = TitleType.COMPANY
    if title_type not in selectors.title_types_for(order):
        raise DomainError(
            _("请选择抬头类型。") if title_type not in TitleType.values else _("单位订单的发票抬头须为单位。")
        )
    values = {
        "title": _one_line(details.get("title"), 100),
        "tax_id": "".join(str(details.get("tax_id") or "").split()).upper()[:20],
        "address": _one_line(details.get("address"), 200),
        "phone": _one_line(details.get("phone"), 30),
        "bank": _one_line(details.get("bank"), 100),
        "account": " ".join(str(details.get("account") or "").split())[:40],
        "email": str(details.get("email") or "").strip()[:254],
    }
    if not values["title"]:
        raise DomainError(_("请填写发票抬头。"))
    needs_tax_id = title_type == TitleType.COMPANY
    if needs_tax_id and not values["tax_id"]:
        raise DomainError(_("单位抬头须填写纳税人识别号。"))
    if values["tax_id"]:
        try:
            validate_credit_code(values["tax_id"])
        except ValidationError as exc:
            raise DomainError(_("纳税人识别号有误：%(error)s") % {"error": " ".join(exc.messages)}) from exc
    if kind == Kind.SPECIAL:
        labels = {"address": _("地址"), "phone": _("电话"), "bank": _("开户行"), "account": _("账号")}
        missing = [str(label) for field, label in labels.items() if not values[field]]
        if missing:
            raise DomainError(_("增值税专用发票须填写：%(fields)s。") % {"fields": "、".join(missing)})
    if values["account"]:
        try:
            validate_account_number(values["account"])
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        values["account"] = values["account"].replace(" ", "")
    if not values["email"]:
        raise DomainError(_("请填写接收发票的邮箱。"))
    try:
        validate_email(values["email"])
    except ValidationError as exc:
        raise DomainError(_("接收发票的邮箱格式不正确。")) from exc
    values["title_type"] = title_type
    return values


@transaction.atomic
def request_invoice(
    suborder_id: int, *, by, token: str | None = None, kind: str, title_type: str, **details
) -> Invoice:
    """The buyer (signed in, or holding the order's secret ``token``) asks for an invoice of
    one parcel. Refused with a ``DomainError`` — before anything is written — when the
    order is not paid, the parcel is cancelled or refunded, an active request exists, or
    the details break the rules (``clean_details``)."""
    order_id = SubOrder.objects.filter(pk=suborder_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainError(_("包裹不存在。"))
    order, _products = lock_order(order_id)
    suborder = SubOrder.objects.select_related("shop").get(pk=suborder_id)
    if Actor.BUYER not in selectors.actors_of(by, Invoice(order=order, suborder=suborder), token=token):
        raise DomainError(_("只有下单的买家可以申请开票。"))
    problem = selectors.why_not(suborder, order)
    if problem:
        raise DomainError(problem)
    if selectors.active_for(suborder.pk) is not None:
        raise DomainError(_("这个包裹已有开票申请，请在申请页查看进度。"))
    values = clean_details(order, kind=kind, title_type=title_type, details=details)
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                order=order,
                suborder=suborder,
                kind=kind,
                status=Status.REQUESTED,
                requested_by=by if getattr(by, "is_authenticated", False) else None,
                **values,
            )
    except IntegrityError as exc:  # the one-active-request constraint, raced
        raise DomainError(_("这个包裹已有开票申请，请在申请页查看进度。")) from exc
    with translation.override(settings.LANGUAGE_CODE):  # the history is kept in the source language
        note = f"{invoice.get_kind_display()}：{invoice.title}"
    _step(invoice, "request", "", by=by, actor=Actor.BUYER, note=note)
    return invoice


# --- moving ------------------------------------------------------------------------------------------------------


def _locked(invoice_id: int) -> Invoice:
    order_id = Invoice.objects.filter(pk=invoice_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainError(_("开票申请不存在。"))
    lock_order(order_id)
    return Invoice.objects.select_for_update().select_related("order", "suborder__shop").get(pk=invoice_id)


def _issue_changes(invoice: Invoice, *, medium: str, number: str, file: UploadedFile | None) -> dict:
    """What issuing writes: the medium, the number, the file of an electronic invoice (checked
    by content) and the amount (the parcel's paid amount net of refunds, now)."""
    if medium not in Medium.values:
        raise DomainError(_("请选择开具方式：电子发票或纸质发票。"))
    number = "".join(str(number or "").split())
    if not INVOICE_NUMBER.fullmatch(number):
        raise DomainError(_("发票号码应为 8 位数字（旧版发票）或 20 位数字（全电发票）。"))
    problem = selectors.why_not(invoice.suborder, invoice.order)
    if problem:
        raise DomainError(problem)
    amount = selectors.amount_due(invoice.suborder)
    if amount <= 0:
        raise DomainError(_("该包裹已全部退款，没有可开票的金额。"))
    changes = {
        "medium": medium,
        "number": number,
        "amount_fen": amount,
        "file": None,
        "original_name": "",
        "content_type": "",
        "size": None,
    }
    if medium == Medium.ELECTRONIC:
        if file is None:
            raise FileRefused(_("电子发票须上传发票文件（PDF 或 OFD）。"))
        try:
            checked = check_upload(file, allowed=INVOICE_TYPES, refused=INVOICE_REFUSED)
        except DomainError as exc:
            raise FileRefused(str(exc)) from exc
        changes.update(
            file=checked.file,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
        )
    elif file is not None:
        raise FileRefused(_("纸质发票只登记号码，不需要上传文件。"))
    return changes


@transaction.atomic
def apply(
    invoice_id: int,
    action: str,
    *,
    by,
    actor: Actor,
    token: str | None = None,
    note: str = "",
    medium: str = "",
    number: str = "",
    file: UploadedFile | None = None,
) -> Invoice:
    """Move a request by ``action`` of ``transitions.TRANSITIONS`` as ``actor`` — checked
    against ``by`` (a user) and the order's secret ``token``. Sending an invoice back needs
    ``note`` (the reason, up to 200 characters); issuing needs ``medium``, ``number`` and,
    for an electronic invoice, ``file``. Raises ``DomainError`` with the reason for anything
    not allowed; nothing changes then."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("未知的操作：%(action)s。") % {"action": action})
    if actor not in transition.actors:
        raise DomainError(_("「%(action)s」不能由该身份办理。") % {"action": transition.label})
    invoice = _locked(invoice_id)
    if actor not in selectors.actors_of(by, invoice, token=token):
        raise DomainError(_("无权办理该开票申请。"))
    if invoice.status not in transition.sources:
        raise DomainError(
            _("开票申请当前状态为「%(status)s」，不能「%(action)s」。可能已被他人处理，请刷新后查看。")
            % {"status": invoice.get_status_display(), "action": transition.label}
        )
    note = _one_line(note, NOTE_MAX + 1)
    if len(note) > NOTE_MAX:
        raise DomainError(_("说明最多 %(max)s 字。") % {"max": NOTE_MAX})
    if transition.needs_note and not note:
        raise DomainError(_("请填写退回理由。"))
    changes: dict = {}
    if transition.needs_issue:
        changes = _issue_changes(invoice, medium=medium, number=number, file=file)
        changes.update(issued_by=by if getattr(by, "is_authenticated", False) else None, issued_at=timezone.now())
        with translation.override(settings.LANGUAGE_CODE):
            note = f"{Medium(medium).label} {changes['number']}"
    if action == "reject":
        changes["reject_reason"] = note
    old_file = invoice.file.name if transition.needs_issue and invoice.file else ""
    from_status = invoice.status
    invoice.status = transition.target
    for field, value in changes.items():
        setattr(invoice, field, value)
    invoice.save()
    _step(invoice, action, from_status, by=by, actor=actor, note=note)
    if old_file:  # the invoice sent back is replaced: its file goes once this commits
        storage = invoice.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    if action == "issue":
        email_after_commit(ISSUED_EMAIL, invoice.order_id, invoice_id=invoice.pk)
    return invoice
