"""The pairing form's regions are chosen province → city → county (the buyers' address
selects), not from one select of every county of China: the form posts codes, saves the
deepest level chosen, shows it again on the edit page, and refuses a county outside the
chosen city (or a city outside the province) with its reason, saving nothing."""

import re

import pytest
from django.test import Client

from sales_channels.models import Pairing, PairingKind

pytestmark = pytest.mark.django_db

INDEX = "/admin/channels/pairings/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(helping=("37", "3701", ""), helped=("37", "3717", "371722"), **overrides) -> dict:
    data = {
        "kind": PairingKind.EAST_WEST,
        "name": "东西部协作 济南市—单县",
        "helping_organisation": "",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "note": "",
    }
    for field, codes in (("helping_region", helping), ("helped_region", helped)):
        for level, code in zip(("province", "city", "county"), codes, strict=True):
            data[f"{field}_{level}"] = code
    data.update(overrides)
    return data


def test_the_form_offers_provinces_not_every_county(ledger_world):
    html = signed_in(ledger_world.admin).get(INDEX + "new/").content.decode()
    for field in ("helping_region", "helped_region"):
        for level in ("province", "city", "county"):
            assert f'name="{field}_{level}"' in html
    assert html.count("<option") < 200  # 34 provinces per field, not ~3,000 counties
    assert ">山东省</option>" in html and ">单县</option>" not in html
    # Its script and styles are the project's static files, nothing from another site.
    assert "orders/regions.js" in html and "sales_channels/region-chooser.css" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", html)


def test_a_city_helps_a_county_and_the_edit_page_shows_them_again(ledger_world):
    client = signed_in(ledger_world.admin)
    response = client.post(INDEX + "new/", form())
    assert response.status_code == 302, response.content.decode()[:3000]
    pairing = Pairing.objects.get()
    assert (pairing.helping_region.level, pairing.helping_region.code) == (2, "3701")  # the city: no county chosen
    assert (pairing.helped_region.level, pairing.helped_region.code) == (3, "371722")
    html = client.get(f"{INDEX}edit/{pairing.pk}/").content.decode()
    assert '<option value="3717" selected>菏泽市</option>' in html
    assert '<option value="371722" selected>单县</option>' in html
    assert '<option value="3701" selected>济南市</option>' in html
    # A province alone is a side too (山东省 helps 重庆市).
    response = client.post(INDEX + "new/", form(helping=("37", "", ""), helped=("50", "5001", ""), name="鲁渝协作"))
    assert response.status_code == 302
    assert Pairing.objects.get(name="鲁渝协作").helping_region.code == "37"


@pytest.mark.parametrize(
    ("helping", "helped", "message"),
    [
        (("37", "3701", ""), ("37", "3701", "371722"), "所选县/区不属于所选城市。"),  # 单县 is not in 济南
        (("37", "5001", ""), ("37", "3717", "371722"), "所选城市不属于所选省份。"),
        (("", "3701", ""), ("37", "3717", "371722"), "请先选择省份。"),
        (("37", "3701", ""), ("37", "", "371722"), "请先选择城市，再选择县/区。"),
        (("37", "3701", ""), ("99", "", ""), "没有这个省份。"),
        (("37", "3717", ""), ("37", "3717", "371722"), "帮扶方与受帮扶地区不能相同或互相包含。"),
    ],
)
def test_a_bad_choice_is_refused_with_its_reason(ledger_world, helping, helped, message):
    response = signed_in(ledger_world.admin).post(INDEX + "new/", form(helping=helping, helped=helped))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Pairing.objects.exists()
