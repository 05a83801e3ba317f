from django.test import Client

from orders.models import Order
from payments import services as payments
from procurement.models import OrganisationOrder
from tests.factories import valid_credit_code

UNIT_CODE = "11371722MB1234567"


def sign_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def organisation_post(**overrides) -> dict:
    data = {
        "kind": "budget_unit",
        "name": "单县财政局",
        "credit_code": valid_credit_code(UNIT_CODE),
        "province": "37",
        "city": "3717",
        "county": "371722",
        "invoice_title": "",
        "invoice_address": "单县园艺街道 1 号",
        "invoice_phone": "0530-4621000",
        "invoice_bank": "中国农业银行单县支行",
        "invoice_account": "1571 0101 0400 12345",
    }
    data.update(overrides)
    return data


def checkout_for(world, user, organisation, lines=None, *, pay=False, expect_refusal=False, **overrides):
    """``user`` signs in, puts ``lines`` ([(product, quantity)], one yam by default) in the
    cart and checks out by bank transfer, for ``organisation`` when given. Returns the
    order (the response when ``expect_refusal``); ``pay`` records the transfer in full."""
    client = sign_in(user)
    for product, quantity in lines or [(world.yam, 1)]:
        client.post("/cart/add/", {"product_id": product.pk, "quantity": quantity})
    data = {
        "contact_name": user.name or "采购员",
        "email": "unit@example.cn",
        "mobile": "13912345678",
        "buyer_type": "individual",
        "province": "37",
        "city": "3717",
        "county": "371722",
        "ship_detail": "园艺街道 1 号",
        "recipient_name": "张收货",
        "recipient_mobile": "13712345678",
        "payment_method": "transfer",
    }
    if organisation is not None:
        data["buying_for"] = str(organisation.pk)
    if "tax_id" in overrides:
        data.update(buyer_type="budget_unit", organisation_name=overrides.pop("organisation_name", "冒名单位"))
    data.update(overrides)
    before = set(Order.objects.values_list("pk", flat=True))
    response = client.post("/checkout/", data)
    if expect_refusal:
        return response
    assert response.status_code == 302, response.content.decode()[:3000]
    order = Order.objects.exclude(pk__in=before).get()
    if organisation is not None:
        assert OrganisationOrder.objects.filter(order=order, organisation=organisation).exists()
    if pay:
        pay_in_full(world, order)
    return order


def pay_in_full(world, order):
    payments.record_transfer_receipt(order.pk, amount_fen=order.total_fen, reference=f"BANK-{order.pk}", by=world.admin)
    order.refresh_from_db()
    return order
