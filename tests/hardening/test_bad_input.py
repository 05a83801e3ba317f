"""Regression tests for each class of bad input that answered 500, through the public
surface (HTTP), plus the parsers of ``core.parsing`` with exact values.

Each class: what used to crash, and what a client gets now (400 with a message, or the
form / flash message of the page), with nothing written."""

import json

import pytest
from django.core.exceptions import BadRequest
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from core import parsing
from core.parsing import BadInput
from orders.models import Order
from payments.stripe_models import StripeEvent
from tests.payments.conftest import WEBHOOK_SECRET, stripe_signature

# --- the parsers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "0", "1.0", "1e3", " ", "", None, "9223372036854775808", "1_0"])
def test_ids_are_ascii_digits_within_bigint(raw):
    with pytest.raises(BadInput):
        parsing.object_id(raw)


def test_ids_and_quantities_read_exactly():
    assert parsing.object_id(" 42 ") == 42
    assert parsing.object_id("9223372036854775807") == 2**63 - 1
    assert parsing.optional_id("") is None
    assert parsing.quantity("", default=1) == 1
    assert parsing.quantity("0", minimum=0) == 0
    with pytest.raises(BadInput, match="数量"):
        parsing.quantity("10000")


@pytest.mark.parametrize("raw,page", [("3", 3), ("²", 1), ("-2", 1), ("9" * 30, 100_000), (None, 1), ("0", 1)])
def test_page_numbers_are_clamped_never_refused(raw, page):
    assert parsing.page_number(raw) == page


@pytest.mark.parametrize(
    "raw,fen",
    [
        ("59.9", 5990),
        ("59.90", 5990),
        ("1,234.05", 123405),
        ("¥0.01", 1),
        ("0", 0),
        ("999999999999.99", 99999999999999),
    ],
)
def test_yuan_amounts_read_to_the_fen(raw, fen):
    assert parsing.yuan_to_fen(raw) == fen


@pytest.mark.parametrize(
    "raw", ["Infinity", "-Infinity", "NaN", "sNaN", "1e30", "9" * 30, "1.234", "0.001", "-5", "1.2.3", "", "²"]
)
def test_yuan_amounts_refuse_what_used_to_crash(raw):
    with pytest.raises(BadInput, match="最多两位小数"):
        parsing.yuan_to_fen(raw)


def test_negative_yuan_only_where_allowed():
    assert parsing.yuan_to_fen("-120.5", allow_negative=True) == -12050


@given(st.integers(min_value=0, max_value=10**14 - 1))
def test_yuan_round_trip(fen):
    from core.money import format_fen

    assert parsing.yuan_to_fen(format_fen(fen)) == fen


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "26-1-1", "2026-12-06T00:00", "", "２０２６-01-01"])
def test_dates_must_exist(raw):
    with pytest.raises(BadInput):
        parsing.date(raw)


def test_redirect_targets_are_paths_of_this_site():
    request = RequestFactory().get("/")
    for bad in ("orders:cart", "cart", "//evil.example/", "https://evil.example/", "javascript:alert(1)", "/a\x00"):
        assert parsing.safe_redirect(request, bad, "/fallback/") == "/fallback/"
    assert parsing.safe_redirect(request, "/cart/?x=1", "/fallback/") == "/cart/?x=1"


def _json_request(body: str | bytes):
    return RequestFactory().post("/", data=body, content_type="application/json")


def test_json_bodies_have_size_depth_and_shape_limits():
    assert parsing.json_body(_json_request('{"a": [1, {"b": "[[["}]}')) == {"a": [1, {"b": "[[["}]}
    with pytest.raises(BadInput, match="嵌套过深"):
        parsing.json_body(_json_request("[" * 50_000 + "]" * 50_000))
    with pytest.raises(BadInput, match="过大"):
        parsing.json_body(_json_request('{"a": "' + "x" * 2_000_000 + '"}'))
    with pytest.raises(BadInput, match="JSON 对象"):
        parsing.json_body(_json_request("[1, 2]"))
    with pytest.raises(BadInput, match="不允许的字符"):
        parsing.json_body(_json_request('{"note": "a\\u0000b"}'))
    with pytest.raises(BadInput, match="UTF-8"):
        parsing.json_body(_json_request(b"\xff\xfe"))
    assert issubclass(BadInput, BadRequest)  # Django answers it 400


# --- over HTTP: NUL anywhere --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "how",
    ["path", "query", "form", "cookie"],
)
def test_nul_anywhere_in_a_request_is_400_with_a_message(client, how):
    if how == "path":
        response = client.get("/search/%00/")
    elif how == "query":
        response = client.get("/search/", {"q": "山药\x00"})
    elif how == "form":
        response = client.post(reverse("orders:cart_add"), {"product_id": "1", "quantity": "1\x00"})
    else:
        client.cookies["sessionid"] = "abc\x00def"
        response = client.get("/search/")
    assert response.status_code == 400
    assert "不允许的字符" in response.content.decode()


# --- over HTTP: ids, quantities, redirects in the storefront ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", ["²", "Infinity", "9" * 30, "-1"])
def test_cart_refuses_unreadable_quantities_with_a_message(client, quantity):
    response = client.post(reverse("orders:cart_add"), {"product_id": "1", "quantity": quantity}, follow=True)
    assert response.status_code == 200
    assert "请填写数量：1 至 9999 之间的整数。购物车未作改动。" in response.content.decode()
    assert client.session.get("cart", {}) == {}


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["orders:cart", "cart", "https://evil.example/x", "//evil.example/"])
def test_next_that_is_not_a_path_of_this_site_falls_back_to_the_cart(client, target):
    response = client.post(reverse("orders:cart_add"), {"product_id": "x", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("orders:cart")
    response = client.post(reverse("live:enter_code"), {"code": "NOPE", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("orders:cart")


@pytest.mark.django_db
def test_order_action_with_a_word_for_a_parcel_is_400(client):
    from tests.factories import ProductFactory, place_order_for

    order = place_order_for([(ProductFactory(stock=5), 1)])
    response = client.post(reverse("orders:action", args=[order.token, "complete"]), {"suborder": "²"})
    assert response.status_code == 400
    assert "包裹" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == order.status


# --- the webhook: correctly signed, badly shaped ------------------------------------------------------------


@pytest.fixture
def stripe_on(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_WEBHOOK_TOLERANCE = 300


GOOD_EVENT = {
    "id": "evt_1",
    "type": "payment_intent.succeeded",
    "created": 1_780_000_000,
    "livemode": False,
    "data": {"object": {"id": "pi_1"}},
}


def _post_signed(client, body: str):
    return client.post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,reason",
    [
        ("[1, 2]", "invalid payload"),
        ("[" * 20_000 + "]" * 20_000, "invalid payload"),
        (json.dumps({k: v for k, v in GOOD_EVENT.items() if k != "type"}), "type"),
        (json.dumps({**GOOD_EVENT, "created": "2026-12-06T10:00:00+08:00"}), "created"),
        (json.dumps({**GOOD_EVENT, "created": True}), "created"),
        (json.dumps({**GOOD_EVENT, "livemode": "no"}), "livemode"),
        (json.dumps({**GOOD_EVENT, "data": []}), "data.object"),
        (json.dumps({**GOOD_EVENT, "data": {"object": {"id": 7}}}), "data.object"),
    ],
)
def test_signed_webhook_with_a_bad_shape_is_400_and_stored_nowhere(client, stripe_on, body, reason):
    response = _post_signed(client, body)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert StripeEvent.objects.count() == 0


@pytest.mark.django_db
def test_signed_webhook_sent_as_a_form_is_400(client, stripe_on):
    response = client.post("/payments/stripe/webhook/", {"id": "evt_1"}, HTTP_STRIPE_SIGNATURE="t=1,v1=x")
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


@pytest.mark.django_db
def test_signed_webhook_with_the_right_shape_is_stored(client, stripe_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = _post_signed(client, json.dumps(GOOD_EVENT))
    assert response.status_code == 200
    row = StripeEvent.objects.get()
    assert (row.event_id, row.type, row.stripe_created, row.livemode) == (
        "evt_1",
        GOOD_EVENT["type"],
        1_780_000_000,
        False,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["9" * 30, "9223372036854775808", "²", "-3", "Infinity"])
def test_search_pages_beyond_bigint_or_unreadable_show_a_page(client, page):
    response = client.get("/search/", {"q": "山药", "page": page})
    assert response.status_code == 200
