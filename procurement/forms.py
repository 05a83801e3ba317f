from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import MAX_PHOTOS
from core import parsing
from core.money import format_fen
from core.parsing import MobileField, PercentField, YuanField
from core.validators import validate_account_number, validate_credit_code
from orders.forms import PhotosField, RegionSelectsMixin, line_quantities, region_fields, region_initial

from .models import MAX_TERMS_DAYS, ROLE_FIELDS, AcceptanceResult, Kind, RoleName
from .services import ACCEPTANCE_NOTE_MAX

ROLE_CHOICES = [(role.value, role.label) for role in RoleName]


class OrganisationForm(RegionSelectsMixin, forms.Form):
    """Registering an organisation (every field) or editing it (kind and credit code stay)."""

    region_error = _("请选择所选城市下的县/区。")

    kind = forms.ChoiceField(label=_("单位类型"), choices=Kind.choices, widget=forms.RadioSelect)
    name = forms.CharField(label=_("单位名称"), max_length=120)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    province, city, county = region_fields().values()
    invoice_title = forms.CharField(
        label=_("发票抬头"), max_length=120, required=False, help_text=_("不填即用单位名称。")
    )
    invoice_address = forms.CharField(label=_("注册地址"), max_length=200, required=False)
    invoice_phone = forms.CharField(label=_("注册电话"), max_length=20, required=False)
    invoice_bank = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    invoice_account = forms.CharField(
        label=_("银行账号"), max_length=40, required=False, validators=[validate_account_number]
    )
    approval_threshold = YuanField(
        label=_("审批额度（元）"),
        required=False,
        min_fen=0,
        help_text=_("订单金额超过此额度须经审批人审批后才保留库存、可以付款；不填则无须审批。"),
    )
    payment_terms_days = forms.IntegerField(
        label=_("验收后付款天数"),
        required=False,
        min_value=1,
        max_value=MAX_TERMS_DAYS,
        help_text=parsing.lazy_format(
            _("填写后，对公转账订单先发货，全部包裹验收后在此天数内付款（最长 %(max)s 天）；不填则先付款后发货。"),
            max=MAX_TERMS_DAYS,
        ),
        error_messages={
            key: parsing.lazy_format(_("请填写 1 到 %(max)s 之间的整数天数。"), max=MAX_TERMS_DAYS)
            for key in ("invalid", "min_value", "max_value")
        },
    )

    def __init__(self, *args, editing=None, **kwargs):
        if editing is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": editing.kind,
                    "name": editing.name,
                    "credit_code": editing.credit_code,
                    **region_initial(editing.region),
                    "invoice_title": editing.invoice_title,
                    "invoice_address": editing.invoice_address,
                    "invoice_phone": editing.invoice_phone,
                    "invoice_bank": editing.invoice_bank,
                    "invoice_account": editing.invoice_account,
                    "payment_terms_days": editing.payment_terms_days,
                    "approval_threshold": (
                        format_fen(editing.approval_threshold_fen).replace(",", "")
                        if editing.approval_threshold_fen is not None
                        else ""
                    ),
                },
            )
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            del self.fields["kind"], self.fields["credit_code"]
        self.setup_regions()

    def clean_credit_code(self) -> str:
        code = (self.cleaned_data.get("credit_code") or "").strip().upper()
        validate_credit_code(code)
        return code

    def clean(self):
        data = super().clean()
        self.clean_region(data)
        return data


class InviteForm(forms.Form):
    mobile = MobileField(label=_("手机号"))
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, initial=[RoleName.PURCHASER]
    )


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )

    @staticmethod
    def initial_for(member) -> dict:
        return {"roles": [role for role, field in ROLE_FIELDS.items() if getattr(member, field)]}


class QuotaForm(forms.Form):
    SHARE, AMOUNT = "share", "amount"

    planned_food = YuanField(label=_("年度食堂食材采购计划（元）"), min_fen=1)
    mode = forms.ChoiceField(
        label=_("预留方式"),
        choices=[(SHARE, _("按比例")), (AMOUNT, _("按金额"))],
        widget=forms.RadioSelect,
        initial=SHARE,
    )
    share = PercentField(label=_("预留比例（%）"), required=False)
    amount = YuanField(label=_("预留金额（元）"), required=False, min_fen=1)

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.SHARE and data.get("share") is None and "share" not in self.errors:
            self.add_error("share", ValidationError(_("请填写预留比例。")))
        if data.get("mode") == self.AMOUNT and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", ValidationError(_("请填写预留金额。")))
        return data


def year_choices() -> list[tuple[int, int]]:
    this = timezone.localdate().year
    return [(y, y) for y in range(this + 1, this - 4, -1)]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), max_length=300, widget=forms.TextInput)


def year_asked(request) -> int:
    """The year of ``?year=`` (this year, Asia/Shanghai, without it); a bad one is a 400."""
    raw = request.GET.get("year")
    if not raw:
        return timezone.localdate().year
    return parsing.natural(raw, label=_("年度"), minimum=2000, maximum=2100)


class AcceptanceForm(forms.Form):
    """验收 of one parcel. With a problem, the units concerned come as ``qty_<line id>``
    beside each line (``lines`` after cleaning) and a quality problem needs photos, as any
    after-sales request does; the after-sales service checks both."""

    result = forms.ChoiceField(
        label=_("验收结果"),
        choices=AcceptanceResult.choices,
        widget=forms.RadioSelect,
        initial=AcceptanceResult.ACCEPTED,
        error_messages={"required": _("请选择验收结果。"), "invalid_choice": _("请选择验收结果。")},
    )
    note = forms.CharField(
        label=_("验收说明"),
        required=False,
        max_length=ACCEPTANCE_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ACCEPTANCE_NOTE_MAX}),
        help_text=_("有问题时必填：短缺几件、哪里有质量问题。"),
    )
    photos = PhotosField(
        label=_("照片"),
        help_text=parsing.lazy_format(_("质量问题须至少 1 张，最多 %(max)s 张。"), max=MAX_PHOTOS),
    )

    def __init__(self, *args, line_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.line_ids = line_ids

    def clean(self):
        data = super().clean()
        lines = line_quantities(self.data, self.line_ids)
        if data.get("result") not in (None, AcceptanceResult.ACCEPTED) and not lines:
            raise ValidationError(_("请填写有问题的商品数量。"))
        data["lines"] = lines
        return data
