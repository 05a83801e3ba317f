"""Shops, categories, bureaus and users in the admin."""

import json
import re

import pytest
from django.urls import reverse

from catalog.models import Category, Shop
from core.forms import MOBILE_TAKEN
from core.models import Bureau, User
from core.parsing import MOBILE_REFUSED

from .helpers import url
from .test_products import refused

pytestmark = pytest.mark.django_db


def shop_data(shop, **overrides):
    data = {
        "name": shop.name,
        "slug": shop.slug,
        "region": shop.region_id,
        "description": shop.description,
        "contact_phone": shop.contact_phone,
        "operators": [u.pk for u in shop.operators.all()],
        "is_active": "on" if shop.is_active else "",
        "payee_name": shop.payee_name,
        "payee_bank": shop.payee_bank,
        "payee_account": shop.payee_account,
    }
    data.update(overrides)
    return data


def test_operator_edits_own_shop_description_phone_and_payee_only(world, login, role_groups):
    client = login(world.op_a)
    form = client.get(url("shops:edit", world.shop_a.pk)).context["form"]
    assert set(form.fields) == {"description", "contact_phone", "payee_name", "payee_bank", "payee_account"}
    data = shop_data(
        world.shop_a,
        description="一村一品：铁棍山药",
        contact_phone="0530-1234567",
        name="改名",
        region=world.village_b.pk,
        is_active="",
        operators=[world.op_b.pk],
    )
    response = client.post(url("shops:edit", world.shop_a.pk), data)
    assert response.status_code == 302
    shop = Shop.objects.get(pk=world.shop_a.pk)
    assert (shop.description, shop.contact_phone) == ("一村一品：铁棍山药", "0530-1234567")
    assert (shop.name, shop.region_id, shop.is_active) == ("朱楼村网店", world.village_a.pk, True)
    assert list(shop.operators.all()) == [world.op_a]


def test_operator_cannot_touch_other_shop_or_add_shops(world, login):
    client = login(world.op_a)
    assert list(client.get(url("shops:index")).context["object_list"]) == [world.shop_a]
    assert client.get(url("shops:edit", world.shop_b.pk)).status_code == 404
    response = client.post(url("shops:edit", world.shop_b.pk), shop_data(world.shop_b, description="x"))
    assert response.status_code == 404
    assert Shop.objects.get(pk=world.shop_b.pk).description == ""
    assert refused(client.get(url("shops:add")))
    assert refused(client.post(url("shops:delete", world.shop_a.pk)))


def test_admin_changes_region_operators_and_active_flag(world, login):
    client = login(world.admin)
    form = client.get(url("shops:edit", world.shop_a.pk)).context["form"]
    assert {"region", "operators", "is_active"} <= set(form.fields)
    assert world.buyer not in form.fields["operators"].queryset
    data = shop_data(world.shop_a, is_active="", operators=[world.op_a.pk, world.op_b.pk])
    assert client.post(url("shops:edit", world.shop_a.pk), data).status_code == 302
    shop = Shop.objects.get(pk=world.shop_a.pk)
    assert shop.is_active is False
    assert set(shop.operators.all()) == {world.op_a, world.op_b}


def test_officer_reads_shops_in_jurisdiction(world, login):
    client = login(world.officer_a)
    assert list(client.get(url("shops:index")).context["object_list"]) == [world.shop_a]
    assert client.get(url("shops:inspect", world.shop_b.pk)).status_code == 404
    assert refused(client.get(url("shops:edit", world.shop_a.pk)))


def test_categories_admins_change_others_view(world, login):
    operator = login(world.op_a)
    response = operator.get(url("categories:index"))
    assert list(response.context["object_list"]) == [world.category]
    assert reverse("categories:add") not in response.content.decode()
    data = {"name": "改名", "name_en": "", "slug": "fruit-veg", "parent": "", "sort_order": "0"}
    assert refused(operator.post(url("categories:edit", world.category.pk), data))
    assert Category.objects.get(pk=world.category.pk).name == "蔬菜水果"
    assert login(world.admin).post(url("categories:edit", world.category.pk), data).status_code == 302
    assert Category.objects.get(pk=world.category.pk).name == "改名"


def test_bureaus_are_for_admins_only(world, login):
    bureau = world.officer_a.bureau
    for user in (world.op_a, world.officer_a):
        client = login(user)
        assert refused(client.get(url("bureaus:index")))
        # The inspect view loads its row before the permission check: 404, no data.
        assert client.get(url("bureaus:inspect", bureau.pk)).status_code == 404
        assert refused(client.get(url("bureaus:edit", bureau.pk)))
    admin = login(world.admin)
    assert set(admin.get(url("bureaus:index")).context["object_list"]) == set(Bureau.objects.all())
    data = {"name": "单县商务局（新）", "kind": "commerce", "region": world.county_a.pk}
    assert admin.post(url("bureaus:edit", bureau.pk), data).status_code == 302
    assert Bureau.objects.get(pk=bureau.pk).name == "单县商务局（新）"


def sidebar_text(client) -> str:
    """The admin menu, as the sidebar's JSON props carry it (rendered by JavaScript)."""
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    return json.dumps(json.loads(props.group(1)), ensure_ascii=False)


def test_menus_follow_roles(world, login):
    menu = sidebar_text(login(world.op_a))
    assert '"网店管理"' in menu and '"产品"' in menu and '"利益联结"' in menu
    assert '"主管部门"' not in menu
    menu = sidebar_text(login(world.officer_a))
    assert '"产品"' in menu and '"主管部门"' not in menu
    menu = sidebar_text(login(world.admin))
    assert '"网店管理"' in menu and '"平台管理"' in menu and '"主管部门"' in menu


def user_form_data(**overrides):
    data = {
        "username": "officer_new",
        "email": "officer_new@example.cn",
        "name": "张小文",
        "password1": "a-long-pass-phrase-1",
        "password2": "a-long-pass-phrase-1",
        "phone": "13800000000",
        "bureau": "",
        "groups": [],
    }
    data.update(overrides)
    return data


def test_admin_creates_officer_with_phone_and_bureau(world, login, role_groups):
    client = login(world.admin)
    html = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="phone"' in html and 'name="bureau"' in html
    officer_group = role_groups["bureau_officer"]
    bureau = world.officer_a.bureau

    response = client.post(reverse("wagtailusers_users:add"), user_form_data(groups=[officer_group.pk]))
    assert response.status_code == 200
    assert "bureau" in response.context["form"].errors
    assert not User.objects.filter(username="officer_new").exists()

    response = client.post(
        reverse("wagtailusers_users:add"), user_form_data(groups=[officer_group.pk], bureau=bureau.pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="officer_new")
    # Their role, and their bureau's page editors' group (core/bureau_groups.py), which follows the bureau.
    assert (user.phone, user.bureau) == ("13800000000", bureau)
    assert set(user.groups.all()) == {officer_group, bureau.page_editors}
    assert (user.name, user.get_full_name(), user.first_name, user.last_name) == ("张小文", "张小文", "", "")

    edit = reverse("wagtailusers_users:edit", args=[user.pk])
    assert 'name="phone"' in client.get(edit).content.decode()
    data = user_form_data(groups=[officer_group.pk], bureau=bureau.pk, phone="13900000000", password1="", password2="")
    assert client.post(edit, data | {"is_active": "on"}).status_code == 302
    assert User.objects.get(pk=user.pk).phone == "13900000000"


def test_admin_user_forms_name_the_roles_not_their_group_keys(world, login, role_groups):
    """The roles on the user forms read as people call them (core.roles.ROLE_LABELS), never
    as the groups' keys (shop_operator, bureau_officer)."""
    client = login(world.admin)
    for page in (reverse("wagtailusers_users:add"), reverse("wagtailusers_users:edit", args=[world.op_a.pk])):
        html = client.get(page).content.decode()
        for label in ("买家", "网店运营", "商务局干部", "平台管理员"):
            assert label in html, (page, label)
        for key in ("shop_operator", "bureau_officer", "platform_admin"):
            assert key not in html, (page, key)


def test_admin_sets_a_users_sign_in_mobile_read_like_registration_and_one_account_per_number(world, login):
    """The sign-in mobile on the admin's user forms: typed as people type it, stored as 11
    digits; a malformed number, another account's number or another account's username
    (a storefront account is named by its number) is refused with a message, nothing saved."""
    User.objects.filter(pk=world.op_b.pk).update(mobile="13900001111")
    User.objects.create_user(username="13700002222", name="陈静")  # registered on the storefront
    client = login(world.admin)
    edit = reverse("wagtailusers_users:edit", args=[world.op_a.pk])
    html = client.get(edit).content.decode()
    assert 'name="mobile"' in html and "登录手机号" in html
    base = {
        "username": world.op_a.username,
        "email": world.op_a.email,
        "name": "陈静",
        "phone": "",
        "bureau": "",
        "groups": [g.pk for g in world.op_a.groups.all()],
        "is_active": "on",
        "password1": "",
        "password2": "",
    }

    for bad, message in (
        ("12345", str(MOBILE_REFUSED)),
        ("1380013800x", str(MOBILE_REFUSED)),
        ("23800138000", str(MOBILE_REFUSED)),
        ("139 0000 1111", str(MOBILE_TAKEN)),  # op_b's number
        ("13700002222", str(MOBILE_TAKEN)),  # the storefront account's username
    ):
        response = client.post(edit, base | {"mobile": bad})
        assert response.status_code == 200, bad
        assert response.context["form"].errors["mobile"] == [message], bad
        assert message in response.content.decode()
        assert User.objects.get(pk=world.op_a.pk).mobile == ""

    assert client.post(edit, base | {"mobile": "+86 138-0013-8000"}).status_code == 302
    assert User.objects.get(pk=world.op_a.pk).mobile == "13800138000"
    assert client.post(edit, base | {"mobile": "13800138000"}).status_code == 302  # its own number again
    assert client.post(edit, base | {"mobile": ""}).status_code == 302  # and taken away
    assert User.objects.get(pk=world.op_a.pk).mobile == ""

    add = reverse("wagtailusers_users:add")
    response = client.post(add, user_form_data(mobile="13900001111"))
    assert response.context["form"].errors["mobile"] == [str(MOBILE_TAKEN)]
    assert not User.objects.filter(username="officer_new").exists()
    assert client.post(add, user_form_data(mobile="１３９ 0000 3333")).status_code == 302
    assert User.objects.get(username="officer_new").mobile == "13900003333"  # full-width digits read


def test_operators_and_officers_cannot_manage_users(world, login):
    for user in (world.op_a, world.officer_a):
        client = login(user)
        assert refused(client.get(reverse("wagtailusers_users:index")))
        assert refused(client.get(reverse("wagtailusers_users:edit", args=[world.admin.pk])))


def test_admin_user_forms_ask_for_one_name_field_written_surname_first(world, login):
    client = login(world.admin)
    for page in (reverse("wagtailusers_users:add"), reverse("wagtailusers_users:edit", args=[world.op_a.pk])):
        response = client.get(page)
        form = response.context["form"]
        assert "name" in form.fields and "first_name" not in form.fields and "last_name" not in form.fields
        assert str(form.fields["name"].label) == "姓名" and form.fields["name"].required
        html = response.content.decode()
        assert html.count('name="name"') == 1
        assert 'name="first_name"' not in html and 'name="last_name"' not in html

    refused_data = user_form_data(username="no_name", email="no_name@example.cn", name="")
    response = client.post(reverse("wagtailusers_users:add"), refused_data)
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert not User.objects.filter(username="no_name").exists()


def test_admin_user_list_shows_and_finds_the_name_as_written(world, login):
    world.op_a.name = "欧阳娜娜"
    world.op_a.first_name, world.op_a.last_name = "娜娜", "欧阳"
    world.op_a.save()
    client = login(world.admin)
    html = client.get(reverse("wagtailusers_users:index"), {"q": "欧阳娜"}).content.decode()
    assert "欧阳娜娜" in html and "娜娜 欧阳" not in html
    assert world.op_b.username not in html


def test_wagtail_account_page_asks_for_one_name_field(world, login):
    client = login(world.admin)
    html = client.get(reverse("wagtailadmin_account")).content.decode()
    assert 'name="name_email-name"' in html
    assert 'name="name_email-first_name"' not in html and 'name="name_email-last_name"' not in html
    response = client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-name": "平台管理员",
            "name_email-email": "platform@example.cn",
            "locale-preferred_language": "",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-contrast": "system",
            "theme-density": "default",
            "theme-keyboard_shortcuts": "on",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=world.admin.pk).name == "平台管理员"


# --- the shop's own payee for bank transfers ---------------------------------------------------------------


def test_operator_sets_own_shops_payee(world, login):
    client = login(world.op_a)
    data = shop_data(
        world.shop_a,
        payee_name=" 单县朱楼村股份经济合作社 ",
        payee_bank="单县农村商业银行浮岗支行",
        payee_account="9150  2010 0088 1201 01",
    )
    response = client.post(url("shops:edit", world.shop_a.pk), data)
    assert response.status_code == 302
    shop = Shop.objects.get(pk=world.shop_a.pk)
    assert (shop.payee_name, shop.payee_bank, shop.payee_account) == (
        "单县朱楼村股份经济合作社",
        "单县农村商业银行浮岗支行",
        "9150 2010 0088 1201 01",
    )
    assert shop.has_payee


def test_other_shops_operator_cannot_set_its_payee(world, login):
    client = login(world.op_b)
    data = shop_data(world.shop_a, payee_name="冒名户", payee_bank="某银行", payee_account="6222 0000 0000 0000")
    assert client.post(url("shops:edit", world.shop_a.pk), data).status_code == 404
    assert Shop.objects.get(pk=world.shop_a.pk).payee_account == ""


@pytest.mark.parametrize(
    "account, message",
    [
        ("6222-0000-0000-0000", "银行账号只能由数字组成（可用空格分组）。"),
        ("6222 0000 abcd", "银行账号只能由数字组成（可用空格分组）。"),
        ("６２２２００００００００", "银行账号只能由数字组成（可用空格分组）。"),  # full-width digits
        ("1234 567", "银行账号应为 8 至 30 位数字。"),
        ("1" * 31, "银行账号应为 8 至 30 位数字。"),
    ],
)
def test_bad_account_number_is_a_form_error(world, login, account, message):
    client = login(world.admin)
    data = shop_data(
        world.shop_a, payee_name="朱楼村股份经济合作社", payee_bank="农业银行单县支行", payee_account=account
    )
    response = client.post(url("shops:edit", world.shop_a.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors["payee_account"] == [message]
    assert Shop.objects.get(pk=world.shop_a.pk).payee_account == ""


def test_payee_is_all_three_fields_or_none(world, login):
    client = login(world.op_a)
    data = shop_data(world.shop_a, payee_name="朱楼村股份经济合作社", payee_account="6222 0000 0000 0000")
    response = client.post(url("shops:edit", world.shop_a.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors["payee_bank"] == [
        "户名、开户行和账号须一并填写，或都留空（用平台的收款账户）。"
    ]
    assert not Shop.objects.get(pk=world.shop_a.pk).has_payee


# --- the platform's payee: a Wagtail site setting -----------------------------------------------------------


def _payee_url():
    from wagtail.models import Site

    return reverse(
        "wagtailsettings:edit", args=["payments", "transferpayee", Site.objects.get(is_default_site=True).pk]
    )


def test_admin_sets_the_platform_payee_in_settings(world, login):
    from payments.models import TransferPayee

    client = login(world.admin)
    assert client.get(_payee_url()).status_code == 200
    data = {
        "account_name": "消费帮扶馆运营服务中心",
        "bank_name": "中国农业银行菏泽分行营业部",
        "account_number": "1560 0101 0400 0618 8",
    }
    response = client.post(_payee_url(), data)
    assert response.status_code == 302
    payee = TransferPayee.objects.get()
    assert (payee.account_name, payee.bank_name, payee.account_number) == (
        "消费帮扶馆运营服务中心",
        "中国农业银行菏泽分行营业部",
        "1560 0101 0400 0618 8",
    )


def test_platform_payee_refuses_a_bad_account_number(world, login):
    from payments.models import TransferPayee

    client = login(world.admin)
    data = {
        "account_name": "消费帮扶馆运营服务中心",
        "bank_name": "中国农业银行菏泽分行营业部",
        "account_number": "1560-0101",
    }
    response = client.post(_payee_url(), data)
    assert response.status_code == 200
    assert response.context["form"].errors["account_number"] == ["银行账号只能由数字组成（可用空格分组）。"]
    assert not TransferPayee.objects.exclude(account_number="").exists()


@pytest.mark.parametrize("who", ["op_a", "officer_a", "buyer"])
def test_only_the_platform_edits_the_platform_payee(world, login, who):
    from payments.models import TransferPayee

    client = login(getattr(world, who))
    data = {"account_name": "冒名户", "bank_name": "某银行", "account_number": "6222 0000 0000 0000"}
    assert client.get(_payee_url()).status_code in (302, 403)
    assert client.post(_payee_url(), data).status_code in (302, 403)
    assert not TransferPayee.objects.exclude(account_number="").exists()
