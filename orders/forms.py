"""Checkout and admin forms. Validation messages are for the buyer, in Chinese."""

import re

from django import forms
from django.core.exceptions import ValidationError

from core.validators import validate_credit_code
from producers.models import Region

from .models import BuyerType, PaymentMethod

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError("请输入11位中国大陆手机号，如 13812345678。", code="mobile")


def region_choices(parent_code: str | None, level: int) -> list[tuple[str, str]]:
    qs = Region.objects.filter(level=level, is_official=True)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    return [("", "请选择")] + list(qs.order_by("code").values_list("code", "name"))


class CheckoutForm(forms.Form):
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
    province = forms.ChoiceField(label="省", choices=[])
    city = forms.ChoiceField(label="市", choices=[])
    county = forms.ChoiceField(label="县/区", choices=[])
    ship_detail = forms.CharField(label="详细地址", max_length=200, help_text="乡镇、街道、门牌号")
    recipient_name = forms.CharField(label="收货人", max_length=50)
    recipient_mobile = forms.CharField(label="收货人手机号", max_length=11, validators=[validate_mobile])
    payment_method = forms.ChoiceField(label="付款方式", choices=[], widget=forms.RadioSelect)

    def __init__(self, *args, methods: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PaymentMethod.choices)
        self.fields["payment_method"].choices = [(m, labels[m]) for m in methods]
        if len(methods) == 1:
            self.fields["payment_method"].initial = methods[0]
        # Server-side choices: the chosen province's cities and the chosen city's
        # counties, so a submitted (or re-shown) form keeps its address without JS.
        data = self.data if self.is_bound else {}
        province = data.get("province") or self.initial.get("province")
        city = data.get("city") or self.initial.get("city")
        self.fields["province"].choices = region_choices(None, Region.Level.PROVINCE)
        self.fields["city"].choices = region_choices(province, Region.Level.CITY) if province else [("", "请选择")]
        self.fields["county"].choices = region_choices(city, Region.Level.COUNTY) if city else [("", "请选择")]
        for name in ("province", "city", "county"):
            self.fields[name].widget.attrs["data-region-level"] = name

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
        county_code = data.get("county")
        if county_code:
            county = Region.objects.filter(code=county_code, level=Region.Level.COUNTY).first()
            if county is None or not county_code.startswith(data.get("city") or "-"):
                self.add_error("county", "请选择所选城市下的县/区。")
            else:
                data["ship_region"] = county
        return data


class ShipForm(forms.Form):
    carrier = forms.CharField(label="快递公司", max_length=40)
    tracking_number = forms.CharField(label="运单号", max_length=40)
