"""Many products at once, for benchmarks: bulk inserts in batches, reusing the demo's
shops, producers and pictures. Each product gets version 1 of its benefit linkage
directly (the invariants of ``revise_benefit_linkage`` hold: one open version per new
product, shares of at most 10,000 basis points in all, one beneficiary per share)."""

import random
import sys
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from tqdm import tqdm

from catalog.models import Category, Product, ProductImage, Shop
from core.models import User
from producers.models import BenefitLinkage, BenefitShare, Collective, Household, Producer, Region

from .certification import bulk_certify
from .data import DEMO_BASE, VILLAGES, DemoProduct, DemoVillage
from .generators import demo_price, draw_shares, household_status, person_name

BATCH_SIZE = 2000
PRODUCTS_PER_HOUSEHOLD = 5  # one new household for every five new products

# (label, price factor, unit suffix)
VARIANTS = [
    ("家庭装", 1.8, "×2"),
    ("礼盒装", 1.5, "（礼盒）"),
    ("精选装", 1.2, ""),
    ("尝鲜装", 0.6, "（小份）"),
    ("整箱装", 3.0, "×4"),
    ("团购装", 9.0, "×10"),
    ("特惠装", 0.9, ""),
    ("当季新货", 1.0, ""),
]


@dataclass
class ScaleCounts:
    products: int = 0
    linkages: int = 0
    shares: int = 0
    households: int = 0
    product_images: int = 0
    certificates: int = 0


@dataclass(frozen=True)
class _Template:
    village: DemoVillage
    product: DemoProduct
    shop_id: int
    producer_id: int
    category_id: int
    origin_id: int
    image_ids: tuple[int, ...]


def _templates() -> list[_Template]:
    shops = Shop.objects.in_bulk([v.slug for v in VILLAGES], field_name="slug")
    if len(shops) != len(VILLAGES):
        raise RuntimeError("演示网店不存在，请先运行 load_demo。 The demo shops are missing: run load_demo first.")
    villages = Region.objects.in_bulk([v.code for v in VILLAGES], field_name="code")
    categories = dict(Category.objects.values_list("slug", "pk"))
    producers = {
        (shop_id, name): pk
        for shop_id, name, pk in Producer.objects.filter(shop__in=shops.values()).values_list("shop_id", "name", "pk")
    }
    titles = [p.title for v in VILLAGES for p in v.products]
    images = defaultdict(list)
    for shop_id, title, image_id in (
        ProductImage.objects.filter(product__shop__in=shops.values(), product__title__in=titles)
        .order_by("product_id", "sort_order")
        .values_list("product__shop_id", "product__title", "image_id")
    ):
        images[(shop_id, title)].append(image_id)
    out = []
    for v in VILLAGES:
        shop = shops[v.slug]
        names = {p.key: p.name for p in v.producers}
        for p in v.products:
            out.append(
                _Template(
                    village=v,
                    product=p,
                    shop_id=shop.pk,
                    producer_id=producers[(shop.pk, names[p.producer])],
                    category_id=categories[p.category],
                    origin_id=villages[v.code].pk,
                    image_ids=tuple(images[(shop.pk, p.title)]),
                )
            )
    return out


def _add_households(rng: random.Random, count: int, batch_size: int) -> int:
    """``count`` more households, spread over the demo villages, numbered after the last."""
    villages = Region.objects.in_bulk([v.code for v in VILLAGES], field_name="code")
    last = {}
    for v in VILLAGES:
        top = Household.objects.filter(village=villages[v.code]).aggregate(m=Max("registration_number"))["m"]
        last[v.code] = int(top[len(v.code) :]) if top and top.startswith(v.code) else 0
    rows = []
    for i in range(count):
        v = VILLAGES[i % len(VILLAGES)]
        last[v.code] += 1
        rows.append(
            Household(
                registration_number=f"{v.code}{last[v.code]:05d}",
                head_name=person_name(rng, village_surname=v.surname, guizhou=v.code.startswith("52")),
                members=rng.randint(1, 6),
                status=household_status(rng),
                village=villages[v.code],
            )
        )
    Household.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


def add_scale_products(
    count: int, *, seed: int = 1, batch_size: int = BATCH_SIZE, progress: bool = False
) -> ScaleCounts:
    """Insert ``count`` more products into the demo shops, each with a benefit linkage
    and a picture from the demo's pool, plus one new household per five products."""
    templates = _templates()
    shop_ids = {t.shop_id for t in templates}
    # Seeded by what is there already, so that a second run adds different products.
    already = Product.objects.filter(shop_id__in=shop_ids).count()
    rng = random.Random(f"{seed}:scale:{already}")
    counts = ScaleCounts()
    with transaction.atomic():
        counts.households = _add_households(rng, max(len(VILLAGES), count // PRODUCTS_PER_HOUSEHOLD), batch_size)
    households = defaultdict(list)
    for pk, village_id in Household.objects.filter(village__code__in=[v.code for v in VILLAGES]).values_list(
        "pk", "village_id"
    ):
        households[village_id].append(pk)
    collectives = dict(
        Collective.objects.filter(village__code__in=[v.code for v in VILLAGES]).values_list("village_id", "pk")
    )

    # Scale products are certified in bulk; a household's product by a legal entity of its shop.
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    legal = set(
        Producer.objects.filter(shop_id__in=shop_ids)
        .exclude(kind=Producer.Kind.HOUSEHOLD)
        .exclude(credit_code="")
        .values_list("pk", flat=True)
    )
    applicants = dict(Producer.objects.filter(pk__in=legal).order_by("-pk").values_list("shop_id", "pk"))
    bar = tqdm(total=count, desc="批量商品 products", unit="件", file=sys.stderr, disable=not progress)
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        with transaction.atomic():
            chosen = [templates[rng.randrange(len(templates))] for _ in range(size)]
            products = []
            for t in chosen:
                label, factor, unit_suffix = VARIANTS[rng.randrange(len(VARIANTS))]
                products.append(
                    Product(
                        shop_id=t.shop_id,
                        producer_id=t.producer_id,
                        category_id=t.category_id,
                        title=f"{t.product.title} {label}",
                        summary=t.product.summary,
                        description=f"{t.product.summary}。",
                        unit=f"{t.product.unit}{unit_suffix}",
                        price_fen=demo_price(rng, round(t.product.price_fen * factor)),
                        stock=0 if rng.random() < 0.03 else rng.randint(5, 1000),
                        origin_region_id=t.origin_id,
                        is_listed=t.product.listed,
                    )
                )
            Product.objects.bulk_create(products, batch_size=batch_size)
            linkages = BenefitLinkage.objects.bulk_create(
                [
                    BenefitLinkage(product_id=p.pk, version=1, valid_from=DEMO_BASE, note="批量演示数据")
                    for p in products
                ],
                batch_size=batch_size,
            )
            shares = []
            for t, linkage in zip(chosen, linkages, strict=True):
                for d in draw_shares(rng, households[t.origin_id], collectives.get(t.origin_id)):
                    shares.append(
                        BenefitShare(
                            linkage_id=linkage.pk,
                            household_id=None if d.is_collective else d.beneficiary,
                            collective_id=d.beneficiary if d.is_collective else None,
                            share_bp=d.share_bp,
                            mode=d.mode,
                        )
                    )
            BenefitShare.objects.bulk_create(shares, batch_size=batch_size)
            pictures = [
                ProductImage(product_id=p.pk, image_id=t.image_ids[rng.randrange(len(t.image_ids))], sort_order=0)
                for t, p in zip(chosen, products, strict=True)
                if t.image_ids
            ]
            ProductImage.objects.bulk_create(pictures, batch_size=batch_size)
            applicant_of = {
                p.pk: applicants[t.shop_id] if t.producer_id not in legal else t.producer_id
                for t, p in zip(chosen, products, strict=True)
                if t.producer_id in legal or t.shop_id in applicants
            }
            counts.certificates += bulk_certify(list(applicant_of), applicant_of, admin)
        counts.products += len(products)
        counts.linkages += len(linkages)
        counts.shares += len(shares)
        counts.product_images += len(pictures)
        bar.update(size)
    bar.close()
    return counts
