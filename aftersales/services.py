"""Asking for, deciding and closing after-sales requests (售后).

* ``create_request``: the buyer asks for some lines of one parcel, with a reason and photos.
* ``apply``: the one function that moves a request through ``transitions.TRANSITIONS``, as
  the buyer, the shop's operator, a platform administrator or the system; every move is an
  ``AfterSaleStep``, a line of the order's history and a message to both sides.
* A request reaching 退款中 starts the money going back through the payments app's one
  refund path (``_start_refund``): online payments through the provider that took the
  money, at once (``payments.providers.refund_provider(order).refund``: Stripe, or
  WeChat Pay / Alipay contracted directly; the request is 已退款 when the provider
  confirms the refund, ``on_refund_confirmed``); a bank transfer is paid
  back by whoever handles the order's money and recorded with ``record_hand_refund``
  (``payments.services.refund_by_hand``). Either way the refund books the lines back: stock
  where the parcel had not shipped, units sold, the order's refunded total, and the ledger's
  reversing entries.
* ``move_overdue`` (Celery beat): a request nobody answered in time moves on —
  to the platform, or closed (``transitions.ON_DEADLINE``).

Every function locks the order first (``orders.locking.lock_order``), then the request, the
same order the refund path takes, so concurrent decisions and refunds queue instead of
deadlocking, and the second of two decisions finds the request already moved."""

import datetime as dt
import logging
import secrets
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import yuan
from core.uploads import IMAGE_REFUSED, IMAGE_TYPES, check_upload
from orders.locking import lock_order
from orders.models import OrderLine, OrderStatus, PaymentMethod, SubOrder
from orders.services import can_handle_money, log_after_sale
from payments import services as payments
from payments.models import Refund
from payments.providers import refund_provider

from . import selectors
from .models import DESCRIPTION_MAX, MAX_PHOTOS, NOTE_MAX, AfterSale, AfterSaleLine, AfterSalePhoto, AfterSaleStep
from .notify import notify_after_commit
from .states import PHOTO_REQUIRED, Kind, Reason, Status
from .transitions import ON_DEADLINE, TRANSITIONS, Actor

logger = logging.getLogger(__name__)

OVERDUE_BATCH = 200


class PhotoRefused(DomainError):
    """One of the photos is not an image we take, or too large; nothing was saved."""


def _new_number() -> str:
    # "AS" + date (Asia/Shanghai) + 8 random digits, like order numbers: no shared counter.
    return "AS" + timezone.localdate().strftime("%Y%m%d") + f"{secrets.randbelow(10**8):08d}"


def deadline_for(status: str, now: dt.datetime) -> dt.datetime | None:
    """When whoever a request in ``status`` waits on must have acted (None: no clock)."""
    if status == Status.REQUESTED:
        return now + dt.timedelta(hours=settings.AFTER_SALES_REPLY_HOURS)
    if status == Status.AWAITING_RETURN:
        return now + dt.timedelta(days=settings.AFTER_SALES_RETURN_DAYS)
    if status == Status.RETURN_SHIPPED:
        return now + dt.timedelta(days=settings.AFTER_SALES_RECEIVE_DAYS)
    if status == Status.REFUSED:
        return now + dt.timedelta(days=settings.AFTER_SALES_DISPUTE_DAYS)
    return None


def _step(after_sale: AfterSale, action: str, from_status: str, *, by, actor: Actor, note: str = "") -> AfterSaleStep:
    """Write the step in the request's history and the order's, and tell both sides."""
    now = timezone.now()
    step = AfterSaleStep.objects.create(
        after_sale=after_sale,
        action=action,
        from_status=from_status,
        to_status=after_sale.status,
        actor=by if getattr(by, "is_authenticated", False) else None,
        actor_role=actor.value,
        note=note[:300],
        at=now,
    )
    with translation.override(settings.LANGUAGE_CODE):  # the order history is kept in the source language
        what = f"{after_sale.get_kind_display()} {yuan(after_sale.amount_fen)}"
        summary = f"售后单 {after_sale.number}（{what}）：{step.get_action_label()}"
    log_after_sale(
        after_sale.order_id,
        after_sale.suborder_id,
        from_status=from_status,
        to_status=after_sale.status,
        by=by,
        note=f"{summary}。{note}" if note else summary,
    )
    notify_after_commit(step.pk)
    return step


# --- asking ------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_request(
    suborder_id: int,
    *,
    by,
    token: str | None = None,
    kind: str,
    reason: str,
    description: str = "",
    lines: Mapping[int, int],
    photos: Sequence[UploadedFile] = (),
) -> AfterSale:
    """The buyer (signed in, or holding the order's secret ``token``) asks for ``lines``
    ({order-line id: units}) of one parcel back. Refused with a ``DomainError`` saying why
    — before anything is written — when the order is not paid, the parcel is refunded or
    past the window, a line is not of this parcel or asks for more units than are left
    (bought, less refunded, less open requests), a reason needs a photo and has none, or a
    photo is not an image we take (``PhotoRefused``)."""
    order_id = SubOrder.objects.filter(pk=suborder_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainError(_("包裹不存在。"))
    order, _products = lock_order(order_id)
    suborder = SubOrder.objects.select_related("shop").get(pk=suborder_id)
    probe = AfterSale(order=order, suborder=suborder)
    if Actor.BUYER not in selectors.actors_of(by, probe, token=token):
        raise DomainError(_("只有下单的买家可以申请售后。"))
    problem = selectors.why_not(suborder, order)
    if problem:
        raise DomainError(problem)
    if kind not in selectors.kinds_for(suborder):
        raise DomainError(_("包裹尚未发货，只能申请仅退款。") if kind == Kind.RETURN else _("请选择售后类型。"))
    if reason not in Reason.values:
        raise DomainError(_("请选择售后原因。"))
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise DomainError(_("问题描述最多 %(max)s 字。") % {"max": DESCRIPTION_MAX})
    wanted = {int(pk): int(q) for pk, q in lines.items() if int(q) > 0}
    if not wanted:
        raise DomainError(_("请选择要售后的商品和数量。"))
    order_lines = {ln.pk: ln for ln in OrderLine.objects.filter(suborder=suborder)}
    left = selectors.quantities_left(suborder)
    amount = 0
    for line_id, qty in wanted.items():
        line = order_lines.get(line_id)
        if line is None:
            raise DomainError(_("所选商品不属于这个包裹。"))
        if qty > left[line_id]:
            raise DomainError(
                _("「%(title)s」最多还可申请 %(left)s 件。") % {"title": line.title, "left": left[line_id]}
            )
        amount += line.unit_price_fen * qty
    if len(photos) > MAX_PHOTOS:
        raise PhotoRefused(_("最多上传 %(max)s 张照片。") % {"max": MAX_PHOTOS})
    if reason in PHOTO_REQUIRED and not photos:
        raise PhotoRefused(_("「%(reason)s」须上传至少 1 张照片，便于商家核实。") % {"reason": Reason(reason).label})
    checked = []
    for n, photo in enumerate(photos, start=1):
        try:
            checked.append(check_upload(photo, allowed=IMAGE_TYPES, refused=IMAGE_REFUSED))
        except DomainError as exc:
            raise PhotoRefused(_("第 %(n)s 张照片未通过：%(error)s") % {"n": n, "error": exc}) from exc

    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                after_sale = AfterSale.objects.create(
                    number=_new_number(),
                    order=order,
                    suborder=suborder,
                    kind=kind,
                    reason=reason,
                    description=description,
                    amount_fen=amount,
                    status=Status.REQUESTED,
                    deadline_at=deadline_for(Status.REQUESTED, now),
                    requested_by=by if getattr(by, "is_authenticated", False) else None,
                )
            break
        except IntegrityError:  # the (1 in 10^8 a day) clash of random numbers
            continue
    else:
        raise DomainError(_("售后单号生成失败，请重试。"))
    AfterSaleLine.objects.bulk_create(
        [
            AfterSaleLine(
                after_sale=after_sale, line=order_lines[pk], quantity=q, amount_fen=order_lines[pk].unit_price_fen * q
            )
            for pk, q in wanted.items()
        ]
    )
    for c in checked:
        AfterSalePhoto.objects.create(
            after_sale=after_sale, file=c.file, original_name=c.original_name, content_type=c.content_type, size=c.size
        )
    titles = "、".join(f"{order_lines[pk].title} × {q}" for pk, q in wanted.items())
    with translation.override(settings.LANGUAGE_CODE):  # the history is kept in the source language
        note = f"{Reason(reason).label}：{titles}"
    _step(after_sale, "request", "", by=by, actor=Actor.BUYER, note=note)
    return after_sale


# --- moving ------------------------------------------------------------------------------------------------------


def _locked(after_sale_id: int) -> AfterSale:
    order_id = AfterSale.objects.filter(pk=after_sale_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise DomainError(_("售后单不存在。"))
    lock_order(order_id)
    return AfterSale.objects.select_for_update().select_related("order", "suborder__shop").get(pk=after_sale_id)


def _move(after_sale: AfterSale, action: str, *, by, actor: Actor, note: str = "", **changes) -> AfterSaleStep:
    """Apply one row of the table to a locked request: the single place ``status`` changes."""
    transition = TRANSITIONS[action]
    if after_sale.status not in transition.sources or after_sale.kind not in transition.kinds:
        raise DomainError(
            _("售后单当前状态为「%(status)s」，不能「%(action)s」。可能已被他人处理，请刷新后查看。")
            % {"status": after_sale.get_status_display(), "action": transition.label}
        )
    from_status = after_sale.status
    after_sale.status = transition.target
    after_sale.deadline_at = deadline_for(transition.target, timezone.now())
    for field, value in changes.items():
        setattr(after_sale, field, value)
    after_sale.save()
    step = _step(after_sale, action, from_status, by=by, actor=actor, note=note)
    if transition.target == Status.REFUNDING:
        _start_refund(after_sale, by=by)
    return step


@transaction.atomic
def apply(
    after_sale_id: int,
    action: str,
    *,
    by,
    actor: Actor,
    token: str | None = None,
    note: str = "",
    carrier: str = "",
    tracking_number: str = "",
) -> AfterSale:
    """Move a request by ``action`` of ``transitions.TRANSITIONS`` as ``actor`` — checked
    against ``by`` (a user; None for the system) and the order's secret ``token``. A refusal
    and the platform's decisions need ``note`` (the reason, up to 200 characters); sending
    the goods back needs ``carrier`` and ``tracking_number``. Raises ``DomainError`` with
    the reason for anything not allowed; nothing changes then."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("未知的操作：%(action)s。") % {"action": action})
    if actor not in transition.actors:
        raise DomainError(_("「%(action)s」不能由该身份办理。") % {"action": transition.label})
    after_sale = _locked(after_sale_id)
    if actor == Actor.SYSTEM:
        if by is not None:
            raise DomainError(_("此操作只能由系统执行。"))
    elif actor not in selectors.actors_of(by, after_sale, token=token):
        raise DomainError(_("无权办理该售后单。"))
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise DomainError(_("说明最多 %(max)s 字。") % {"max": NOTE_MAX})
    changes = {}
    if transition.needs_note and not note:
        raise DomainError(_("请填写理由。") if action == "refuse" else _("请填写处理意见。"))
    if action == "refuse":
        changes["refuse_reason"] = note
    elif action.startswith("platform_"):
        changes["decision_note"] = note
        if action == "platform_return" and after_sale.return_tracking:
            raise DomainError(_("买家已寄回商品，请直接判定退款或不予退款。"))
    elif action == "ship_return":
        carrier, tracking_number = " ".join(carrier.split())[:40], "".join(tracking_number.split())[:40]
        if not carrier or not tracking_number:
            raise DomainError(_("请填写退货的快递公司和运单号。"))
        changes.update(return_carrier=carrier, return_tracking=tracking_number)
        note = note or f"{carrier} {tracking_number}"
    _move(after_sale, action, by=by, actor=actor, note=note, **changes)
    return after_sale


# --- the money -----------------------------------------------------------------------------------------------------


def _refund_lines(after_sale: AfterSale) -> dict[int, int]:
    return dict(after_sale.lines.values_list("line_id", "quantity"))


def _reason(after_sale: AfterSale) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # kept with the refund, in the source language
        return f"售后 {after_sale.number}：{after_sale.get_reason_display()}"[:200]


def _start_refund(after_sale: AfterSale, *, by) -> None:
    """The request reached 退款中. An online payment goes back the way it came, at once
    (the provider's webhook confirms it); a bank transfer waits for whoever handles the
    order's money to pay it back and record it (``record_hand_refund``). A provider that
    cannot be asked leaves the request 退款中 with the reason, for the platform to retry."""
    if after_sale.order.payment_method == PaymentMethod.TRANSFER:
        return
    try:
        with transaction.atomic():
            refund = refund_provider(after_sale.order).refund(
                after_sale.order_id, lines=_refund_lines(after_sale), reason=_reason(after_sale), by=None
            )
    except DomainError as exc:
        after_sale.refund_problem = str(exc)[:NOTE_MAX]
        after_sale.save(update_fields=["refund_problem", "updated_at"])
        logger.warning("after-sale %s: refund not started: %s", after_sale.number, exc)
        return
    after_sale.refund, after_sale.refund_problem = refund, ""
    after_sale.save(update_fields=["refund", "refund_problem", "updated_at"])


@transaction.atomic
def retry_refund(after_sale_id: int, *, by) -> AfterSale:
    """A platform administrator asks the provider again for a request left 退款中 without a
    refund (the provider could not be asked, or refused: see ``on_refund_failed``)."""
    after_sale = _locked(after_sale_id)
    if Actor.PLATFORM not in selectors.actors_of(by, after_sale):
        raise DomainError(_("只有平台管理员可以重新发起退款。"))
    if after_sale.status != Status.REFUNDING or after_sale.refund_id:
        raise DomainError(_("该售后单没有待发起的退款。"))
    if after_sale.order.payment_method == PaymentMethod.TRANSFER:
        raise DomainError(_("对公转账订单请线下退款后登记退款流水号。"))
    _start_refund(after_sale, by=by)
    if after_sale.refund_problem:
        raise DomainError(_("退款仍未能发起：%(problem)s") % {"problem": after_sale.refund_problem})
    return after_sale


@transaction.atomic
def record_hand_refund(after_sale_id: int, *, by, reference: str) -> AfterSale:
    """The money of a bank-transfer order's accepted request was paid back by bank; whoever
    handles the order's money (a platform administrator, or the operator of a shop that
    owns the whole order) records it with the bank's reference. The refund path books it
    (``payments.services.refund_by_hand``) and the request is 已退款."""
    after_sale = _locked(after_sale_id)
    if not can_handle_money(by, after_sale.order):
        raise DomainError(_("只有平台管理员或整单所属网店的运营人员可以登记退款。"))
    if after_sale.status != Status.REFUNDING:
        raise DomainError(
            _("售后单当前状态为「%(status)s」，不需要登记退款。") % {"status": after_sale.get_status_display()}
        )
    if after_sale.order.payment_method != PaymentMethod.TRANSFER:
        raise DomainError(_("在线支付的订单经支付渠道原路退款，不需要登记。"))
    if after_sale.order.status == OrderStatus.ON_TERMS:
        raise DomainError(_("该单位订单验收后付款，尚未付款：请待单位付款后再退回并登记退款。"))
    refund = payments.refund_by_hand(
        after_sale.order_id, lines=_refund_lines(after_sale), reference=reference, reason=_reason(after_sale), by=by
    )
    after_sale.refund = refund
    _move(
        after_sale,
        "refunded",
        by=None,
        actor=Actor.SYSTEM,
        note=f"退款 {yuan(refund.amount_fen)}，流水号 {refund.reference}",
    )
    return after_sale


def on_refund_confirmed(sender, refund: Refund, **kwargs) -> None:
    """The payments app confirmed a refund (inside its transaction, order locked): the
    request that started it is 已退款."""
    after_sale = AfterSale.objects.select_for_update().filter(refund=refund, status=Status.REFUNDING).first()
    if after_sale is not None:
        _move(after_sale, "refunded", by=None, actor=Actor.SYSTEM, note=f"退款 {yuan(refund.amount_fen)} 已原路退回")


def on_refund_failed(sender, refund: Refund, **kwargs) -> None:
    """The provider refused the refund: the request goes to the platform (it may retry)."""
    after_sale = AfterSale.objects.select_for_update().filter(refund=refund, status=Status.REFUNDING).first()
    if after_sale is not None:
        after_sale.refund = None
        _move(after_sale, "refund_failed", by=None, actor=Actor.SYSTEM, note=(refund.reason or "")[-100:])


# --- the clock -----------------------------------------------------------------------------------------------------


def move_overdue(now: dt.datetime | None = None, *, batch: int = OVERDUE_BATCH) -> int:
    """Move every request whose deadline has passed (``transitions.ON_DEADLINE``): a shop
    that did not answer, or did not confirm the returned parcel, hands it to the platform;
    a buyer who did not send the goods back, or did not dispute a refusal, closes it. Each
    in its own transaction (a request moved meanwhile by a person is left as it is).
    Returns how many moved."""
    now = now or timezone.now()
    ids = list(
        AfterSale.objects.filter(status__in=list(ON_DEADLINE), deadline_at__lte=now)
        .order_by("deadline_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    moved = 0
    for pk in ids:
        with transaction.atomic():
            after_sale = _locked(pk)
            action = ON_DEADLINE.get(after_sale.status)
            if action is None or after_sale.deadline_at is None or after_sale.deadline_at > now:
                continue
            _move(after_sale, action, by=None, actor=Actor.SYSTEM, note="已超过处理时限")
            moved += 1
    return moved
