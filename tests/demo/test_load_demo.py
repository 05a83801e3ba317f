"""``manage.py load_demo``: the deterministic demo marketplace."""

import io
import random
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import GroupPagePermission, ReferenceIndex, Workflow, WorkflowPage

from catalog.models import Category, Product, ProductImage, Shop
from cms.models import (
    ArticleIndexPage,
    ArticlePage,
    CampaignIndexPage,
    CampaignPage,
    CatalogPage,
    HomePage,
    NavigationSettings,
    PavilionIndexPage,
    PavilionPage,
)
from cms.rights import PAVILION_WORKFLOW_NAME
from core import sms
from core.models import Bureau, User
from core.roles import Role, roles_of
from core.scoping import scope_queryset, user_can
from core.validators import validate_credit_code
from demo.data import DEMO_BASE, VILLAGES
from orders.models import Address
from payments.models import TransferPayee
from producers.models import BenefitLinkage, BenefitShare, Collective, Household, Producer, Region

DEMO_PRODUCTS = sum(len(v.products) for v in VILLAGES)


def load_demo(*args) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def assert_linkage_invariants():
    """Every product has exactly one open linkage version; shares of any version add up
    to at most 10,000 basis points."""
    products = Product.objects.count()
    open_versions = BenefitLinkage.objects.filter(valid_to__isnull=True)
    assert open_versions.count() == products
    assert open_versions.values("product").distinct().count() == products
    totals = BenefitLinkage.objects.annotate(total=Sum("shares__share_bp"), n=Count("shares"))
    assert totals.filter(n=0).count() == 0
    assert max(t.total for t in totals) <= 10_000
    return totals


@pytest.mark.django_db
def test_default_demo_content(demo_media):
    output = load_demo("--seed", "1")

    # Categories: the seven of the sources, each with 2 to 4 sub-categories, ASCII slugs.
    top = Category.objects.filter(parent=None)
    assert list(top.values_list("name", flat=True)) == [
        "果蔬",
        "粮油",
        "休闲食品",
        "日用品",
        "熟食糕点",
        "花卉苗木",
        "手工艺品",
    ]
    assert all(2 <= c.children.count() <= 4 for c in top)
    assert Category.objects.count() == 7 + 24
    assert all(c.slug.isascii() for c in Category.objects.all())

    # Villages: demo level-5 regions under real townships in 5 cities.
    villages = Region.objects.filter(level=Region.Level.VILLAGE)
    assert villages.count() == 14
    assert not villages.filter(is_official=True).exists()
    for village in villages.select_related("parent"):
        assert len(village.code) == 12 and village.code[:9] == village.parent.code
        assert village.parent.is_official and village.parent.level == Region.Level.TOWNSHIP
    assert {v.code[:4] for v in villages} == {"3717", "3704", "3715", "4101", "5226"}
    assert Region.objects.get(code="371722110201").full_name() == "山东省 菏泽市 单县 浮岗镇 朱楼村"

    # Shops: one per village, one of them closed.
    assert Shop.objects.count() == 14
    assert list(Shop.objects.filter(is_active=False).values_list("name", flat=True)) == ["曹县桐庄村电商服务站"]
    assert Shop.objects.filter(name="单县朱楼村电商服务站", region__code="371722110201").exists()

    # Products: realistic, priced in fen, some sold out, one unlisted.
    assert Product.objects.count() == DEMO_PRODUCTS == 78
    titles = set(Product.objects.values_list("title", flat=True))
    assert {
        "冷榨牡丹籽油",
        "单县白芦笋（头茬）",
        "菏泽铁棍山药",
        "东阿阿胶块",
        "薄皮核桃",
        "手织鲁锦床单",
        "刺梨原汁",
    } <= titles
    assert Product.objects.filter(stock=0).count() == 4
    assert Product.objects.filter(is_listed=False).count() == 1
    assert all(p.price_fen % 100 == 90 for p in Product.objects.all())
    assert not Product.objects.exclude(origin_region=F("shop__region")).exists()

    # The storefront's one listing query leaves out the closed shop's products.
    closed_shop_products = Product.objects.filter(shop__is_active=False)
    assert closed_shop_products.count() == 3
    assert not Product.objects.listed().filter(pk__in=closed_shop_products).exists()

    # Pictures: 1 or 2 real PNGs per product, in Wagtail's library.
    per_product = Counter(ProductImage.objects.values_list("product_id", flat=True))
    assert set(per_product.values()) == {1, 2} and len(per_product) == DEMO_PRODUCTS
    image = ProductImage.objects.select_related("image").first().image
    assert (demo_media / image.file.name).is_file()
    with image.open_file() as fh:
        png = PILImage.open(fh)
        assert (png.format, png.size) == ("PNG", (600, 600))
        # A drawn card, not a flat rectangle: the title's white strokes are on it.
        assert (255, 255, 255) in {colour for _n, colour in png.convert("RGB").getcolors(maxcolors=100_000)}
    # + the story covers, the campaign's banner and the home page banner's backdrop
    assert get_image_model().objects.count() == sum(per_product.values()) + 6 + 2

    # Producers: valid unified social credit codes, none for households.
    producers = Producer.objects.all()
    assert set(producers.values_list("kind", flat=True)) == set(Producer.Kind.values)
    for producer in producers:
        if producer.kind == Producer.Kind.HOUSEHOLD:
            assert producer.credit_code == ""
        else:
            validate_credit_code(producer.credit_code)
    for collective in Collective.objects.all():
        validate_credit_code(collective.credit_code)
    with pytest.raises(ValidationError):  # the check above can fail: one changed character
        code = producers.exclude(credit_code="").first().credit_code
        validate_credit_code(code[:-1] + ("0" if code[-1] != "0" else "1"))

    # Households and collectives: one collective per village, 1-6 members, all three statuses.
    assert Collective.objects.count() == 14
    assert set(Collective.objects.values_list("village__code", flat=True)) == set(
        villages.values_list("code", flat=True)
    )
    households = Household.objects.all()
    assert 14 * 8 <= households.count() <= 14 * 12
    assert set(households.values_list("status", flat=True)) == set(Household.Status.values)
    assert households.filter(Q(members__lt=1) | Q(members__gt=6)).count() == 0
    assert all(h.registration_number.startswith(h.village.code) for h in households.select_related("village"))

    # Benefit linkages: every product, uneven shares, households of the product's own village.
    totals = assert_linkage_invariants()
    assert BenefitLinkage.objects.filter(version=2).count() == DEMO_PRODUCTS // 12
    assert BenefitLinkage.objects.filter(version=1, valid_from=DEMO_BASE).exists()
    assert any(t.total < 10_000 for t in totals) and any(t.total % 100 for t in totals)
    per_linkage = Counter(BenefitShare.objects.filter(household__isnull=False).values_list("linkage_id", flat=True))
    assert 1 <= min(per_linkage.values()) and max(per_linkage.values()) <= 6
    assert BenefitShare.objects.filter(collective__isnull=False).exists()
    assert (
        not BenefitShare.objects.exclude(household=None)
        .exclude(household__village=F("linkage__product__shop__region"))
        .exists()
    )

    # Bureaus: a province, five cities, nine counties.
    assert Bureau.objects.count() == 15
    assert Bureau.objects.get(region__code="37").name == "山东省商务厅"
    assert Bureau.objects.get(region__code="371722").name == "单县商务局"

    # Pages: the storefront tree and six stories, three of them a pavilion's.
    assert HomePage.objects.count() == 1 and CatalogPage.objects.live().count() == 1
    index = ArticleIndexPage.objects.get(slug="stories")
    stories = ArticlePage.objects.child_of(index).live()
    assert stories.count() == 6
    assert set(stories.exclude(region=None).values_list("slug", "region__code")) == {
        ("heze-peony-workshop", "3717"),
        ("shanxian-yam-cooperative", "371722"),
        ("zaozhuang-pomegranate-village", "3704"),
    }
    # Pavilions: 菏泽市 and 枣庄市 under the index, 单县 under 菏泽市, all under the review workflow.
    pavilions = PavilionIndexPage.objects.get(slug="pavilions")
    assert [(p.title, p.region.code, p.get_parent().pk, p.live) for p in PavilionPage.objects.order_by("path")] == [
        ("菏泽馆", "3717", pavilions.pk, True),
        ("单县馆", "371722", PavilionPage.objects.get(region__code="3717").pk, True),
        ("枣庄馆", "3704", pavilions.pk, True),
    ]
    assert {p.get_workflow().name for p in PavilionPage.objects.all()} == {PAVILION_WORKFLOW_NAME}
    assert "29.7万" in str(stories.get(slug="zaozhuang-live-stream").body)
    assert "132种" in stories.get(slug="zaozhuang-132-products").title

    # The campaign: running, under 专题活动, with 8 listed products of its own and blocks;
    # the home page opens with its banner, linked to it and shown over its dates.
    campaign = CampaignPage.objects.get(slug="nianhuojie")
    assert campaign.live and campaign.get_parent().specific_class is CampaignIndexPage
    assert campaign.starts_at < timezone.now() < campaign.ends_at
    own = [cp.product for cp in campaign.campaign_products.all()]
    assert len(own) == 8 and Product.objects.listed().filter(pk__in=[p.pk for p in own]).count() == 8
    assert [b.block_type for b in campaign.body] == ["paragraph", "product_grid", "live_strip", "figures", "cta"]
    banner = HomePage.objects.get().body[0]
    assert banner.block_type == "banner" and banner.value["link"]["page"].pk == campaign.pk
    assert (banner.value["starts_at"], banner.value["ends_at"]) == (campaign.starts_at, campaign.ends_at)

    assert "演示账号 Demo logins" in output


@pytest.mark.django_db
def test_demo_logins_for_every_role(client):
    output = load_demo("--no-images")

    expected = {
        "admin": {Role.PLATFORM_ADMIN},
        "operator-a": {Role.SHOP_OPERATOR},
        "operator-b": {Role.SHOP_OPERATOR},
        "officer-shanxian": {Role.BUREAU_OFFICER},
        "officer-heze": {Role.BUREAU_OFFICER},
        "officer-zhongmu": {Role.BUREAU_OFFICER},
        "buyer": {Role.BUYER},
        "unit-buyer": {Role.BUYER},
        "unit-approver": {Role.BUYER},
        "unit-finance": {Role.BUYER},
    }
    for username, roles in expected.items():
        user = User.objects.get(username=username)
        assert set(roles_of(user)) == roles, username
        # The printed table gives the password that works.
        assert f"{username}  " in output and f"demo-{username}" in output
        assert authenticate(username=username, password=f"demo-{username}") == user
    assert User.objects.get(username="admin").is_superuser
    assert authenticate(username="operator-a", password="demo-operator-b") is None
    # 姓名 as Chinese people write them, in the one name field.
    names = dict(User.objects.filter(username__in=expected).values_list("username", "name"))
    assert (names["buyer"], names["operator-a"], names["officer-zhongmu"]) == ("陈静", "朱晓燕", "牛志刚")
    assert User.objects.get(username="buyer").get_full_name() == "陈静"

    op_a, op_b = User.objects.get(username="operator-a"), User.objects.get(username="operator-b")
    assert list(op_a.operated_shops.values_list("name", flat=True)) == ["单县朱楼村电商服务站"]
    assert list(op_b.operated_shops.values_list("name", flat=True)) == ["山亭区东庄村电商服务站"]
    # The operator recorded their shop's benefit linkages.
    assert set(
        BenefitLinkage.objects.filter(product__shop__slug="shanxian-zhulou").values_list("created_by", flat=True)
    ) == {op_a.pk}
    assert User.objects.get(username="officer-shanxian").bureau.region.name == "单县"
    assert User.objects.get(username="officer-heze").bureau.region.name == "菏泽市"
    assert User.objects.get(username="officer-zhongmu").bureau.region.name == "中牟县"

    # What they see: operator A only the Zhulou shop; a county officer only their county.
    shop_a_products = Product.objects.filter(shop__slug="shanxian-zhulou")
    assert set(scope_queryset(Product.objects.all(), op_a)) == set(shop_a_products)
    assert not user_can(op_b, "view", shop_a_products.first())
    shanxian = scope_queryset(Product.objects.all(), User.objects.get(username="officer-shanxian"))
    assert set(shanxian.values_list("shop__region__code", flat=True)) == {"371722110201", "371722102203"}
    heze = scope_queryset(Product.objects.all(), User.objects.get(username="officer-heze"))
    assert heze.count() == Product.objects.filter(shop__region__code__startswith="3717").count() == 27
    zhongmu_product = Product.objects.filter(shop__region__code__startswith="410122").first()
    assert not user_can(User.objects.get(username="officer-shanxian"), "view", zhongmu_product)

    # The demo buyer has one saved address, in a province the producer regions do not hold.
    book = Address.objects.filter(user__username="buyer")
    assert [(a.recipient_name, a.region.full_name, a.detail, a.is_default) for a in book] == [
        ("陈静", "广东省 广州市 天河区", "天河路 385 号 2 栋 1203 室", True)
    ]
    assert not Region.objects.filter(code__startswith="44").exists()

    # Operator A signs in to the admin with the printed login.
    assert client.login(username="operator-a", password="demo-operator-a")
    assert client.get("/admin/").status_code == 200

    # Pavilions: officer-shanxian edits 单县's only, officer-heze 菏泽市's and 单县's; the operator none.
    pavilion = {p.region.code: p for p in PavilionPage.objects.select_related("region")}
    may_edit = {"operator-a": set(), "officer-shanxian": {"371722"}, "officer-heze": {"3717", "371722"}}
    for username, codes in may_edit.items():
        client.force_login(User.objects.get(username=username))
        for code, page in pavilion.items():
            status = client.get(f"/admin/pages/{page.pk}/edit/").status_code
            assert status == (200 if code in codes else 302), (username, code)
    client.logout()

    # The printed SMS sign-in works: the demo buyer's number, the code the console backend shows.
    assert "短信登录 SMS sign-in: http://127.0.0.1:8000/accounts/login/sms/ — 手机号 13800138000" in output
    client.logout()
    sms.outbox.clear()
    assert client.post("/accounts/code/", {"mobile": "13800138000", "purpose": "login"}).status_code == 200
    code = sms.outbox[-1].params["code"]
    assert client.post("/accounts/login/sms/", {"mobile": "13800138000", "code": code}).status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="buyer").pk)

    # The demo budget unit: three logins with their roles, about a third of its quota spent.
    from procurement.models import Member, Organisation
    from procurement.selectors import quota_progress

    unit = Organisation.objects.get(name="单县机关事务服务中心")
    roles = {m.user.username: m.roles for m in Member.objects.filter(organisation=unit).select_related("user")}
    assert roles == {"unit-buyer": ["admin", "purchaser"], "unit-approver": ["approver"], "unit-finance": ["finance"]}
    progress = quota_progress(unit, timezone.localdate().year)
    assert progress.reserved_fen == 9_000_00
    assert 2_700_00 <= progress.spent_fen <= 3_300_00, progress.spent_fen
    client.force_login(User.objects.get(username="unit-finance"))
    assert client.get(f"/org/{unit.pk}/").status_code == 200
    assert client.get(f"/org/{unit.pk}/members/").status_code == 403
    # One order above the unit's threshold waits for its approver.
    from procurement.models import OrganisationOrder

    waiting = OrganisationOrder.objects.filter(organisation=unit, order__status="awaiting_approval")
    assert waiting.count() == 1 and waiting.get().order.total_fen > unit.approval_threshold_fen == 1_000_00
    client.force_login(User.objects.get(username="unit-approver"))
    assert waiting.get().order.number in client.get(f"/org/{unit.pk}/approvals/").content.decode()
    # Paid after acceptance (30 days) from now on: one order shipped, waiting to be accepted;
    # the first order was accepted and invoiced (a 专用发票 PDF issued by its shop).
    from invoices.models import Invoice
    from procurement.models import Acceptance

    assert unit.payment_terms_days == 30
    on_terms = OrganisationOrder.objects.get(organisation=unit, order__status="on_terms").order
    assert set(on_terms.suborders.values_list("status", flat=True)) == {"shipped"}
    client.force_login(User.objects.get(username="unit-buyer"))
    page = client.get(f"/org/{unit.pk}/acceptance/").content.decode()
    assert on_terms.number in page
    accepted = Acceptance.objects.get(organisation=unit)
    assert accepted.result == "accepted" and accepted.suborder.status == "completed"
    invoice = Invoice.objects.get(suborder=accepted.suborder)
    assert invoice.status == "issued" and invoice.kind == "special"


@pytest.mark.django_db
def test_second_run_keeps_the_demo_and_does_not_duplicate():
    load_demo("--no-images")
    models = (Product, Shop, Producer, Household, Collective, BenefitLinkage, User, Bureau, Address)
    models += (ArticlePage, PavilionPage, Group, GroupPagePermission, Workflow, WorkflowPage)
    counts = [m.objects.count() for m in models]
    operator = User.objects.get(username="operator-a")
    operator.set_password("changed-by-the-user-1")
    operator.save()
    # Bank transfers: the platform's demo account, and one shop's own.
    payee = TransferPayee.objects.get(site__is_default_site=True)
    assert (payee.account_name, payee.bank_name, payee.account_number) == (
        "消费帮扶馆运营服务中心（演示账户）",
        "中国农业银行菏泽分行营业部（演示）",
        "1560 0101 0400 0618 8",
    )
    assert list(Shop.objects.exclude(payee_account="").values_list("slug", "payee_name", "payee_account")) == [
        ("shanxian-zhulou", "单县朱楼村股份经济合作社（演示账户）", "9150 2010 0088 1201 01")
    ]
    payee.account_number = "6228 4800 1234 5678"  # the platform enters its real account
    payee.save()
    # The menus, as editable items: the areas in the default order, pages by page link.
    # (专题活动 and 地方馆 join in when the demo has their index pages.)
    menus = NavigationSettings.objects.get(site__is_default_site=True)
    header = [
        (item.value["label"], item.value["page"].url if item.value["page"] else item.value["url"])
        for item in menus.header
    ]
    order = ["专题活动", "地方馆", "直播带货", "帮扶故事", "扶贫产品目录", "证书核验", "收益查询"]
    assert [label for label, _ in header] == [label for label in order if label in dict(header)]
    assert {
        ("直播带货", "/live/"),
        ("帮扶故事", "/stories/"),
        ("证书核验", "/verify/"),
        ("收益查询", "/statement/"),
    } <= set(header)
    assert [group.value["title"] for group in menus.footer] == ["逛馆", "帮扶服务", "我的"]
    menus.header = [("link", menus.header[0].value)]  # an administrator's change
    menus.save()

    output = load_demo("--no-images")

    assert "demo content already present" in output
    assert [m.objects.count() for m in models] == counts
    assert ArticlePage.objects.count() == 6
    # Each officer stays in their bureau's page editors' group only.
    shanxian = User.objects.get(username="officer-shanxian")
    assert set(shanxian.groups.values_list("name", flat=True)) == {"bureau_officer", "单县商务局 页面编辑"}
    # Without --reset, a password the user changed stays changed.
    assert authenticate(username="operator-a", password="changed-by-the-user-1") is not None
    # The demo never overwrites an account the platform filled in.
    assert TransferPayee.objects.get(site__is_default_site=True).account_number == "6228 4800 1234 5678"
    # Nor the menus an administrator changed.
    assert len(NavigationSettings.objects.get(site__is_default_site=True).header) == 1


def snapshot() -> dict:
    """Everything the seed decides, in creation order, without database ids."""
    return {
        "products": list(
            Product.objects.order_by("pk").values_list(
                "shop__slug",
                "title",
                "price_fen",
                "stock",
                "unit",
                "is_listed",
                "category__slug",
                "producer__credit_code",
            )
        ),
        "households": list(
            Household.objects.order_by("registration_number").values_list(
                "registration_number", "head_name", "members", "status"
            )
        ),
        "shares": list(
            BenefitShare.objects.order_by("linkage__product_id", "linkage__version", "pk").values_list(
                "linkage__product__title",
                "linkage__version",
                "linkage__valid_from",
                "linkage__created_by__username",
                "household__registration_number",
                "collective__credit_code",
                "share_bp",
                "mode",
            )
        ),
    }


@pytest.mark.django_db(transaction=True)  # --reset signs in as the tables' owner: outside any transaction of the test
def test_same_seed_same_data_and_another_seed_other_data():
    random.seed(11)  # the global generator must not matter
    load_demo("--seed", "7", "--no-images")
    first = snapshot()
    assert len(first["products"]) == DEMO_PRODUCTS

    random.seed(99)
    output = load_demo("--seed", "7", "--no-images", "--reset")

    assert "demo content wiped" in output
    assert snapshot() == first
    # The pavilions were made again, and 单县商务局's right to edit its own with them.
    rights = GroupPagePermission.objects.filter(group__editing_bureau__region__code="371722")
    assert list(rights.values_list("page__title", "permission__codename")) == [("单县馆", "change_page")]
    assert authenticate(username="operator-a", password="demo-operator-a") is not None

    load_demo("--seed", "8", "--no-images", "--reset")
    other = snapshot()
    # Same catalogue, other prices, names and shares.
    assert [p[1] for p in other["products"]] == [p[1] for p in first["products"]]
    assert [p[2] for p in other["products"]] != [p[2] for p in first["products"]]
    assert other["households"] != first["households"]
    assert other["shares"] != first["shares"]


@pytest.mark.django_db
def test_scale_option_adds_exactly_n_products_with_linkages_and_reuses_pictures():
    load_demo()
    images_before = get_image_model().objects.count()
    before = {m: m.objects.count() for m in (Product, BenefitLinkage, Household, ProductImage)}

    output = load_demo("--products", "300")

    assert Product.objects.count() == before[Product] + 300
    assert BenefitLinkage.objects.count() == before[BenefitLinkage] + 300
    assert Household.objects.count() == before[Household] + 60
    assert "300 products, 300 linkages" in output
    new_linkages = BenefitLinkage.objects.filter(note="批量演示数据")
    assert new_linkages.count() == 300 and set(new_linkages.values_list("version", flat=True)) == {1}
    assert_linkage_invariants()
    # Beneficiaries live in the product's own village.
    assert (
        not BenefitShare.objects.exclude(household=None)
        .exclude(household__village=F("linkage__product__shop__region"))
        .exists()
    )
    assert (
        not BenefitShare.objects.exclude(collective=None)
        .exclude(collective__village=F("linkage__product__shop__region"))
        .exists()
    )
    # One picture each, from the demo's own pictures: no new image files.
    assert ProductImage.objects.count() == before[ProductImage] + 300
    assert get_image_model().objects.count() == images_before
    base_titles = [p.title for v in VILLAGES for p in v.products]
    demo_picture_ids = set(
        ProductImage.objects.filter(product__title__in=base_titles).values_list("image_id", flat=True)
    )
    assert set(ProductImage.objects.values_list("image_id", flat=True)) == demo_picture_ids

    load_demo("--products", "20")
    assert Product.objects.count() == before[Product] + 320
    assert Household.objects.filter(village__code=VILLAGES[0].code).values(
        "registration_number"
    ).distinct().count() == (Household.objects.filter(village__code=VILLAGES[0].code).count())


@pytest.mark.django_db(transaction=True)  # --reset signs in as the tables' owner: outside any transaction of the test
def test_reset_after_scale_wipes_bulk_rows_and_their_references(client):
    client.get("/admin/login/")  # loads the admin hooks, which register models with Wagtail's reference index
    load_demo("--no-images", "--products", "200")
    assert Product.objects.count() == DEMO_PRODUCTS + 200

    load_demo("--no-images", "--reset")

    assert Product.objects.count() == DEMO_PRODUCTS
    assert BenefitLinkage.objects.count() == DEMO_PRODUCTS + DEMO_PRODUCTS // 12
    assert not Household.objects.filter(registration_number__endswith="00013").exists()  # bulk ones numbered past 12
    product_type = ReferenceIndex._get_base_content_type(Product)
    product_ids = {str(pk) for pk in Product.objects.values_list("pk", flat=True)}
    referenced = set(ReferenceIndex.objects.filter(base_content_type=product_type).values_list("object_id", flat=True))
    referenced |= set(
        ReferenceIndex.objects.filter(to_content_type=product_type).values_list("to_object_id", flat=True)
    )
    assert referenced and referenced <= product_ids


@pytest.mark.django_db(transaction=True)  # --reset signs in as the tables' owner: outside any transaction of the test
def test_reset_wipes_demo_orders_with_their_ledger_payments_and_refunds():
    """Orders made in the demo (and their append-only ledger entries) go with --reset,
    through the one purge path; on PostgreSQL this passes the ledger's trigger."""
    from attribution.models import LedgerEntry
    from orders.models import Order, OrderLine
    from payments import services as payments
    from tests.factories import place_order_for

    load_demo("--no-images")
    admin = User.objects.get(username="admin")
    product = Product.objects.listed().filter(stock__gt=2).order_by("pk").first()
    order = place_order_for([(product, 2)])
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference="DEMO-1", by=admin)
    line = OrderLine.objects.get(suborder__order=order)
    payments.refund_by_hand(order.pk, lines={line.pk: 1}, reference="DEMO-R1", reason="测试", by=admin)
    assert LedgerEntry.objects.filter(order=order).count() > 1

    load_demo("--no-images", "--reset")

    assert not Order.objects.filter(pk=order.pk).exists()
    assert not LedgerEntry.objects.filter(order_id=order.pk).exists()
    assert Product.objects.count() == DEMO_PRODUCTS
