"""Checkout and admin forms. Validation messages are for the buyer, in Chinese."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import parsing
from core.validators import validate_credit_code

from . import selectors
from .buying_for import organisations_for
from .models import (
    MAX_REVIEW_PHOTOS,
    REVIEW_HIDDEN_REASON_MAX,
    REVIEW_REPLY_MAX,
    REVIEW_TEXT_MAX,
    Address,
    BuyerType,
    PaymentMethod,
)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(_("请输入11位中国大陆手机号，如 13812345678。"), code="mobile")


PICK = [("", _("请选择"))]


class RegionSelectsMixin:
    """Province → city → county selects over ``AddressRegion`` (all of China). The choices
    are made on the server from the submitted (or initial) province and city, so a
    submitted or re-shown form keeps its address without JS; ``checkout.js`` refills them
    from ``/checkout/regions/`` as the buyer picks. ``clean`` puts the county into
    ``cleaned_data["ship_region"]``."""

    region_error = _("请选择所选城市下的县/区。")

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


def region_fields() -> dict:
    return {
        "province": forms.ChoiceField(label=_("省"), choices=[]),
        "city": forms.ChoiceField(label=_("市"), choices=[]),
        "county": forms.ChoiceField(label=_("县/区"), choices=[]),
    }


class SavedAddressField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Address) -> str:
        default = _("［默认］") if obj.is_default else ""
        return f"{default}{obj.recipient_name} {obj.mobile} {obj.region.full_name} {obj.detail}"


class CheckoutForm(RegionSelectsMixin, forms.Form):
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("订单通知和查看链接将发送到此邮箱。"))
    mobile = forms.CharField(label=_("手机号"), max_length=11, validators=[validate_mobile])
    buyer_type = forms.ChoiceField(
        label=_("买家类型"),
        choices=BuyerType.choices,
        initial=BuyerType.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    organisation_name = forms.CharField(label=_("单位名称（开票抬头）"), max_length=120, required=False)
    tax_id = forms.CharField(label=_("纳税人识别号（统一社会信用代码）"), max_length=18, required=False)
    province, city, county = region_fields().values()
    ship_detail = forms.CharField(label=_("详细地址"), max_length=200, help_text=_("乡镇、街道、门牌号"))
    recipient_name = forms.CharField(label=_("收货人姓名"), max_length=50)
    recipient_mobile = forms.CharField(label=_("收货人手机号"), max_length=11, validators=[validate_mobile])
    payment_method = forms.ChoiceField(label=_("付款方式"), choices=[], widget=forms.RadioSelect)

    # A signed-in buyer's address book: pick a saved address, or type a new one and keep it.
    address = SavedAddressField(
        label=pgettext_lazy("singular", "收货地址"),
        queryset=Address.objects.none(),
        required=False,
        empty_label=_("使用新地址"),
        # Without blank=True Django drops the empty choice of a RadioSelect: a buyer with a
        # saved address would get no 使用新地址 radio, and checkout.js keeps the new-address
        # fields hidden while a saved one is chosen.
        blank=True,
        widget=forms.RadioSelect,
    )
    save_address = forms.BooleanField(label=_("保存到地址簿"), required=False)
    # A member who purchases for organisations (buying_for.py): buy for one of them, whose
    # kind, name and tax ID the order then carries, or for oneself as before.
    buying_for = forms.ChoiceField(label=_("采购单位"), required=False, widget=forms.RadioSelect)

    def payment_choices(self) -> list[tuple]:
        """Each payment radio with its note for this device ("" when none)."""
        return [(radio, self.method_notes.get(radio.data["value"], "")) for radio in self["payment_method"]]

    ADDRESS_FIELDS = ("province", "city", "county", "ship_detail", "recipient_name", "recipient_mobile")

    def __init__(self, *args, methods: list[str], user=None, method_notes: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PaymentMethod.choices)
        self.fields["payment_method"].choices = [(m, labels[m]) for m in methods]
        # How WeChat Pay and Alipay are paid on the buyer's device (payment_options.method_notes).
        self.method_notes = method_notes or {}
        if len(methods) == 1:
            self.fields["payment_method"].initial = methods[0]
        self.organisations = {o.ref: o for o in organisations_for(user)}
        if self.organisations:
            self.fields["buying_for"].choices = [("", _("不为单位采购（按下方买家类型）"))] + [
                (ref, o.name) for ref, o in self.organisations.items()
            ]
        else:
            del self.fields["buying_for"]
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
        chosen = self.organisations.get(data.get("buying_for") or "")
        if chosen is not None:
            # Bought for an organisation: its kind, name and tax ID, whatever was typed.
            data.update(buyer_type=chosen.buyer_type, organisation_name=chosen.name, tax_id=chosen.tax_id)
        elif data.get("buyer_type") in BuyerType.institutional():
            if not (data.get("organisation_name") or "").strip():
                self.add_error("organisation_name", _("单位采购须填写单位名称。"))
            tax_id = data.get("tax_id") or ""
            if not tax_id:
                self.add_error("tax_id", _("单位采购须填写纳税人识别号（统一社会信用代码）。"))
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

    recipient_name = forms.CharField(label=_("收货人姓名"), max_length=50, help_text=_("如：陈静"))
    mobile = forms.CharField(label=_("手机号"), max_length=11, validators=[validate_mobile])
    province, city, county = region_fields().values()
    detail = forms.CharField(label=_("详细地址"), max_length=200, help_text=_("乡镇、街道、门牌号"))
    is_default = forms.BooleanField(label=_("设为默认地址"), required=False)

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
    carrier = forms.CharField(label=_("快递公司"), max_length=40)
    tracking_number = forms.CharField(label=_("运单号"), max_length=40)


# --- reviews ----------------------------------------------------------------------------------------------

RATING_CHOICES = [
    (5, _("5 星 很好")),
    (4, _("4 星 好")),
    (3, _("3 星 一般")),
    (2, _("2 星 差")),
    (1, _("1 星 很差")),
]
RATING_REFUSED = _("请选择 1 到 5 星。")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def line_quantities(data, line_ids) -> dict[int, int]:
    """{line id: units} from a form's ``qty_<line id>`` inputs (after-sales requests,
    acceptance problems): blanks and zeros left out; anything else not a whole number is a
    ``ValidationError`` with the reason."""
    lines = {}
    for pk in line_ids:
        try:
            qty = parsing.quantity(data.get(f"qty_{pk}"), minimum=0, default=0)
        except parsing.BadInput:
            raise ValidationError(_("数量须为 0 或正整数。")) from None
        if qty:
            lines[pk] = qty
    return lines


class PhotosField(forms.FileField):
    """Up to ``MAX_REVIEW_PHOTOS`` files in one input (their content is judged by the service,
    through ``core.uploads``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_REVIEW_PHOTOS:
            raise ValidationError(
                _("最多上传 %(max)s 张照片，您选了 %(count)s 张。") % {"max": MAX_REVIEW_PHOTOS, "count": len(files)}
            )
        return [super(PhotosField, self).clean(f, initial) for f in files]


def _text(value, *, max_length: int, label: str) -> str:
    try:
        return parsing.text(value, max_length=max_length, label=label)
    except parsing.BadInput as exc:
        raise ValidationError(str(exc)) from exc


class ReviewForm(forms.Form):
    rating = forms.CharField(label=_("评分"), widget=forms.RadioSelect(choices=RATING_CHOICES), required=False)
    text = forms.CharField(
        label=_("评价内容"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 5, "maxlength": REVIEW_TEXT_MAX, "placeholder": _("说说口感、包装、物流……")}
        ),
        help_text=parsing.lazy_format(_("最多 %(max)s 字。"), max=REVIEW_TEXT_MAX),
    )
    photos = PhotosField(
        label=_("照片"),
        help_text=parsing.lazy_format(_("最多 %(max)s 张，JPEG、PNG 或 WebP 图片。"), max=MAX_REVIEW_PHOTOS),
    )

    def clean_rating(self) -> int:
        try:
            return parsing.natural(self.cleaned_data.get("rating"), label=_("评分"), minimum=1, maximum=5)
        except parsing.BadInput as exc:
            raise ValidationError(RATING_REFUSED) from exc

    def clean_text(self) -> str:
        return _text(self.cleaned_data.get("text"), max_length=REVIEW_TEXT_MAX, label=_("评价内容"))


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("回复买家"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REVIEW_REPLY_MAX}),
        error_messages={"required": _("请填写回复内容。")},
    )

    def clean_reply(self) -> str:
        value = _text(self.cleaned_data.get("reply"), max_length=REVIEW_REPLY_MAX, label=_("回复"))
        if not value:
            raise ValidationError(_("请填写回复内容。"))
        return value


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("隐藏原因"),
        widget=forms.TextInput(attrs={"maxlength": REVIEW_HIDDEN_REASON_MAX}),
        error_messages={"required": _("隐藏评价须填写原因。")},
    )

    def clean_reason(self) -> str:
        value = _text(self.cleaned_data.get("reason"), max_length=REVIEW_HIDDEN_REASON_MAX, label=_("原因"))
        if not value:
            raise ValidationError(_("隐藏评价须填写原因。"))
        return value
