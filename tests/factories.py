"""Factories for every model, in one place. Small, explicit defaults: a test names what
matters to it and lets the factory fill in the rest."""

import datetime as dt
import io
import itertools

import factory
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from catalog.models import Category, Product, ProductImage, Shop
from core.models import Bureau, User
from core.roles import Role, sync_role_groups
from orders.models import Address, AddressRegion, FulfilmentStatus, Order, OrderLine, Review, ReviewPhoto, SubOrder
from producers.models import Collective, Household, Producer, Region


class RegionFactory(factory.django.DjangoModelFactory):
    """By default a demo village under a made-up chain; pass parent/code for real trees."""

    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"99{n:010d}")
    name = factory.Sequence(lambda n: f"测试村{n}")
    level = Region.Level.VILLAGE
    parent = None
    is_official = False


def region_chain(province="37", city="3717", county="371722", township="371722100", village="371722100201"):
    """Province > city > county > township > village, created (or reused) by code."""
    names = {
        "37": "山东省",
        "3717": "菏泽市",
        "371722": "单县",
        "371723": "成武县",
        "371722100": "浮岗镇",
        "371723100": "汶上镇",
    }
    parent = None
    out = []
    for level, code in enumerate([province, city, county, township, village], start=1):
        if code is None:
            break
        parent = RegionFactory(
            code=code,
            name=names.get(code, f"地区{code}"),
            level=level,
            parent=parent,
            is_official=level < Region.Level.VILLAGE,
        )
        out.append(parent)
    return out


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.django.Password("pass-1234-word")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        groups = sync_role_groups()
        self.groups.add(*(groups[Role(r)] for r in extracted))


class BureauFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bureau

    name = factory.Sequence(lambda n: f"测试商务局{n}")
    region = factory.SubFactory(RegionFactory)


def officer_for(region, **kwargs) -> User:
    bureau = BureauFactory(region=region, name=f"{region.name}商务局")
    return UserFactory(bureau=bureau, roles=[Role.BUREAU_OFFICER], **kwargs)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"品类{n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试村电商网店{n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    region = factory.SubFactory(RegionFactory)
    is_active = True

    @factory.post_generation
    def operators(self, create, extracted, **kwargs):
        if create and extracted:
            self.operators.add(*extracted)


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"测试合作社{n}")
    kind = Producer.Kind.COOPERATIVE
    region = factory.SelfAttribute("shop.region")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    registration_number = factory.Sequence(lambda n: f"3717221002{n:08d}")
    head_name = "张小文"
    members = 3
    status = Household.Status.LIFTED_OUT
    village = factory.SubFactory(RegionFactory)


class CollectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collective

    village = factory.SubFactory(RegionFactory)
    name = factory.LazyAttribute(lambda c: f"{c.village.name}股份经济合作社")


class ProductFactory(factory.django.DjangoModelFactory):
    """A product with a certificate valid today, so it is on the storefront; pass
    ``certified=False`` for one that is not."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    shop = factory.SubFactory(ShopFactory)
    producer = factory.SubFactory(ProducerFactory, shop=factory.SelfAttribute("..shop"))
    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"菏泽铁棍山药{n}号")
    summary = "沙土地种植，口感绵密"
    description = "产自单县的铁棍山药。"
    unit = "2.5千克/箱"
    price_fen = 5990
    stock = 100
    origin_region = factory.SelfAttribute("shop.region")

    @factory.post_generation
    def certified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            certify_product(self)


def make_image(title="产品图", color=(180, 60, 40), size=(640, 480)):
    """A real PNG in Wagtail's image library."""
    buf = io.BytesIO()
    PILImage.new("RGB", size, color).save(buf, format="PNG")
    buf.seek(0)
    return get_image_model().objects.create(title=title, file=ImageFile(buf, name="product.png"))


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(make_image)
    sort_order = 0


_certificate_numbers = itertools.count(1)


def certify_product(product, *, valid_from=None, valid_until=None, bureau=None):
    """Give ``product`` a certificate directly, without the workflow (tests of the
    workflow itself go through certification.services)."""
    from certification.models import Application, Certificate, Status

    today = timezone.localdate()
    valid_from = valid_from or today - dt.timedelta(days=30)
    valid_until = valid_until or today + dt.timedelta(days=700)
    bureau = bureau or BureauFactory(region=product.producer.region)
    application = Application.objects.create(
        product=product,
        producer=product.producer,
        benefit_modes=["purchase"],
        households_count=1,
        status=Status.CERTIFIED,
        created_by=UserFactory(),
    )
    return Certificate.objects.create(
        number=f"FPTEST{next(_certificate_numbers):09d}",
        application=application,
        product=product,
        producer=product.producer,
        bureau=bureau,
        valid_from=valid_from,
        valid_until=valid_until,
    )


# --- buying (orders) ------------------------------------------------------------------------------------


def valid_credit_code(prefix: str = "91371722MA3C4D5E6") -> str:
    """A unified social credit code with a correct check character."""
    from core.validators import credit_code_check_char

    return prefix + credit_code_check_char(prefix)


def address_county(code: str = "371722") -> AddressRegion:
    """A county of the address-region table (all of China, loaded by orders' migration 0004)."""
    return AddressRegion.objects.get(level=AddressRegion.Level.COUNTY, code=code)


def ship_county() -> AddressRegion:
    """单县 (山东省 菏泽市), for shipping addresses."""
    return address_county("371722")


class AddressFactory(factory.django.DjangoModelFactory):
    """A saved address; the first of a user's book should be the default (``is_default=True``)."""

    class Meta:
        model = Address

    user = factory.SubFactory("tests.factories.UserFactory")
    recipient_name = "陈静"
    mobile = "13812345678"
    region = factory.LazyFunction(ship_county)
    detail = "城关街道人民路 8 号"
    is_default = True


def buyer_details(**overrides):
    """Checkout details of an individual buyer shipping to 单县."""
    from orders.services import BuyerDetails

    values = {
        "buyer_type": "individual",
        "contact_name": "王芳",
        "email": "wangfang@example.cn",
        "mobile": "13812345678",
        "ship_region": overrides.pop("ship_region", None) or ship_county(),
        "ship_detail": "城关街道人民路 8 号",
        "recipient_name": "王芳",
        "recipient_mobile": "13812345678",
    }
    values.update(overrides)
    return BuyerDetails(**values)


def place_order_for(products_quantities, *, method="transfer", user=None, **buyer):
    """An order through the real checkout service: [(product, quantity), ...]."""
    from live.pricing import quotes_at
    from orders.services import CheckoutLine, place_order

    # The buyer saw the price of the moment: a live event's price while one features it.
    quotes = quotes_at([p for p, _q in products_quantities], timezone.now())
    return place_order(
        lines=[CheckoutLine(p.pk, q, quotes[p.pk].price_fen) for p, q in products_quantities],
        buyer=buyer_details(**buyer),
        payment_method=method,
        user=user,
    )


# --- live-stream sales (live) ----------------------------------------------------------------------------


class LiveEventFactory(factory.django.DjangoModelFactory):
    """A published shops' event of two hours starting tomorrow at 19:00 (Asia/Shanghai);
    pass ``shops=[...]`` (its region then follows from them, as the services keep it)."""

    class Meta:
        model = "live.LiveEvent"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"助农直播第{n}场")
    host = "村播小李"
    is_published = True
    scheduled_start = factory.LazyFunction(
        lambda: timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    )
    scheduled_end = factory.LazyAttribute(lambda e: e.scheduled_start + dt.timedelta(hours=2))

    @factory.post_generation
    def shops(self, create, extracted, **kwargs):
        if create and extracted:
            from live.services import common_region

            self.shops.add(*extracted)
            if self.region_id is None and self.organiser_bureau_id is None:
                self.region = common_region(extracted)
                self.save(update_fields=["region"])


class FeaturedProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "live.FeaturedProduct"

    event = factory.SubFactory(LiveEventFactory)
    product = factory.SubFactory(ProductFactory)
    event_price_fen = None


# --- reviews (orders) -------------------------------------------------------------------------------------

_review_orders = itertools.count(1)


def review_for(product, rating: int, *, name: str = "陈静", text: str = "很好吃", photos: int = 0, **fields) -> Review:
    """A review of ``product`` on a completed one-line order of its own, made in the database
    directly (for the product page's lists and counts; the buyer's way in is tested through
    the order pages). Photo rows point at no file: pages only link them."""
    n = next(_review_orders)
    now = timezone.now()
    order = Order.objects.create(
        number=f"R{n:012d}",
        buyer_type="individual",
        contact_name=name,
        email=f"reviewer{n}@example.cn",
        mobile="13812345678",
        ship_region_code="371722",
        ship_region_name="山东省 菏泽市 单县",
        ship_detail="人民路 1 号",
        recipient_name=name,
        recipient_mobile="13812345678",
        payment_method="transfer",
        total_fen=product.price_fen,
        paid_fen=product.price_fen,
        status="paid",
        payment_due_at=now,
        paid_at=now,
    )
    suborder = SubOrder.objects.create(
        order=order, shop=product.shop, status=FulfilmentStatus.COMPLETED, subtotal_fen=product.price_fen
    )
    line = OrderLine.objects.create(
        suborder=suborder, product=product, title=product.title, unit_price_fen=product.price_fen, quantity=1
    )
    review = Review.objects.create(line=line, product=product, author_name=name, rating=rating, text=text, **fields)
    for k in range(photos):
        ReviewPhoto.objects.create(
            review=review,
            file=f"reviews/test/{review.pk}-{k}.png",
            original_name="p.png",
            content_type="image/png",
            size=1,
        )
    return review
