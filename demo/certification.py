"""Certification for the demo: real applications through the workflow services, with
evidence and an audit trail, reviewed by each county's bureau; plus a bulk path for the
scale option. Deterministic: which products end in which state follows their order."""

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw

from catalog.models import Product
from certification import services
from certification.models import Application, Certificate, CertificateSequence, Evidence, Status
from certification.services import _add_years
from core.models import Bureau, User
from core.roles import Role, sync_role_groups
from producers.models import Producer

# Demo shop whose operator (operator-a) walks through the workflow by hand: its first
# product is left unapplied, its second waits in 单县's review queue.
HANDS_ON_SHOP = "shanxian-zhulou"


@dataclass
class CertificationCounts:
    certified: int = 0
    pending: int = 0
    rejected: int = 0
    revoked: int = 0
    not_applied: int = 0


def _evidence_png() -> bytes:
    img = Image.new("RGB", (480, 320), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    draw.rectangle([8, 8, 471, 311], outline=(40, 120, 60), width=4)
    for y in range(60, 280, 36):
        draw.line([40, y, 440, y], fill=(170, 170, 170), width=2)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def reviewer_for(region_code: str) -> User:
    """The reviewing officer of the most local demo bureau above ``region_code``: a
    login-less account standing for that bureau's staff."""
    for n in (6, 4, 2):
        bureau = Bureau.objects.filter(region__code=region_code[:n]).first()
        if bureau is not None:
            break
    else:
        raise RuntimeError(f"没有覆盖 {region_code} 的演示主管部门")
    existing = User.objects.filter(bureau=bureau, groups__name=Role.BUREAU_OFFICER).order_by("pk").first()
    if existing is not None:
        return existing
    user, _ = User.objects.get_or_create(
        username=f"reviewer-{bureau.region.code}",
        defaults={"name": f"{bureau.name}认定员", "password": make_password(None), "bureau": bureau},
    )
    user.groups.add(sync_role_groups()[Role.BUREAU_OFFICER])
    return user


def _applicant(product: Product, producers_by_shop: dict[int, list[Producer]]) -> Producer | None:
    if product.producer.kind != Producer.Kind.HOUSEHOLD and product.producer.credit_code:
        return product.producer
    # A household's product is applied for by a legal entity of the same shop.
    return next((p for p in producers_by_shop[product.shop_id] if p.kind != Producer.Kind.HOUSEHOLD), None)


def certify_demo_products(products: Iterable[Product], operators: dict[str, User], admin: User) -> CertificationCounts:
    """Take every demo product through the workflow. Outcomes by order: most certified;
    the hands-on shop keeps one product unapplied and one waiting for review; a few
    elsewhere are under review, one rejected, one revoked."""
    products = list(products)
    producers_by_shop: dict[int, list[Producer]] = {}
    for producer in Producer.objects.filter(shop_id__in={p.shop_id for p in products}).exclude(credit_code=""):
        producers_by_shop.setdefault(producer.shop_id, []).append(producer)
    evidence = _evidence_png()
    counts = CertificationCounts()
    hands_on = [p for p in products if p.shop.slug == HANDS_ON_SHOP]
    plan = {}
    if hands_on:
        plan[hands_on[0].pk] = "none"
        if len(hands_on) > 1:
            plan[hands_on[1].pk] = "submitted"
    others = [p for p in products if p.pk not in plan]
    for product, outcome in zip(others[3::9], ["under_review", "rejected", "revoked", "submitted"], strict=False):
        plan[product.pk] = outcome

    for product in products:
        outcome = plan.get(product.pk, "certified")
        applicant = _applicant(product, producers_by_shop)
        if outcome == "none" or applicant is None:
            counts.not_applied += 1
            continue
        operator = operators.get(product.shop.slug, admin)
        officer = reviewer_for(applicant.region.code)
        app = services.create_application(
            product=product,
            producer=applicant,
            benefit_modes=["purchase", "employment"] if product.pk % 3 else ["dividend"],
            households_count=max(
                1, product.linkages.order_by("-version").first().shares.exclude(household=None).count()
            ),
            by=operator,
        )
        upload = SimpleUploadedFile("食用农产品合格证.png", evidence, content_type="image/png")
        services.add_evidence(app, upload, Evidence.Kind.COMPLIANCE, by=operator)
        services.apply_transition(app.pk, "submit", by=operator)
        if outcome == "submitted":
            counts.pending += 1
            continue
        services.apply_transition(app.pk, "start_review", by=officer)
        if outcome == "under_review":
            counts.pending += 1
        elif outcome == "rejected":
            services.apply_transition(
                app.pk, "reject", by=officer, note="带贫户名册与利益联结登记不一致，请核实后重新申报。"
            )
            counts.rejected += 1
        else:
            services.apply_transition(app.pk, "certify", by=officer, note="材料齐全，符合认定条件。")
            if outcome == "revoked":
                services.apply_transition(app.pk, "revoke", by=officer, note="市场抽检不合格，撤销认定。")
                counts.revoked += 1
            else:
                counts.certified += 1
    return counts


def bulk_certify(product_ids: list[int], applicant_of: dict[int, int], admin: User) -> int:
    """Certify bulk-inserted products without the per-product workflow (scale data):
    one certified application and one certificate each, numbered from the issuing
    bureau's sequence as the workflow would."""
    today = timezone.localdate()
    valid_until = _add_years(today, settings.CERTIFICATE_VALIDITY_YEARS) - dt.timedelta(days=1)
    producers = Producer.objects.in_bulk(set(applicant_of.values()))
    bureau_of: dict[str, Bureau] = {}
    apps = Application.objects.bulk_create(
        [
            Application(
                product_id=pk,
                producer_id=applicant_of[pk],
                benefit_modes=["purchase"],
                households_count=1,
                status=Status.CERTIFIED,
                created_by=admin,
                submitted_at=timezone.now(),
                decided_at=timezone.now(),
            )
            for pk in product_ids
        ]
    )
    by_region: dict[str, list[Application]] = {}
    for app in apps:
        code = producers[app.producer_id].region.code
        bureau = bureau_of.get(code)
        if bureau is None:
            bureau = bureau_of[code] = reviewer_for(code).bureau
        by_region.setdefault(bureau.region.code, []).append(app)
    certificates = []
    for region_code, region_apps in by_region.items():
        seq, _ = CertificateSequence.objects.get_or_create(region_code=region_code, year=today.year)
        CertificateSequence.objects.filter(pk=seq.pk).update(last=F("last") + len(region_apps))
        bureau = Bureau.objects.get(region__code=region_code)
        for n, app in enumerate(region_apps, start=seq.last + 1):
            certificates.append(
                Certificate(
                    number=f"FP{region_code}{today.year}{n:05d}",
                    application=app,
                    product_id=app.product_id,
                    producer_id=app.producer_id,
                    bureau=bureau,
                    valid_from=today,
                    valid_until=valid_until,
                )
            )
    Certificate.objects.bulk_create(certificates)
    return len(certificates)
