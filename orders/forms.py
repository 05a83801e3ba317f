"""Checkout and admin forms. Validation messages are for the buyer, in Chinese."""

import re

from django import forms
from django.core.exceptions import ValidationError

from core.validators import validate_credit_code

from . import selectors
from .models import Address, BuyerType, PaymentMethod

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError("请输入11位中国大陆手机号，如 13812345678。", code="mobile")


PICK = [("", "请选择")]


class RegionSelectsMixin:
    """Province → city → county selects over ``AddressRegion`` (all of China). The choices
    are made on the server from the submitted (or initial) province and city, so a
    submitted or re-shown form keeps its address without JS; ``checkout.js`` refills them
    from ``/checkout/regions/`` as the buyer picks. ``clean`` puts the county into
    ``cleaned_data["ship_region"]``."""

    region_error = "请选择所选城市下的县/区。"

    def setup_regions(self) -> None:
        data = self.data if self.is_bound else {}
        province = data.get("province") if self.is_bound else self.initial.get("province")
        city = data.get("city") if self.is_bound else self.initial.get("city")
        self.fields["province"].choices = PICK + selectors.address_region_children(None)
        self.fields["city"].choices = PICK + (selectors.address_region_children(province) if province else [])
        self.fields["county"].choices = PICK + (selectors.address_region_children(city) if city else [])
        for name in ("province", "city", "county"):
            self.fields[name].widget.attrs["data-region-level"] = name

    def clean_region(self, data: dict) -> None:
        if not all(data.get(name) for name in ("province", "city", "county")):
            return  # each missing select has its own "required" message
        county = selectors.address_county(data["province"], data["city"], data["county"])
        if county is None:
            self.add_error("county", self.region_error)
        else:
            data["ship_region"] = county


def region_initial(region) -> dict:
    """The selects' initial codes for a county (``AddressRegion``)."""
    return {"province": region.parent.parent.code, "city": region.parent.code, "county": region.code}


def _region_fields() -> dict:
    return {
        "province": forms.ChoiceField(label="省", choices=[]),
        "city": forms.ChoiceField(label="市", choices=[]),
        "county": forms.ChoiceField(label="县/区", choices=[]),
    }


class SavedAddressField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Address) -> str:
        default = "［默认］" if obj.is_default else ""
        return f"{default}{obj.recipient_name} {obj.mobile} {obj.region.full_name} {obj.detail}"


class CheckoutForm(RegionSelectsMixin, forms.Form):
    contact_name = forms.CharField(label="联系人", max_length=50)
    email = forms.EmailField(label="电子邮箱", help_text="订单通知和查看链接将发送到此邮箱。")
    mobile = forms.CharField(label="手机号", max_length=11, validators=[validate_mobile])
    buyer_type = forms.ChoiceField(
        label="买家类型",
        choices=[(v, label.split(" ")[0]) for v, label in BuyerType.choices],
        initial=BuyerType.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    organisation_name = forms.CharField(label="单位名称（开票抬头）", max_length=120, required=False)
    tax_id = forms.CharField(label="纳税人识别号（统一社会信用代码）", max_length=18, required=False)
    province, city, county = _region_fields().values()
    ship_detail = forms.CharField(label="详细地址", max_length=200, help_text="乡镇、街道、门牌号")
    recipient_name = forms.CharField(label="收货人姓名", max_length=50)
    recipient_mobile = forms.CharField(label="收货人手机号", max_length=11, validators=[validate_mobile])
    payment_method = forms.ChoiceField(label="付款方式", choices=[], widget=forms.RadioSelect)

    # A signed-in buyer's address book: pick a saved address, or type a new one and keep it.
    address = SavedAddressField(
        label="收货地址",
        queryset=Address.objects.none(),
        required=False,
        empty_label="使用新地址",
        widget=forms.RadioSelect,
    )
    save_address = forms.BooleanField(label="保存到地址簿", required=False)

    ADDRESS_FIELDS = ("province", "city", "county", "ship_detail", "recipient_name", "recipient_mobile")

    def __init__(self, *args, methods: list[str], user=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PaymentMethod.choices)
        self.fields["payment_method"].choices = [(m, labels[m]) for m in methods]
        if len(methods) == 1:
            self.fields["payment_method"].initial = methods[0]
        book = list(selectors.address_book(user)) if getattr(user, "is_authenticated", False) else None
        if book is None:
            del self.fields["address"], self.fields["save_address"]
        else:
            self.fields["save_address"].initial = not book
            if book:
                self.fields["address"].queryset = selectors.address_book(user)
                self.fields["address"].initial = book[0].pk  # the default comes first
            else:
                del self.fields["address"]
        if self.is_bound and self.uses_saved_address:
            for name in self.ADDRESS_FIELDS:
                self.fields[name].required = False
        self.setup_regions()

    @property
    def uses_saved_address(self) -> bool:
        if "address" not in self.fields:
            return False
        if self.is_bound:
            return bool(self.data.get("address"))
        return bool(self.fields["address"].initial)

    def clean_tax_id(self) -> str:
        return (self.cleaned_data.get("tax_id") or "").strip().upper()

    def clean(self):
        data = super().clean()
        if data.get("buyer_type") in BuyerType.institutional():
            if not (data.get("organisation_name") or "").strip():
                self.add_error("organisation_name", "单位采购须填写单位名称。")
            tax_id = data.get("tax_id") or ""
            if not tax_id:
                self.add_error("tax_id", "单位采购须填写纳税人识别号（统一社会信用代码）。")
            else:
                try:
                    validate_credit_code(tax_id)
                except ValidationError as exc:
                    self.add_error("tax_id", exc)
        saved = data.get("address")
        if saved is not None:
            data.update(
                ship_region=saved.region,
                ship_detail=saved.detail,
                recipient_name=saved.recipient_name,
                recipient_mobile=saved.mobile,
                save_address=False,
            )
        elif not self.uses_saved_address:
            self.clean_region(data)
        return data


class AddressForm(RegionSelectsMixin, forms.Form):
    """One address of the address book."""

    recipient_name = forms.CharField(label="收货人姓名", max_length=50, help_text="如：陈静")
    mobile = forms.CharField(label="手机号", max_length=11, validators=[validate_mobile])
    province, city, county = _region_fields().values()
    detail = forms.CharField(label="详细地址", max_length=200, help_text="乡镇、街道、门牌号")
    is_default = forms.BooleanField(label="设为默认地址", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_regions()

    def clean_recipient_name(self) -> str:
        return self.cleaned_data["recipient_name"].strip()

    def clean_detail(self) -> str:
        return self.cleaned_data["detail"].strip()

    def clean(self):
        data = super().clean()
        self.clean_region(data)
        return data


class ShipForm(forms.Form):
    carrier = forms.CharField(label="快递公司", max_length=40)
    tracking_number = forms.CharField(label="运单号", max_length=40)
