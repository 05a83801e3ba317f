"""Building the demo marketplace: regions, villages, categories, bureaus, shops,
producers, households, collectives, products with pictures and benefit linkages, story
pages and one login per role. Deterministic for a given seed."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex, Site
from wagtail.rich_text import RichText
from wagtail.signal_handlers import disable_reference_index_auto_update

from aftersales.maintenance import purge_after_sales_of_orders
from attribution.maintenance import purge_ledger
from catalog.models import Category, Product, ProductImage, Shop
from catalog.tasks import generate_product_renditions
from certification.maintenance import purge_for_products
from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CampaignIndexPage,
    CampaignPage,
    CampaignProduct,
    HomePage,
    PavilionIndexPage,
    PavilionPage,
)
from cms.rights import ensure_pavilion_workflow
from cms.setup import ensure_navigation_menus, ensure_storefront_pages
from core.background import enqueue_after_commit
from core.days import day_start
from core.models import Bureau, User
from core.roles import Role, sync_role_groups
from invoices.maintenance import purge_invoices_of_orders
from live.maintenance import purge_events_of_shops
from orders import services as orders_services
from orders.maintenance import orders_of_shops, purge_orders
from orders.models import Address, AddressRegion
from payments.maintenance import purge_money_of_orders
from payments.services import set_platform_payee
from procurement.maintenance import purge_organisation_orders, purge_organisations
from producers.models import BenefitLinkage, BenefitShare, Collective, Household, Producer, Region
from producers.regions import DEFAULT_PROVINCES, load_regions
from producers.services import ShareSpec, revise_benefit_linkage
from reports.models import Grain, ProductSalesSummary
from sales_channels.maintenance import purge_offline_sales_of_orders, purge_pairings, purge_points
from traceability.maintenance import purge_batches_of_products

from . import data
from .after_sales import make_demo_after_sale
from .certification import certify_demo_products
from .channels import PAIRING_NAMES, POINT_CODE, ChannelsDemo, make_offline_point, make_pairings
from .data import DEMO_BASE, DEMO_USERS, VILLAGES, DemoUser, DemoVillage
from .generators import credit_code, demo_price, draw_shares, household_status, person_name
from .images import banner_png, card_png, demo_collection, save_wagtail_image
from .invoices import make_demo_invoices
from .live import build_live_demo, retime_live_demo
from .procurement import demo_unit_credit_code, make_demo_unit
from .recall import make_demo_recall
from .reviews import make_demo_review
from .sales import make_demo_sales
from .traceability import TraceDemo, make_demo_batches

Log = Callable[[str], None]


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    sees: str
    mobile: str = ""


@dataclass
class DemoResult:
    built: bool  # False when the demo was already there and was left alone
    regions_created: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    live_events: list = field(default_factory=list)  # the demo's live events (demo/live.py)
    live_token: str = ""  # the live-now event's viewer token, shown once when made
    channels: ChannelsDemo | None = None  # the pairings' and the 专柜's demo (demo/channels.py)
    trace: TraceDemo | None = None  # the products' batches and one sheet of unit codes (demo/traceability.py)


def shop_slugs() -> list[str]:
    return [v.slug for v in VILLAGES]


def village_codes() -> list[str]:
    return [v.code for v in VILLAGES]


def demo_present() -> bool:
    return Shop.objects.filter(slug__in=shop_slugs()).exists()


# --- reference data: made or brought up to date on every run -------------------------------------------------------


def ensure_regions() -> int:
    """Load the default provinces if a township the demo needs is missing. Returns how
    many regions were created."""
    needed = {v.township_code for v in VILLAGES} | set(data.BUREAUS)
    if Region.objects.filter(code__in=needed).count() == len(needed):
        return 0
    counts = load_regions(DEFAULT_PROVINCES)
    return sum(c.created for c in counts.values())


def ensure_villages() -> dict[str, Region]:
    """The demo villages (level 5, not official) under their real townships."""
    townships = {r.code: r for r in Region.objects.filter(code__in=[v.township_code for v in VILLAGES])}
    villages = {}
    for v in VILLAGES:
        villages[v.code], _ = Region.objects.update_or_create(
            code=v.code,
            defaults={
                "name": v.name,
                "level": Region.Level.VILLAGE,
                "parent": townships[v.township_code],
                "is_official": False,
            },
        )
    return villages


def ensure_categories() -> dict[str, Category]:
    by_slug = {}
    for order, (slug, name, name_en, children) in enumerate(data.CATEGORIES, start=1):
        parent, _ = Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "name_en": name_en, "parent": None, "sort_order": order}
        )
        by_slug[slug] = parent
        for child_order, (child_slug, child_name, child_en) in enumerate(children, start=1):
            by_slug[child_slug], _ = Category.objects.update_or_create(
                slug=child_slug,
                defaults={"name": child_name, "name_en": child_en, "parent": parent, "sort_order": child_order},
            )
    return by_slug


def bureau_name(region: Region) -> str:
    # A province's commerce department is a 厅, everything below a 局.
    return f"{region.name}{'商务厅' if region.level == Region.Level.PROVINCE else '商务局'}"


def ensure_bureaus() -> dict[str, Bureau]:
    regions = Region.objects.in_bulk(data.BUREAUS, field_name="code")
    bureaus = {}
    for code in data.BUREAUS:
        region = regions[code]
        bureaus[code], _ = Bureau.objects.update_or_create(
            name=bureau_name(region), defaults={"region": region, "kind": Bureau.Kind.COMMERCE}
        )
    return bureaus


def ensure_users(bureaus: dict[str, Bureau], *, reset_passwords: bool) -> dict[str, User]:
    """One login per role. A new user gets the printed password; an existing one gets it
    back only with ``reset_passwords`` (hashing eight passwords takes seconds)."""
    groups = sync_role_groups()
    users = {}
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.name = spec.name
        user.email = f"{spec.username}@demo.example.cn"
        user.is_superuser = user.is_staff = spec.superuser
        user.is_active = True
        user.bureau = bureaus[spec.bureau] if spec.bureau else None
        if spec.mobile:
            user.mobile = user.phone = spec.mobile
        if user.pk is None or reset_passwords:
            validate_password(spec.password, user)
            user.set_password(spec.password)
        user.save()
        user.groups.set([groups[Role(r)] for r in spec.roles])
        users[spec.username] = user
    return users


def ensure_operators(users: dict[str, User]) -> None:
    shops = Shop.objects.in_bulk([u.shop for u in DEMO_USERS if u.shop], field_name="slug")
    for spec in DEMO_USERS:
        if spec.shop:
            shops[spec.shop].operators.add(users[spec.username])


def ensure_buyer_address(users: dict[str, User]) -> None:
    """The demo buyer's address book holds one address (made once, kept by reset like the user)."""
    username, recipient, mobile, county, detail = data.BUYER_ADDRESS
    if Address.objects.filter(user=users[username]).exists():
        return
    region = AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code=county)
    orders_services.add_address(users[username], orders_services.AddressDetails(recipient, mobile, region, detail))


def demo_logins() -> list[DemoLogin]:
    return [DemoLogin(_role_label(spec), spec.username, spec.password, spec.sees, spec.mobile) for spec in DEMO_USERS]


def _role_label(spec: DemoUser) -> str:
    if spec.username.startswith("unit-"):
        return "institutional buyer"
    return spec.roles[0]


# --- content: made once, wiped by reset -----------------------------------------------------------------------------


def reset_demo() -> None:
    """Delete the demo's content (shops and all that hangs off them, households,
    collectives, pictures, story pages). Reference data (regions, villages, categories,
    bureaus, users) stays and is brought up to date by the next build."""
    shops = Shop.objects.filter(slug__in=shop_slugs())
    products = Product.objects.filter(shop__in=shops)
    shop_ids = list(shops.values_list("pk", flat=True))
    # The shops' orders, app by app: what points at an order goes first.
    order_ids = orders_of_shops(shop_ids)
    purge_ledger(order_ids, shop_ids)
    purge_organisation_orders(order_ids)  # acceptances point at after-sales requests
    purge_after_sales_of_orders(order_ids)
    purge_organisations([demo_unit_credit_code()])
    purge_invoices_of_orders(order_ids)
    purge_offline_sales_of_orders(order_ids)  # rows point at the orders and their refunds
    purge_points([POINT_CODE])
    purge_money_of_orders(order_ids)
    purge_orders(order_ids, shop_ids)
    purge_events_of_shops(shop_ids)
    purge_pairings(PAIRING_NAMES)  # after the ledger that counted under them
    product_ids = list(products.values_list("pk", flat=True))
    purge_batches_of_products(product_ids)  # after the order lines packed from them
    purge_for_products(product_ids)
    # Children before parents, in chunks (after --products 100000 there are half a million rows).
    _delete_in_chunks(BenefitShare.objects.filter(linkage__product__in=products))
    _delete_in_chunks(BenefitLinkage.objects.filter(product__in=products))
    _delete_in_chunks(ProductImage.objects.filter(product__in=products))
    _delete_in_chunks(products)
    Producer.objects.filter(shop__in=shops).delete()
    shops.delete()
    _delete_in_chunks(Household.objects.filter(village__code__in=village_codes()))
    Collective.objects.filter(village__code__in=village_codes()).delete()
    get_image_model().objects.filter(collection__name=data.DEMO_COLLECTION_NAME).delete()
    for page in ArticleIndexPage.objects.filter(slug=data.STORY_INDEX_SLUG):
        page.delete()
    for page in PavilionIndexPage.objects.filter(slug=data.PAVILION_INDEX_SLUG):
        page.delete()  # and the pavilions under it
    for page in CampaignIndexPage.objects.filter(slug=data.CAMPAIGN_INDEX_SLUG):
        page.delete()  # and the campaign under it


def _delete_in_chunks(queryset, chunk: int = 2000) -> None:
    """Delete in chunks, and clear Wagtail's reference index for the whole chunk at once
    instead of two queries per row from its post_delete handler."""
    model = queryset.model
    base_type = ReferenceIndex._get_base_content_type(model)
    pks = list(queryset.values_list("pk", flat=True))
    with disable_reference_index_auto_update():
        for start in range(0, len(pks), chunk):
            part = pks[start : start + chunk]
            model.objects.filter(pk__in=part).delete()
            ids = [str(pk) for pk in part]
            ReferenceIndex.objects.filter(base_content_type=base_type, object_id__in=ids).delete()
            ReferenceIndex.objects.filter(to_content_type=base_type, to_object_id__in=ids).delete()


class _PlaceNames:
    """Official names of a village's county and township, read once."""

    def __init__(self):
        codes = {v.county_code for v in VILLAGES} | {v.township_code for v in VILLAGES}
        self.names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))

    def county(self, v: DemoVillage) -> str:
        return self.names[v.county_code]

    def origin(self, v: DemoVillage) -> str:
        return f"{self.names[v.county_code]}{self.names[v.township_code]}{v.name}"


def _build_content(
    seed: int, villages: dict[str, Region], categories: dict[str, Category], users: dict[str, User], *, images: bool
) -> dict:
    rng_people = random.Random(f"{seed}:households")
    rng_codes = random.Random(f"{seed}:credit-codes")
    rng_products = random.Random(f"{seed}:products")
    rng_shares = random.Random(f"{seed}:shares")
    places = _PlaceNames()
    used_codes = set(Producer.objects.exclude(credit_code="").values_list("credit_code", flat=True))
    used_codes |= set(Collective.objects.exclude(credit_code="").values_list("credit_code", flat=True))
    collection = demo_collection() if images else None
    operator_of = {u.shop: users[u.username] for u in DEMO_USERS if u.shop}
    counts = dict.fromkeys(["shops", "producers", "households", "collectives", "products", "images", "linkages"], 0)
    all_products: list[Product] = []

    for v in VILLAGES:
        village = villages[v.code]
        guizhou = v.code.startswith("52")
        payee_name, payee_bank, payee_account = data.SHOP_PAYEES.get(v.slug, ("", "", ""))
        shop = Shop.objects.create(
            name=v.shop_name,
            slug=v.slug,
            region=village,
            description=v.shop_description,
            contact_phone=v.phone,
            is_active=v.shop_active,
            payee_name=payee_name,
            payee_bank=payee_bank,
            payee_account=payee_account,
        )
        counts["shops"] += 1

        collective_code = credit_code(rng_codes, Producer.Kind.COLLECTIVE, v.county_code, used_codes)
        collective = Collective.objects.create(
            name=f"{places.county(v)}{v.name}股份经济合作社", village=village, credit_code=collective_code
        )
        counts["collectives"] += 1
        households = Household.objects.bulk_create(
            Household(
                registration_number=f"{v.code}{n:05d}",
                head_name=person_name(rng_people, village_surname=v.surname, guizhou=guizhou),
                members=rng_people.randint(1, 6),
                status=household_status(rng_people),
                village=village,
            )
            for n in range(1, rng_people.randint(8, 12) + 1)
        )
        counts["households"] += len(households)

        producers = {}
        for p in v.producers:
            if p.kind == Producer.Kind.HOUSEHOLD:
                code = ""
            elif p.kind == Producer.Kind.COLLECTIVE:
                code = collective_code  # the same organisation sells and receives the retained share
            else:
                code = credit_code(rng_codes, p.kind, v.county_code, used_codes)
            producers[p.key] = Producer.objects.create(
                shop=shop, name=p.name, kind=p.kind, credit_code=code, region=village, description=p.description
            )
        counts["producers"] += len(producers)

        operator = operator_of.get(v.slug)  # who recorded the shop's linkages
        for p in v.products:
            producer = producers[p.producer]
            product = Product.objects.create(
                shop=shop,
                producer=producer,
                category=categories[p.category],
                title=p.title,
                summary=p.summary,
                description=(
                    f"{p.summary}。\n产地：{places.origin(v)}。生产主体：{producer.name}。\n"
                    "每卖出一件，收入按登记的利益联结机制分给本村的帮扶户和村集体。"
                ),
                unit=p.unit,
                price_fen=demo_price(rng_products, p.price_fen),
                stock=rng_products.randint(20, 800),
                origin_region=village,
                is_listed=p.listed,
            )
            all_products.append(product)
            picture_count = 2 if rng_products.random() < 0.4 else 1
            if images:
                top = categories[p.category].parent.slug
                for n in range(picture_count):
                    png = card_png(p.title, f"{places.county(v)}{v.name} · {p.unit}", data.CATEGORY_COLOURS[top], n)
                    image = save_wagtail_image(
                        p.title, png, f"demo-{v.slug}-{len(all_products):03d}-{n}.png", collection
                    )
                    ProductImage.objects.create(product=product, image=image, sort_order=n)
                    counts["images"] += 1

            draws = draw_shares(rng_shares, households, collective)
            valid_from = DEMO_BASE + timedelta(days=len(all_products) % 30)
            revise_benefit_linkage(product, _specs(draws), by=operator, valid_from=valid_from, note="初始利益联结")
            counts["linkages"] += 1
            # Every twelfth product had its linkage revised later: history to look at.
            if len(all_products) % 12 == 0:
                draws = draw_shares(rng_shares, households, collective)
                revise_benefit_linkage(
                    product,
                    _specs(draws),
                    by=operator,
                    valid_from=valid_from + timedelta(days=90),
                    note="调整受益户名单",
                )
                counts["linkages"] += 1

    # A few products sold out, chosen by the seed.
    for product in rng_products.sample(all_products, 4):
        product.stock = 0
        product.save(update_fields=["stock"])
    counts["products"] = len(all_products)
    return counts


def _specs(draws) -> list[ShareSpec]:
    return [
        ShareSpec(
            share_bp=d.share_bp,
            mode=d.mode,
            household=None if d.is_collective else d.beneficiary,
            collective=d.beneficiary if d.is_collective else None,
        )
        for d in draws
    ]


def ensure_story_pages(*, images: bool) -> int:
    """The story index and its articles, from the source reports. Returns pages made."""
    home, _catalog = ensure_storefront_pages()
    index = ArticleIndexPage.objects.filter(slug=data.STORY_INDEX_SLUG).first()
    made = 0
    if index is None:
        home.refresh_from_db()
        index = home.add_child(
            instance=ArticleIndexPage(
                title="助农故事",
                slug=data.STORY_INDEX_SLUG,
                intro="<p>消费帮扶背后的村庄、合作社和人。</p>",
            )
        )
        made += 1
    collection = demo_collection() if images else None
    regions = Region.objects.in_bulk([a.region for a in data.ARTICLES if a.region], field_name="code")
    for n, article in enumerate(data.ARTICLES):
        if ArticlePage.objects.filter(slug=article.slug).exists():
            continue
        cover = None
        if images:
            png = card_png(article.title, article.date.isoformat(), (60, 110, 90), n % 2)
            cover = save_wagtail_image(article.title, png, f"demo-story-{n}.png", collection)
        index.add_child(
            instance=ArticlePage(
                title=article.title,
                slug=article.slug,
                kind=article.kind,
                date=article.date,
                summary=article.summary,
                cover=cover,
                region=regions.get(article.region),
                body=[
                    (kind, RichText(f"<p>{text}</p>") if kind == "paragraph" else text)
                    for kind, text in article.paragraphs
                ],
            )
        )
        index.refresh_from_db()  # treebeard keeps child counts on the parent
        made += 1
    return made


def ensure_pavilions() -> int:
    """The pavilion index (slug ``pavilions``) and the demo's pavilions, a county's under its
    city's; the review workflow on them. The bureaus' groups get their pavilions as these are
    made (cms/rights.py). Returns pages made."""
    home, _catalog = ensure_storefront_pages()
    index = PavilionIndexPage.objects.first()
    made = 0
    if index is None:
        home.refresh_from_db()
        index = home.add_child(
            instance=PavilionIndexPage(
                title="地方馆",
                slug=data.PAVILION_INDEX_SLUG,
                intro="<p>按省、市、县逛各地的扶贫产品、村级网店、直播和助农故事。</p>",
            )
        )
        made += 1
    regions = Region.objects.in_bulk([p.region for p in data.PAVILIONS], field_name="code")
    have = set(PavilionPage.objects.filter(region__in=regions.values()).values_list("region__code", flat=True))
    for spec in data.PAVILIONS:
        if spec.region in have:
            continue
        parent = PavilionPage.objects.get(region__code=spec.parent) if spec.parent else index
        parent.refresh_from_db()  # treebeard keeps child counts on the parent
        parent.add_child(
            instance=PavilionPage(title=spec.title, slug=spec.slug, region=regions[spec.region], intro=spec.intro)
        )
        made += 1
    ensure_pavilion_workflow()
    return made


def _campaign_products(starts) -> list[Product]:
    """The campaign's own list, of listed products: those the demo's buyers bought most
    since it began (so its figures are not all zero), then the demo shops' products taken
    in turn, one of each shop then the next of each."""
    sold = list(
        ProductSalesSummary.objects.filter(
            grain=Grain.DAY, day__gte=timezone.localtime(starts).date(), product__shop__slug__in=shop_slugs()
        )
        .values("product_id")
        .annotate(total=Sum("sales_fen"))
        .order_by("-total", "product_id")
        .values_list("product_id", flat=True)[: data.CAMPAIGN.products // 2]
    )
    listed = Product.objects.listed().filter(shop__slug__in=shop_slugs())
    taken: list[Product] = list(listed.in_bulk(sold).values())
    taken.sort(key=lambda p: sold.index(p.pk))
    by_shop: dict[int, list[Product]] = {}
    for product in listed.order_by("shop__slug", "pk"):
        by_shop.setdefault(product.shop_id, []).append(product)
    for round_ in range(max((len(v) for v in by_shop.values()), default=0)):
        taken += [p for products in by_shop.values() if round_ < len(products) and (p := products[round_]) not in taken]
    return taken[: data.CAMPAIGN.products]


def ensure_campaign(*, images: bool) -> int:
    """The campaign index (slug ``campaigns``) and the demo's running campaign: a banner,
    its own products, a body of blocks (a product grid by rule, the live strip, the
    figures over its dates, a call to action to the pavilions); and a banner on the home
    page leading to it while it runs. Returns pages made."""
    spec = data.CAMPAIGN
    home, _catalog = ensure_storefront_pages()
    index = CampaignIndexPage.objects.first()
    made = 0
    if index is None:
        home.refresh_from_db()
        index = home.add_child(
            instance=CampaignIndexPage(
                title="专题活动",
                slug=data.CAMPAIGN_INDEX_SLUG,
                intro="<p>消费帮扶月、年货节、832 专区：平台和各地商务局组织的专题选购活动。</p>",
            )
        )
        made += 1
    if CampaignPage.objects.filter(slug=spec.slug).exists():
        return made
    starts = day_start(timezone.localdate() - timedelta(days=spec.started_days_ago))
    ends = day_start(timezone.localdate() + timedelta(days=spec.runs_days - spec.started_days_ago))
    banner = None
    if images:
        png = banner_png(spec.title, "认定扶贫产品 · 村级网店直供 · 收益到户", (178, 34, 34))
        banner = save_wagtail_image(spec.title, png, "demo-campaign-banner.png", demo_collection())
    heze = Region.objects.filter(code="3717").first()
    pavilions = PavilionIndexPage.objects.first()
    body = [
        {"type": "paragraph", "value": spec.intro},
        {
            "type": "product_grid",
            "value": {
                "title": "菏泽好物",
                "source": "region" if heze else "newest",
                "products": [],
                "category": None,
                "region": heze.pk if heze else None,
                "shop": None,
                "sort": "newest",
                "count": 8,
                "more": {"page": None, "url": ""},
            },
        },
        {"type": "live_strip", "value": {"title": "年货节直播", "region": None, "count": 4}},
        {
            "type": "figures",
            "value": {
                "title": "年货节消费帮扶进度",
                "region": None,
                "start_date": timezone.localtime(starts).date().isoformat(),
                "end_date": None,
            },
        },
    ]
    if pavilions is not None:
        body.append(
            {
                "type": "cta",
                "value": {
                    "title": "逛地方馆",
                    "text": "按省、市、县找家乡的扶贫产品、村级网店和助农故事。",
                    "button_label": "去地方馆",
                    "link": {"page": pavilions.pk, "url": ""},
                },
            }
        )
    index.refresh_from_db()
    campaign = index.add_child(
        instance=CampaignPage(
            title=spec.title,
            slug=spec.slug,
            summary=spec.summary,
            starts_at=starts,
            ends_at=ends,
            banner=banner,
            body=body,
            campaign_products=[
                CampaignProduct(product=product, sort_order=n) for n, product in enumerate(_campaign_products(starts))
            ],
        )
    )
    campaign.save_revision().publish()
    made += 1
    if images:
        backdrop = banner_png("", "", (178, 34, 34))
        _feature_on_home(
            campaign, save_wagtail_image(spec.title, backdrop, "demo-home-banner.png", demo_collection()), starts, ends
        )
    return made


def _feature_on_home(campaign: CampaignPage, banner, starts, ends) -> None:
    """The campaign's banner first on the home page, shown from its start to its end
    (a banner left by an earlier demo, whose picture is gone, is dropped)."""
    home = HomePage.objects.first()
    stream = [
        {"type": child.block_type, "value": child.block.get_prep_value(child.value), "id": child.id}
        for child in home.body
        if not (child.block_type == "banner" and child.value.get("image") is None)
    ]
    stream.insert(
        0,
        {
            "type": "banner",
            "value": {
                "image": banner.pk,
                "title": campaign.title,
                "subtitle": "认定扶贫产品集中上架，下单即助农",
                "link": {"page": campaign.pk, "url": ""},
                "starts_at": timezone.localtime(starts).isoformat(),
                "ends_at": timezone.localtime(ends).isoformat(),
            },
        },
    )
    home.body = stream
    home.save_revision().publish()


def ensure_platform_payee() -> None:
    """The platform's transfer payee (a demo account), unless an administrator has already
    filled in one: a real account is never overwritten by the demo."""
    name, bank, number = data.PLATFORM_PAYEE
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        set_platform_payee(site, account_name=name, bank_name=bank, account_number=number, overwrite=False)


def warm_renditions(product_ids: list[int]) -> None:
    """Make the storefront's renditions now (or on a worker, with a broker), after commit."""
    for pk in product_ids:
        enqueue_after_commit(generate_product_renditions, (pk,))


def build_demo(
    *, seed: int = 1, reset: bool = False, images: bool = True, renditions: bool = False, log: Log = print
) -> DemoResult:
    """Make the demo marketplace. Without ``reset``, content already there is kept and
    only reference data and logins are brought up to date. ``renditions`` makes the
    storefront's picture sizes now (about 0.15 s a picture, or on a worker when a broker
    is configured) rather than on the first visit."""
    with transaction.atomic():
        result = DemoResult(built=False)
        result.regions_created = ensure_regions()
        if result.regions_created:
            log(f"已载入行政区划 loaded {result.regions_created} regions")
        if reset:
            reset_demo()
            log("已清除演示数据 demo content wiped")
        villages = ensure_villages()
        categories = ensure_categories()
        bureaus = ensure_bureaus()
        users = ensure_users(bureaus, reset_passwords=reset)
        ensure_buyer_address(users)
        if demo_present():
            log("演示数据已存在，未重建（用 --reset 重建） demo content already present; use --reset to rebuild")
        else:
            result.counts = _build_content(seed, villages, categories, users, images=images)
            result.built = True
        ensure_operators(users)
        if result.built:
            certification = certify_demo_products(
                Product.objects.filter(shop__slug__in=shop_slugs()).select_related("shop", "producer").order_by("pk"),
                operators={spec.shop: users[spec.username] for spec in DEMO_USERS if spec.shop},
                admin=users["admin"],
            )
            result.counts.update({f"certification_{k}": v for k, v in vars(certification).items()})
            live = build_live_demo(seed, users, log)
            result.live_events, result.live_token = live.events, live.token
            result.counts["live_orders"] = live.orders
            sales = make_demo_sales(admin=users["admin"], seed=seed)  # for the consumption-support reports
            result.counts.update({f"sales_{k}": v for k, v in vars(sales).items()})
            result.trace = make_demo_batches(
                Product.objects.filter(shop__slug__in=shop_slugs())
                .select_related("shop__region", "producer__region")
                .order_by("pk"),
                users,
                seed=seed,
            )  # a batch of each product with its inspection report, before any parcel ships; one sheet of unit codes
            result.counts.update({f"trace_{k}": v for k, v in vars(result.trace).items() if isinstance(v, int)})
            result.counts["reviews"] = make_demo_review(users, images=images)  # shipped, received, reviewed
            result.counts["after_sales"] = make_demo_after_sale(users, images=images)  # open, awaiting the shop
            result.trace.recall_batch, result.counts["recalled_orders"] = make_demo_recall(users)  # shipped, recalled
            unit = make_demo_unit(users, admin=users["admin"])  # a budget unit a third of the way to its quota
            result.counts["unit_orders"] = unit.orders
            result.counts["invoices"] = make_demo_invoices(users)  # one issued (PDF), one awaiting the shop
            result.counts["pairings"] = len(make_pairings(users["admin"]))  # before the 专柜's sales count under one
            result.channels = make_offline_point(users["admin"], seed=seed)  # a week of 专柜 sales, one batch refused
            result.counts["offline_rows"] = result.channels.rows
        else:
            result.live_events = retime_live_demo(seed, log)
        result.logins = demo_logins()
        result.counts["pages"] = ensure_story_pages(images=images)
        result.counts["pavilion_pages"] = ensure_pavilions()
        result.counts["campaign_pages"] = ensure_campaign(images=images)
        ensure_platform_payee()  # on the default site, which the storefront pages have made sure of
        # Last, once every page the menus link to is there; made anew with the pages they
        # link to (--reset), kept as an administrator left them otherwise.
        ensure_navigation_menus(replace=reset)
        result.counts["categories"] = len(categories)
        result.counts["villages"] = len(villages)
        result.counts["bureaus"] = len(bureaus)
        if result.built and images and renditions:
            warm_renditions(list(Product.objects.filter(shop__slug__in=shop_slugs()).values_list("pk", flat=True)))
    return result
