"""Writes of the certification workflow. Each runs in a transaction, locks the rows it
changes and raises ``DomainError`` with a message the user can act on."""

import datetime as dt

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from catalog.models import Product
from core.errors import DomainError
from core.roles import Role, roles_of
from core.scoping import is_platform_admin, jurisdiction_code, operated_shop_ids
from core.uploads import check_upload
from producers.models import BenefitMode, Producer
from producers.selectors import linkage_in_force

from .models import (
    Application,
    Certificate,
    CertificateSequence,
    Evidence,
    Status,
    TransitionRecord,
)
from .transitions import TRANSITIONS, Actor


def _is_shop_operator(user, product: Product) -> bool:
    return Role.SHOP_OPERATOR in roles_of(user) and product.shop_id in operated_shop_ids(user)


def _covers(user, producer: Producer) -> bool:
    code = jurisdiction_code(user)
    return bool(code) and producer.region.code.startswith(code)


def check_actor(user, actor: Actor, application: Application) -> None:
    """Refuse unless ``user`` may act as ``actor`` on ``application``."""
    product = application.product
    if actor == Actor.OPERATOR:
        if not (_is_shop_operator(user, product) or is_platform_admin(user)):
            raise DomainError(gettext("只有该网店的运营人员可以办理此操作。"))
    elif actor == Actor.OFFICER:
        if not _covers(user, application.producer):
            raise DomainError(gettext("只有辖区覆盖该生产主体所在地的商务部门干部可以审核、认定、驳回或撤销。"))
        if _is_shop_operator(user, product):
            raise DomainError(gettext("不能认定自己运营网店的产品。"))
    elif actor == Actor.SYSTEM:
        if user is not None:
            raise DomainError(gettext("此操作只能由系统执行。"))


@transaction.atomic
def create_application(
    *,
    product: Product,
    producer: Producer,
    benefit_modes: list[str],
    households_count: int,
    by,
    renewal_of: Certificate | None = None,
) -> Application:
    """Start a draft application for ``product`` with ``producer`` as applicant."""
    if not (_is_shop_operator(by, product) or is_platform_admin(by)):
        raise DomainError(gettext("只有该网店的运营人员可以申报该产品。"))
    if producer.shop_id != product.shop_id:
        raise DomainError(gettext("申报主体必须是该网店登记的生产主体。"))
    if producer.kind == Producer.Kind.HOUSEHOLD or not producer.credit_code:
        raise DomainError(gettext("申报主体须为具有统一社会信用代码的法人或组织，农户个人不能单独申报。"))
    unknown = [m for m in benefit_modes if m not in BenefitMode.values]
    if not benefit_modes or unknown:
        raise DomainError(gettext("请至少选择一种有效的利益联结方式。"))
    if households_count < 1:
        raise DomainError(gettext("带贫户数至少为 1。"))
    if renewal_of is not None and renewal_of.product_id != product.pk:
        raise DomainError(gettext("续期申请必须针对同一产品的证书。"))
    return Application.objects.create(
        product=product,
        producer=producer,
        benefit_modes=list(dict.fromkeys(benefit_modes)),
        households_count=households_count,
        renewal_of=renewal_of,
        created_by=by,
    )


@transaction.atomic
def add_evidence(application: Application, upload: UploadedFile, kind: str, *, by) -> Evidence:
    """Attach a checked file to a draft application."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    check_actor(by, Actor.OPERATOR, application)
    if application.status != Status.DRAFT:
        raise DomainError(gettext("只能在草稿状态下补充材料。"))
    if kind not in Evidence.Kind.values:
        raise DomainError(gettext("未知的材料类型。"))
    checked = check_upload(upload)
    return Evidence.objects.create(
        application=application,
        kind=kind,
        file=checked.file,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )


def _next_certificate_number(region_code: str, year: int) -> str:
    seq, _ = CertificateSequence.objects.get_or_create(region_code=region_code, year=year)
    seq = CertificateSequence.objects.select_for_update().get(pk=seq.pk)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"FP{region_code}{year}{seq.last:05d}"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _issue_certificate(application: Application, officer) -> Certificate:
    today = timezone.localdate()
    valid_from = today
    if application.renewal_of is not None:
        valid_from = max(today, application.renewal_of.valid_until + dt.timedelta(days=1))
    years = settings.CERTIFICATE_VALIDITY_YEARS
    bureau = officer.bureau
    return Certificate.objects.create(
        number=_next_certificate_number(bureau.region.code, today.year),
        application=application,
        product=application.product,
        producer=application.producer,
        bureau=bureau,
        valid_from=valid_from,
        valid_until=_add_years(valid_from, years) - dt.timedelta(days=1),
    )


@transaction.atomic
def apply_transition(application_id: int, action: str, *, by, note: str = "") -> Application:
    """Apply one transition of ``TRANSITIONS`` to an application, as ``by`` (None for the
    system). The row lock makes concurrent decisions on one application serial: the
    second finds the state already moved and is told so."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(gettext("未知的操作：%(action)s。") % {"action": action})
    application = (
        Application.objects.select_for_update()
        .select_related("product", "producer__region")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise DomainError(gettext("申请不存在。"))
    check_actor(by, transition.actor, application)
    if application.status not in transition.sources:
        raise DomainError(
            gettext("该申请当前状态为「%(status)s」，不能执行「%(action)s」。可能已被他人处理，请刷新后查看。")
            % {"status": application.get_status_display(), "action": transition.label}
        )
    note = (note or "").strip()
    if transition.note_required and not note:
        raise DomainError(gettext("「%(action)s」必须填写原因。") % {"action": transition.label})

    now = timezone.now()
    certificate = None
    if action == "submit":
        linkage = linkage_in_force(application.product)
        if linkage is None:
            raise DomainError(gettext("该产品还没有生效的利益联结，请先登记受益农户和村集体。"))
        if not application.evidence.exists():
            raise DomainError(gettext("请至少上传一份申报材料（如合格证、照片或带贫户名册）。"))
        application.linkage = linkage
        application.submitted_at = now
    elif action in ("start_review", "certify", "reject"):
        application.reviewer = by
        if action != "start_review":
            application.decided_at = now
            application.decision_note = note
        if action == "certify":
            certificate = _issue_certificate(application, by)
    elif action in ("revoke", "expire"):
        certificate = Certificate.objects.select_for_update().get(application=application)
        if action == "revoke":
            certificate.revoked_at = now
            certificate.revoke_reason = note
        else:
            if certificate.valid_until >= timezone.localdate():
                raise DomainError(gettext("证书尚在有效期内，不能记为过期。"))
            certificate.expiry_recorded_at = now
        certificate.save()

    from_status = application.status
    application.status = transition.target
    application.save()
    TransitionRecord.objects.create(
        application=application,
        certificate=certificate,
        actor=by,
        at=now,
        action=action,
        from_status=from_status,
        to_status=transition.target,
        note=note,
    )
    return application
